# Display helpers for the notebooks: parameter checks, loading, and small Japanese-labelled HTML
# tables built from the tidy tables (all text escaped; no raw DataFrame dumps).
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from dxstudy.render import charts
from dxstudy.reference import labels as lb
from dxstudy.analysis import proposals as pr
from dxstudy.paths import processed_dir
from dxstudy.inputs import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN, InputError, check_fiscal_year

EXPECTED_TABLES: dict[str, list[str]] = {
    "statements": ["statement_id", "fiscal_year", "section", "theme", "aspect", "municipality_code",
                   "municipality", "kind", "text"],
    "municipalities": ["code", "name_ja", "name_en", "kind"],
    "themes": ["theme", "label_ja", "label_en", "chapter"],
    "meetings": ["number", "date", "agenda"],
    "document": ["title", "fiscal_year", "published", "as_of", "publisher"],
    "metrics": ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section", "metric",
                "label_ja", "value", "unit", "target_fiscal_year", "evidence"],
    "events": ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section", "date",
               "date_precision", "era_text", "role", "event_type", "event", "evidence"],
    "stages": ["fiscal_year", "municipality_code", "municipality", "theme", "stage", "stage_label", "source",
               "rule", "statement_id", "evidence"],
    "challenges": ["fiscal_year", "municipality_code", "municipality", "theme", "code", "code_label",
                   "statement_id", "evidence"],
    "technologies": ["fiscal_year", "municipality_code", "municipality", "technology", "status", "statement_id",
                     "evidence"],
}
"""Tables the notebooks read, with the columns they use. A table missing from the processed
directory is replaced by an empty one (and listed in ``tables.missing``), so a notebook still runs
and says 該当するデータはありません where it would have shown it."""

CSS = """
.dx-table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; width: 100%; }
table.dx-table th, table.dx-table td { border: 1px solid #c9c9c9; padding: 4px 8px; vertical-align: top;
  text-align: left !important; }
table.dx-table th { background: #eef3f8; white-space: nowrap; }
table.dx-table td.dx-num { text-align: right !important; white-space: nowrap; }
table.dx-table td.dx-narrow { white-space: nowrap; width: 1%; }
.dx-table caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 4px; }
.dx-table p { margin: 0 0 0.35em; }
.dx-cite { color: #666; font-size: 0.85em; white-space: nowrap; }
.dx-note { color: #555; font-size: 0.9em; }
.dx-empty { color: #777; font-style: italic; }
.dx-proposal { border-left: 4px solid #2f6fa8; padding: 0.2em 0.8em; margin: 0.8em 0; break-inside: avoid; }
.dx-proposal .dx-title { font-size: 1.05em; margin-bottom: 0.3em; }
.dx-rationale { color: #333; font-size: 0.92em; }
.dx-evidence { margin: 0.3em 0 0.3em 0.5em; padding-left: 0.6em; border-left: 2px solid #ccc; font-size: 0.9em; }
.dx-evidence ul { margin: 0; padding-left: 1.1em; }
.dx-summary p { margin: 0.25em 0; }
.dx-lead { font-size: 1.3em; margin: 0.2em 0 0.6em; }
.dx-details { margin: 0.5em 0 1em; }
.dx-details > summary { cursor: pointer; color: #1f4e79; font-weight: bold; padding: 2px 0; }
@media print { .dx-table { page-break-inside: auto; } .dx-table tr { page-break-inside: avoid; } }
"""


class HtmlBlock:
    """A piece of HTML for notebook display (``_repr_html_``); the text form is for tests/logs.

    Carries the ``tex2jax_ignore mathjax_ignore`` classes, so a ``$`` in a quoted sentence is
    never typeset as mathematics."""

    def __init__(self, body: str, text: str = ""):
        self.html = f'<div class="dx-block tex2jax_ignore mathjax_ignore">{body}</div>'
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.text or self.html

    __repr__ = __str__


