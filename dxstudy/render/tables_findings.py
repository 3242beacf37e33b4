# Tables of what the coding found, shown in the overview (all themes) and per theme: stated
# quantities, the timeline's events, challenges shared by members, and technologies.
from __future__ import annotations

import pandas as pd

from dxstudy.analysis.evidence import section_of
from dxstudy.analysis.joint_actions import shared_challenges
from dxstudy.analysis.members import in_member_order
from dxstudy.reference import labels as lb
from dxstudy.render import charts
from dxstudy.render.html_blocks import COLLAPSE_MEMBERS, HtmlBlock, cited_html, empty_block, esc, html_table


def metrics_table(metrics: pd.DataFrame, theme: str | None = None,
                  municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """The stated quantities: 市町, 指標, 値, 根拠 (the sentence with its section)."""
    df = metrics if theme is None else metrics[metrics["theme"] == theme]
    df = df[df["municipality_code"] != ""]
    if df.empty:
        return empty_block()
    df = in_member_order(df, municipalities).copy()
    df = df.drop_duplicates(["municipality_code", "metric", "value", "statement_id"])
    label_col = "label_ja" if "label_ja" in df else "metric"
    df["what"] = df[label_col].where(df[label_col].astype(str) != "", df["metric"])
    df["amount"] = [charts.as_written(r) for r in df.to_dict("records")]
    if "target_fiscal_year" in df:
        df["amount"] = [
            a + (f"（{int(float(y))}年度まで）" if str(y) not in ("", "nan", "<NA>") else "")
            for a, y in zip(df["amount"], df["target_fiscal_year"])
        ]
    df["quote"] = [cited_html(e, i, s) for e, i, s in zip(df["evidence"], df["statement_id"],
                                                         df.get("section", df["statement_id"]))]
    return html_table(df, {"municipality": "市町", "what": "指標", "amount": "値", "quote": "根拠"},
                      numeric=("amount",), raw_html=("quote",), narrow=("municipality", "what"))


def events_table(events: pd.DataFrame, theme: str | None = None) -> HtmlBlock:
    """The events of the timeline with the same numbers: No, 時期, 市町, 出来事, 節."""
    df = events if theme is None else events[events["theme"] == theme]
    placed = charts.event_dates(df)
    if placed.empty:
        return empty_block()
    placed = placed.copy()
    placed["when"] = [
        f"{e}（{d}）" + ("・目標/期限" if t else "")
        for e, d, t in zip(placed["era_text"], placed["date"], placed["is_target"])
    ]
    placed["who"] = placed["municipality"].where(placed["municipality"] != "", lb.REGION_LABEL)
    what = "event" if "event" in placed else "evidence"
    placed["what"] = placed[what]
    if "section" not in placed:
        placed["section"] = placed["statement_id"].map(section_of)
    return html_table(placed, {"no": "No.", "when": "時期", "who": "市町", "what": "出来事", "section": "節"},
                      numeric=("no",), narrow=("when", "who", "section"))


def shared_challenges_table(challenges: pd.DataFrame, theme: str | None = None,
                            municipalities: pd.DataFrame | None = None,
                            themes: pd.DataFrame | None = None) -> HtmlBlock:
    """Who shares which challenge: 課題, 市町数, 市町, and one quoted sentence per member."""
    df = challenges if theme is None else challenges[challenges["theme"] == theme]
    shared = shared_challenges(df, municipalities, themes=themes)
    if shared.empty:
        return empty_block()
    stm = df.drop_duplicates("statement_id").set_index("statement_id")
    quotes = []
    for ids in shared["statement_ids"]:
        items = []
        for i in ids.split(";"):
            row = stm.loc[i]
            items.append(f'<p>{esc(row["municipality"])}：「{esc(row["evidence"])}」'
                         f'<span class="dx-cite">（{esc(section_of(i))}）</span></p>')
        if len(items) > COLLAPSE_MEMBERS:  # many members: the quotes folded, the counts stay in view
            quotes.append(f'<details class="dx-details"><summary>{len(items)}市町の記述を表示</summary>'
                          f'{"".join(items)}</details>')
        else:
            quotes.append("".join(items))
    shared = shared.assign(
        count=[f"{n}/{t}" for n, t in zip(shared["n_members"], shared["n_total"])],
        quotes=quotes,
        mark=["共通（半数以上）" if s else "" for s in shared["shared"]],
    )
    return html_table(shared, {"code_label": "課題", "count": "市町数", "mark": "", "members": "市町",
                               "quotes": "記述（各市町の最初の該当文）"},
                      numeric=("count",), raw_html=("quotes",), narrow=("code_label", "mark"))


def technology_table(technologies: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                     statements: pd.DataFrame | None = None, theme: str | None = None) -> HtmlBlock:
    """Each member's technologies: 市町, 技術, 状況, 根拠 (sentence with section). With ``theme`` (and
    ``statements``) only technologies stated in that theme's sentences."""
    if theme is not None and statements is not None:
        ids = set(statements.loc[statements["theme"] == theme, "statement_id"])
        technologies = technologies[technologies["statement_id"].isin(ids)]
    if technologies.empty:
        return empty_block()
    df = in_member_order(technologies, municipalities).copy()
    rank = {s: i for i, s in enumerate(charts.TECH_STATUS_ORDER)}
    df = df.assign(_r=df["status"].map(rank)).sort_values(["_o", "_r"], kind="stable")
    df = df.drop_duplicates(["municipality_code", "technology", "statement_id"])
    df["tech"] = [charts.technology_label(t, technologies) for t in df["technology"]]
    df["state"] = [lb.label("tech_status", s) for s in df["status"]]
    df["quote"] = [cited_html(e, i) for e, i in zip(df["evidence"], df["statement_id"])]
    return html_table(df, {"municipality": "市町", "tech": "技術", "state": "状況", "quote": "根拠"},
                      raw_html=("quote",), narrow=("municipality", "tech", "state"))