def esc(text) -> str:
    """HTML-escape any value ("" for NaN/None)."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=True)


def _empty(message: str = charts.EMPTY_MESSAGE) -> HtmlBlock:
    return HtmlBlock(f'<p class="dx-empty">{esc(message)}</p>', message)


# --- set-up, parameters, loading ----------------------------------------------------------------


def setup_notebook() -> HtmlBlock:
    """Set up a notebook: Japanese fonts and the missing-glyph check for charts, figures displayed as
    PNG by IPython (when running in IPython), and the CSS of the tables (returned; display it)."""
    charts.setup()
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        return HtmlBlock(f"<style>{CSS}</style>")
    shell = get_ipython()
    if shell is not None:
        formatters = shell.display_formatter.formatters
        formatters["image/png"].for_type(Figure, _figure_png)
    return HtmlBlock(f"<style>{CSS}</style>", "(styles)")


def _figure_png(fig) -> tuple[bytes, dict]:
    data = charts.to_png(fig)
    return data, {"width": int(fig.get_figwidth() * 96)}


def validate_parameters(fiscal_year, data_dir, theme: str | None = None, need_theme: bool = False) -> dict:
    """Check the notebook parameters and return them normalised.

    fiscal_year: an int (or a string of digits; not a bool, float or path) between 2000 and 2100
    (``dxstudy.inputs.check_fiscal_year``), whose processed tables exist as
    ``<data_dir>/processed/FY<fiscal_year>/``; data_dir: an existing directory (relative paths are
    taken from the current directory); theme: one of the themes of dxstudy/reference/themes.csv.
    Returns {"fiscal_year": int, "data_dir": str (absolute), "theme": str | None}.
    Raises ValueError with a message in Japanese and English naming the bad parameter.
    """
    try:
        year = check_fiscal_year(fiscal_year, "fiscal_year")
    except InputError as exc:
        raise ValueError(
            f"パラメータ fiscal_year は{FISCAL_YEAR_MIN}〜{FISCAL_YEAR_MAX}の年度の数値（例：2021）で指定してください / "
            f"fiscal_year must be a year such as 2021 — {exc}"
        ) from None
    directory = Path(str(data_dir)).expanduser().resolve()
    if not directory.is_dir():
        raise ValueError(
            f"データディレクトリがありません / data_dir is not a directory: {directory} (given {data_dir!r})"
        )
    processed = processed_dir(year, directory)
    if not processed.is_dir():
        raise ValueError(
            f"{year}年度の処理済みテーブルがありません / no processed tables for fiscal year {year}: expected "
            f"{processed} (run `dxstudy parse` or `make report` first)"
        )
    if theme is not None or need_theme:
        known = lb.themes_table()["theme"].tolist()
        if theme not in known:
            raise ValueError(
                f"パラメータ theme が不明です / unknown theme {theme!r}; expected one of {', '.join(known)}"
            )
    return {"fiscal_year": year, "data_dir": str(directory), "theme": theme}


def load(fiscal_year: int, data_dir: str | Path):
    """``dxstudy.load_tables`` plus empty stand-ins for tables not (yet) produced.

    The returned object has every table of EXPECTED_TABLES as an attribute, the reference
    ``order`` of the members, and ``missing`` (names of tables that were absent)."""
    import dxstudy

    tables = dxstudy.load_tables(int(fiscal_year), data_dir)
    missing = []
    for name, columns in EXPECTED_TABLES.items():
        if name not in tables.tables:
            tables.tables[name] = pd.DataFrame(columns=columns)
            missing.append(name)
    tables.__dict__["missing"] = missing
    return tables


def missing_note(tables) -> HtmlBlock:
    """A note naming tables that were not found (empty when all are present)."""
    missing = getattr(tables, "missing", [])
    if not missing:
        return HtmlBlock("", "")
    text = f"次の表が見つからないため、該当する図表は空になります：{', '.join(missing)}"
    return HtmlBlock(f'<p class="dx-note">{esc(text)}</p>', text)


# --- generic table ------------------------------------------------------------------------------


def html_table(
    df: pd.DataFrame,
    columns: dict[str, str],
    caption: str | None = None,
    numeric: tuple[str, ...] = (),
    raw_html: tuple[str, ...] = (),
    narrow: tuple[str, ...] | None = None,
) -> HtmlBlock:
    """An HTML table of the given columns (source name -> Japanese header), every cell escaped except
    the columns in ``raw_html`` (which must already be built from escaped text). ``narrow`` columns
    (default: the first) do not wrap, so long text gets the width."""
    if df.empty:
        return _empty()
    narrow = (next(iter(columns)),) if narrow is None else narrow
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values())
    body = []
    for _, row in df.iterrows():
        cells = []
        for col in columns:
            value = row[col]
            content = value if col in raw_html else esc(value)
            cls = ' class="dx-num"' if col in numeric else (' class="dx-narrow"' if col in narrow else "")
            cells.append(f"<td{cls}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    text = df[list(columns)].rename(columns=columns).to_string(index=False)
    table = f'<table class="dx-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    members = member_count(df)
    if members > COLLAPSE_MEMBERS:
        label = caption or "市町別の詳細"
        table = (f'<details class="dx-details"><summary>{esc(label)}（{members}市町・{len(df)}行。'
                 f"クリックで表示）</summary>{table}</details>")
    return HtmlBlock(table, text)


#: Per-member tables of more members than this are folded into a <details> section (closed by
#: default), so a report of a prefecture-wide group (63 members) stays a page one can scroll.
COLLAPSE_MEMBERS = 12


def member_count(df: pd.DataFrame) -> int:
    """Distinct members named in a table (``municipality_code``, else ``municipality``; "" ignored)."""
    for column in ("municipality_code", "municipality"):
        if column in df.columns:
            values = df[column].astype(str)
            return int(values[values != ""].nunique())
    return 0


def _sentences_html(rows: pd.DataFrame) -> str:
    """Sentences as paragraphs, each followed by its section number."""
    return "".join(
        f'<p>{esc(r["text"])} <span class="dx-cite">（{esc(r["section"])}）</span></p>' for _, r in rows.iterrows()
    )


def _ordered(df: pd.DataFrame, municipalities: pd.DataFrame | None) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(lb.municipalities_table(municipalities)["code"])}
    return df.assign(_o=df["municipality_code"].map(order).fillna(len(order))).sort_values("_o", kind="stable")


def _date_ja(iso: str) -> str:
    try:
        d = pd.Timestamp(iso)
    except (ValueError, TypeError):
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


# --- overview -----------------------------------------------------------------------------------


def document_summary(document: pd.DataFrame, statements: pd.DataFrame | None = None) -> HtmlBlock:
    """Title, publisher, publication and as-of dates of the report, and the number of statements."""
    if document.empty:
        return _empty()
    d = document.iloc[0]
    rows = [("報告書", d.get("title", "")), ("発行", d.get("publisher", "")),
            ("発行年月", d.get("published", "")), ("内容の時点", d.get("as_of", ""))]
    if statements is not None:
        rows.append(("分析した文の数", f"{len(statements)}文"))
    frame = pd.DataFrame(rows, columns=["item", "value"])
    return html_table(frame, {"item": "項目", "value": "内容"})


def meetings_table(meetings: pd.DataFrame) -> HtmlBlock:
    """The working-group meetings: 回, 開催日, 内容."""
    if meetings.empty:
        return _empty()
    df = meetings.copy()
    df["no"] = "第" + df["number"].astype(str) + "回"
    weekday = df["weekday_ja"] if "weekday_ja" in df else ""
    df["when"] = [f"{_date_ja(d)}" + (f"（{w}）" if w else "") for d, w in zip(df["date"], weekday if len(weekday) else [""] * len(df))]
    df["what"] = df["agenda"].astype(str).str.replace("; ", "／", regex=False)
    return html_table(df, {"no": "回", "when": "開催日", "what": "内容"})


def statements_summary(statements: pd.DataFrame, themes: pd.DataFrame | None = None,
                       municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """Number of sentences per theme and municipality (what the analyses rest on)."""
    df = statements[statements["theme"].isin(lb.themes_table(themes)["theme"])]
    if df.empty:
        return _empty()
    members = lb.municipalities_table(municipalities)
    counts = pd.crosstab(df["theme"], df["municipality_code"])
    out = pd.DataFrame({"theme": [lb.theme_label(t, themes) for t in lb.themes_table(themes)["theme"]]})
    cols = {"theme": "テーマ"}
    for code, name in zip(members["code"], members["name_ja"]):
        out[code] = [int(counts.at[t, code]) if t in counts.index and code in counts.columns else 0
                     for t in lb.themes_table(themes)["theme"]]
        cols[code] = name
    out["region"] = [int(counts.at[t, ""]) if t in counts.index and "" in counts.columns else 0
                     for t in lb.themes_table(themes)["theme"]]
    cols["region"] = "全体"
    if len(members) > COLLAPSE_MEMBERS:  # many members: a row per member (folded), a column per theme
        side = out.set_index("theme")[[c for c in cols if c != "theme"]].T
        side.insert(0, "municipality", [cols[c] for c in side.index])
        side.columns = [str(c) for c in side.columns]
        tcols = {c: ("市町" if c == "municipality" else c) for c in side.columns}
        side["municipality_code"] = ["" if c == "region" else c for c in side.index]  # 全体 is no member
        return html_table(side.reset_index(drop=True), tcols, caption="テーマ・市町別の文の数",
                          numeric=tuple(tcols)[1:])
    return html_table(out, cols, caption="テーマ・市町別の文の数", numeric=tuple(cols)[1:])


# --- per theme ----------------------------------------------------------------------------------


def theme_heading(theme: str, themes: pd.DataFrame | None = None) -> HtmlBlock:
    """The theme as the report names it, e.g. 第3章 テレワークの推進 (a lead line, not an <h*>)."""
    df = lb.themes_table(themes)
    row = df[df["theme"] == theme]
    chapter = f"第{int(row['chapter'].iloc[0])}章 " if len(row) and not pd.isna(row["chapter"].iloc[0]) else ""
    text = f"{chapter}{lb.theme_label(theme, themes)}"
    return HtmlBlock(f'<p class="dx-lead"><strong>{esc(text)}</strong></p>', text)


def region_summary(statements: pd.DataFrame, theme: str) -> HtmlBlock:
    """The region-wide 現状 and 課題 text of a theme (rows without municipality), with sections."""
    df = statements[(statements["theme"] == theme) & (statements["municipality_code"] == "")]
    if df.empty:
        return _empty("このテーマには地域全体のまとめの記述はありません。")
    parts = []
    for aspect in ("status", "challenge", ""):
        sub = df[df["aspect"] == aspect]
        if sub.empty:
            continue
        heading = lb.label("aspect", aspect) if aspect else "概要"
        parts.append(f"<p><strong>{esc(heading)}</strong></p>{_sentences_html(sub)}")
    text = "\n".join(df["text"])
    return HtmlBlock(f'<div class="dx-summary">{"".join(parts)}</div>', text)


def stage_table(stages: pd.DataFrame, theme: str, statements: pd.DataFrame | None = None,
                municipalities: pd.DataFrame | None = None, themes: pd.DataFrame | None = None) -> HtmlBlock:
    """Each member's stage for a theme with the sentence that decided it (and its section)."""
    if theme not in lb.staged_themes(themes):
        return _empty(f"「{lb.theme_label(theme, themes)}」は取組み段階の判定対象ではありません。")
    df = stages[stages["theme"] == theme]
    if df.empty:
        return _empty()
    df = _ordered(df, municipalities).copy()
    df["stage_text"] = [lb.stage_label(s) for s in pd.to_numeric(df["stage"])]
    sections = {}
    if statements is not None:
        sections = statements.set_index("statement_id")["section"].to_dict()
    df["quote"] = [
        f'「{esc(e)}」<span class="dx-cite">（{esc(sections.get(i, pr._section_from_id(i)))}・{esc(i)}）</span>'
        for e, i in zip(df["evidence"], df["statement_id"])
    ]
    df["how"] = [
        "分析者の判断" + (f"（{r}）" if r else "") if s == "override" else "ルール"
        for s, r in zip(df.get("source", ""), df.get("rule", ""))
    ]
    return html_table(df, {"municipality": "市町", "stage_text": "段階", "quote": "判定の根拠となった文",
                           "how": "判定"}, raw_html=("quote",), narrow=("municipality", "stage_text", "how"))


def status_challenge_table(statements: pd.DataFrame, theme: str,
                           municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """現状 and 課題 side by side per municipality, every sentence in full with its section.

    For a theme without aspects (各市町独自の取組み) a single column 取組み is shown."""
    df = statements[(statements["theme"] == theme) & (statements["municipality_code"] != "")]
    if df.empty:
        return _empty()
    members = lb.municipalities_table(municipalities)
    aspects = [a for a in ("status", "challenge") if (df["aspect"] == a).any()]
    rows = []
    for code, name in zip(members["code"], members["name_ja"]):
        sub = df[df["municipality_code"] == code]
        row = {"municipality": name}
        if aspects:
            for a in aspects:
                part = sub[sub["aspect"] == a]
                row[a] = _sentences_html(part) if len(part) else '<p class="dx-empty">記述なし</p>'
        else:
            row["all"] = _sentences_html(sub) if len(sub) else '<p class="dx-empty">記述なし</p>'
        rows.append(row)
    frame = pd.DataFrame(rows)
    cols = {"municipality": "市町"}
    cols.update({a: lb.label("aspect", a) for a in aspects} if aspects else {"all": "取組み"})
    block = html_table(frame, cols, raw_html=tuple(c for c in cols if c != "municipality"))
    block.text = "\n".join(df["text"])
    return block


def metrics_table(metrics: pd.DataFrame, theme: str | None = None,
                  municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """The stated quantities: 市町, 指標, 値, 根拠 (the sentence with its section)."""
    df = metrics if theme is None else metrics[metrics["theme"] == theme]
    df = df[df["municipality_code"] != ""]
    if df.empty:
        return _empty()
    df = _ordered(df, municipalities).copy()
    df = df.drop_duplicates(["municipality_code", "metric", "value", "statement_id"])
    label_col = "label_ja" if "label_ja" in df else "metric"
    df["what"] = df[label_col].where(df[label_col].astype(str) != "", df["metric"])
    df["amount"] = [charts._as_written(r) for r in df.to_dict("records")]
    if "target_fiscal_year" in df:
        df["amount"] = [
            a + (f"（{int(float(y))}年度まで）" if str(y) not in ("", "nan", "<NA>") else "")
            for a, y in zip(df["amount"], df["target_fiscal_year"])
        ]
    df["quote"] = [f'{esc(e)} <span class="dx-cite">（{esc(s)}）</span>'
                   for e, s in zip(df["evidence"], df.get("section", df["statement_id"]))]
    return html_table(df, {"municipality": "市町", "what": "指標", "amount": "値", "quote": "根拠"},
                      numeric=("amount",), raw_html=("quote",), narrow=("municipality", "what"))


def events_table(events: pd.DataFrame, theme: str | None = None) -> HtmlBlock:
    """The events of the timeline with the same numbers: No, 時期, 市町, 出来事, 節."""
    df = events if theme is None else events[events["theme"] == theme]
    placed = charts.event_dates(df)
    if placed.empty:
        return _empty()
    placed = placed.copy()
    placed["when"] = [
        f"{e}（{d}）" + ("・目標/期限" if t else "")
        for e, d, t in zip(placed["era_text"], placed["date"], placed["is_target"])
    ]
    placed["who"] = placed["municipality"].where(placed["municipality"] != "", lb.REGION_LABEL)
    what = "event" if "event" in placed else "evidence"
    placed["what"] = placed[what]
    if "section" not in placed:
        placed["section"] = placed["statement_id"].map(pr._section_from_id)
    return html_table(placed, {"no": "No.", "when": "時期", "who": "市町", "what": "出来事", "section": "節"},
                      numeric=("no",), narrow=("when", "who", "section"))


def shared_challenges_table(challenges: pd.DataFrame, theme: str | None = None,
                            municipalities: pd.DataFrame | None = None,
                            themes: pd.DataFrame | None = None) -> HtmlBlock:
    """Who shares which challenge: 課題, 市町数, 市町, and one quoted sentence per member."""
    df = challenges if theme is None else challenges[challenges["theme"] == theme]
    shared = pr.shared_challenges(df, municipalities, themes=themes)
    if shared.empty:
        return _empty()
    stm = df.drop_duplicates("statement_id").set_index("statement_id")
    quotes = []
    for ids in shared["statement_ids"]:
        items = []
        for i in ids.split(";"):
            row = stm.loc[i]
            items.append(f'<p>{esc(row["municipality"])}：「{esc(row["evidence"])}」'
                         f'<span class="dx-cite">（{esc(pr._section_from_id(i))}）</span></p>')
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
        return _empty()
    df = _ordered(technologies, municipalities).copy()
    rank = {s: i for i, s in enumerate(charts.TECH_STATUS_ORDER)}
    df = df.assign(_r=df["status"].map(rank)).sort_values(["_o", "_r"], kind="stable")
    df = df.drop_duplicates(["municipality_code", "technology", "statement_id"])
    df["tech"] = [charts.technology_label(t, technologies) for t in df["technology"]]
    df["state"] = [lb.label("tech_status", s) for s in df["status"]]
    df["quote"] = [f'{esc(e)} <span class="dx-cite">（{esc(pr._section_from_id(i))}）</span>'
                   for e, i in zip(df["evidence"], df["statement_id"])]
    return html_table(df, {"municipality": "市町", "tech": "技術", "state": "状況", "quote": "根拠"},
                      raw_html=("quote",), narrow=("municipality", "tech", "state"))


# --- conclusions --------------------------------------------------------------------------------


def national_table(comparison: pd.DataFrame, municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """Region against national figures, with both definitions and the source, side by side."""
    if comparison.empty:
        return _empty()
    region = lb.region_label(municipalities)
    df = comparison.copy()
    df["region"] = [
        f"{p:.1f}%（{int(n)}/{int(d)}）" if not pd.isna(n) else "—"
        for p, n, d in zip(df["region_pct"], df["region_numerator"], df["region_denominator"])
    ]
    df["national"] = [f"{p:.1f}%" for p in df["national_pct"]]
    df["national_def"] = [
        f"{esc(d)}<br><span class='dx-cite'>{esc(pop)}・{esc(a)}時点・{esc(s)}</span>"
        for d, pop, a, s in zip(df["national_definition_ja"], df["national_population"], df["national_as_of"],
                                df["source_ja"])
    ]
    df["region_def"] = [
        f"{esc(d)}<br><span class='dx-cite'>該当：{esc(m) or 'なし'}</span>"
        for d, m in zip(df["region_definition_ja"], df["region_members"])
    ]
    return html_table(df, {"label_ja": "指標", "region": region, "national": "全国",
                           "region_def": f"{region}の判定方法", "national_def": "全国の定義・時点・出典"},
                      numeric=("region", "national"), raw_html=("region_def", "national_def"))


def proposals_block(proposals: pd.DataFrame, kind: str | None = None) -> HtmlBlock:
    """The proposals (optionally of one kind) with their rationale and evidence quotes."""
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    return HtmlBlock(pr.render_html(df), pr.render_markdown(df))


def bullets(points: list[str]) -> HtmlBlock:
    """A list of plain sentences (escaped)."""
    if not points:
        return _empty()
    items = "".join(f"<li>{esc(p)}</li>" for p in points)
    return HtmlBlock(f'<ul class="dx-summary">{items}</ul>', "\n".join(points))
