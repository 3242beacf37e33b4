# The conclusions / proposals draft for next year's working group, derived from the coded tables.
# Every point carries its rationale and the quoted sentences (section, statement id) it rests on.
from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from dxstudy.paths import external_file

from dxstudy.reference import labels as lb

PROPOSAL_COLUMNS = [
    "proposal_id",
    "kind",
    "theme",
    "title_ja",
    "body_ja",
    "rationale_ja",
    "statement_ids",
    "evidence",
]
"""Columns of the proposals table.

proposal_id   "P01", … in display order
kind          leader | horizontal | joint_action | national
theme         theme id, or "" for cross-theme points
title_ja      one-line title
body_ja       the point itself (may contain line breaks)
rationale_ja  why the data supports it (the rule that produced it, the counts)
statement_ids the quoted statements, separated by ";"
evidence      one quote per line: 「sentence」（section・municipality・statement id）
"""

KIND_LABELS = {
    "leader": "テーマ別の先行事例",
    "horizontal": "横展開の提案",
    "joint_action": "共同の取組み",
    "national": "全国との比較",
}

STAGE_LEAD = 3
STAGE_LAG_MAX = 1
MIN_SHARE = 0.5
STAGE_GAP_TRIGGER = "stage_gap"
EXTRA_PRACTICE_SENTENCES = 2
DEFINITIONS_DIFFER = (
    "定義が異なる点に注意：全国の数値は国の調査の定義・時点・母数によるもので、{region}の値は報告書の記述"
    "（{as_of}時点）から本ツールが判定したものである。厳密な比較ではなく、参考として並べている。"
)


class ProposalDataError(ValueError):
    """A data file for the proposals (joint actions, national benchmarks) is malformed."""


# --- evidence -----------------------------------------------------------------------------------


def _section_from_id(statement_id: str) -> str:
    match = re.match(r"^FY\d{4}-(.+)-\d+$", statement_id)
    return match[1] if match else ""


def quote(statement_id: str, statements: pd.DataFrame) -> str:
    """One evidence line: 「sentence」（section・municipality・statement id）."""
    return _quotes([statement_id], statements)[0]


def _quotes(ids: list[str], statements: pd.DataFrame) -> list[str]:
    rows = statements[statements["statement_id"].isin(ids)].drop_duplicates("statement_id")
    by_id = {r["statement_id"]: r for r in rows[["statement_id", "section", "municipality", "text"]].to_dict("records")}
    out = []
    for sid in ids:
        row = by_id.get(sid)
        if row is None:
            out.append(f"（{sid}）")
            continue
        cite = "・".join(p for p in (row["section"], row["municipality"], sid) if p)
        out.append(f"「{row['text']}」（{cite}）")
    return out


def _evidence(ids: Iterable[str], statements: pd.DataFrame) -> tuple[str, str]:
    unique = list(dict.fromkeys(i for i in ids if i))
    return ";".join(unique), "\n".join(_quotes(unique, statements))


def split_evidence(evidence: str) -> list[tuple[str, str]]:
    """Split the evidence column into (sentence, citation) pairs (the inverse of quote())."""
    pairs = []
    for line in filter(None, evidence.split("\n")):
        cut = line.rfind("」（")
        if line.startswith("「") and cut > 0 and line.endswith("）"):
            pairs.append((line[1:cut], line[cut + 2 : -1]))
        else:
            pairs.append(("", line.strip("（）")))
    return pairs


def _names(codes: Iterable[str], municipalities: pd.DataFrame | None) -> str:
    names = lb.name_map(municipalities)
    return "・".join(names.get(str(c), str(c)) for c in codes)


def _member_order(municipalities: pd.DataFrame | None) -> dict[str, int]:
    return {c: i for i, c in enumerate(lb.municipalities_table(municipalities)["code"])}


def _sorted_stages(stages: pd.DataFrame, municipalities: pd.DataFrame | None) -> pd.DataFrame:
    order = _member_order(municipalities)
    df = stages.assign(
        stage=pd.to_numeric(stages["stage"], errors="coerce"),
        _o=stages["municipality_code"].map(order).fillna(len(order)),
    )
    return df.dropna(subset=["stage"]).sort_values(["theme", "_o"], kind="stable")


# --- per theme: who is ahead, and horizontal deployment -----------------------------------------


def stage_distribution(stages: pd.DataFrame, theme: str, municipalities: pd.DataFrame | None = None) -> str:
    """"段階3（実施中）：越谷市・三郷市／段階0（未着手）：松伏町" for one theme, highest stage first."""
    df = _sorted_stages(stages[stages["theme"] == theme], municipalities)
    parts = []
    for stage in sorted(df["stage"].unique(), reverse=True):
        codes = df.loc[df["stage"] == stage, "municipality_code"]
        parts.append(f"段階{int(stage)}（{lb.STAGE_LABELS[int(stage)]}）：{_names(codes, municipalities)}")
    return "／".join(parts)


def _practice_ids(row: pd.Series, statements: pd.DataFrame, extra: int) -> list[str]:
    """The deciding sentence, then up to ``extra`` further status sentences of the member and theme."""
    same = statements[
        (statements["municipality_code"] == row["municipality_code"])
        & (statements["theme"] == row["theme"])
        & (statements["aspect"] == "status")
        & (statements["statement_id"] != row["statement_id"])
    ]
    return [row["statement_id"], *same["statement_id"].head(extra)]


def leader_points(
    stages: pd.DataFrame,
    statements: pd.DataFrame,
    themes: pd.DataFrame | None = None,
    municipalities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per staged theme, who is at stage 3 (実施中) and what they do (the deciding sentence and up to
    two further 現状 sentences). Themes with no member at stage 3 get a point saying so."""
    rows = []
    df = _sorted_stages(stages, municipalities)
    for theme in lb.staged_themes(themes):
        sub = df[df["theme"] == theme]
        if sub.empty:
            continue
        label = lb.theme_label(theme, themes)
        leads = sub[sub["stage"] >= STAGE_LEAD]
        distribution = stage_distribution(stages, theme, municipalities)
        if leads.empty:
            top = int(sub["stage"].max())
            best = sub[sub["stage"] == top]
            ids = list(best["statement_id"])
            rows.append({
                "kind": "leader",
                "theme": theme,
                "title_ja": f"{label}：実施中（段階3）の市町はまだない",
                "body_ja": f"最も進んでいるのは{_names(best['municipality_code'], municipalities)}"
                f"（段階{top}・{lb.STAGE_LABELS[top]}）である。",
                "rationale_ja": f"取組み段階の判定結果：{distribution}。",
                **dict(zip(("statement_ids", "evidence"), _evidence(ids, statements))),
            })
            continue
        ids: list[str] = []
        lines = []
        for _, lead in leads.iterrows():
            practice = _practice_ids(lead, statements, EXTRA_PRACTICE_SENTENCES)
            ids.extend(practice)
            lines.append(f"{lead['municipality']}：「{lead['evidence']}」")
        rows.append({
            "kind": "leader",
            "theme": theme,
            "title_ja": f"{label}：{_names(leads['municipality_code'], municipalities)}が実施中（段階3）",
            "body_ja": "\n".join(lines),
            "rationale_ja": f"段階3（実施中：通常運用・全庁的・完了）と判定された市町とその判定根拠の文。"
            f"取組み段階の判定結果：{distribution}。",
            **dict(zip(("statement_ids", "evidence"), _evidence(ids, statements))),
        })
    return pd.DataFrame(rows)


def _names_short(codes: Iterable[str], municipalities: pd.DataFrame | None, limit: int = 4) -> str:
    """Names joined with ・, shortened to "A・B・Cほか9市町" beyond ``limit`` (titles stay one line)."""
    codes = list(codes)
    if len(codes) <= limit:
        return _names(codes, municipalities)
    return f"{_names(codes[: limit - 1], municipalities)}ほか{len(codes) - limit + 1}市町"


def horizontal_points(
    stages: pd.DataFrame,
    statements: pd.DataFrame,
    themes: pd.DataFrame | None = None,
    municipalities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """横展開 suggestions, one per theme: the practices of the members at stage 3 (their deciding
    sentences) paired with the members at stage 0-1 (with their own deciding sentence: what they
    do now). No point for a theme without both."""
    rows = []
    df = _sorted_stages(stages, municipalities)
    for theme in lb.staged_themes(themes):
        sub = df[df["theme"] == theme]
        leads = sub[sub["stage"] >= STAGE_LEAD]
        lags = sub[sub["stage"] <= STAGE_LAG_MAX]
        if leads.empty or lags.empty:
            continue
        label = lb.theme_label(theme, themes)
        targets = "・".join(
            f"{r['municipality']}（段階{int(r['stage'])}・{lb.STAGE_LABELS[int(r['stage'])]}）" for _, r in lags.iterrows()
        )
        practices = [f"・{r['municipality']}：「{r['evidence']}」" for _, r in leads.iterrows()]
        lead_names = _names(leads["municipality_code"], municipalities)
        lag_names = _names(lags["municipality_code"], municipalities)
        ids = [*leads["statement_id"], *lags["statement_id"]]
        rows.append({
            "kind": "horizontal",
            "theme": theme,
            "title_ja": f"{label}：{_names_short(leads['municipality_code'], municipalities)}の取組みを"
            f"{_names_short(lags['municipality_code'], municipalities)}へ",
            "body_ja": "\n".join([
                f"{targets}は、実施中（段階3）の次の取組みを参考にできる。",
                *practices,
                f"{lead_names}から導入の経緯・体制・運用上の課題の説明を受け、{lag_names}の状況に合わせた"
                "導入の手順を検討することを提案する。",
            ]),
            "rationale_ja": f"同じテーマで、{lead_names}は段階3（実施中）、{lag_names}は段階0–1（未着手・検討中）と"
            "判定された（報告書の結論が述べる「有効な取り組みの横展開」を、判定結果から具体化したもの）。",
            **dict(zip(("statement_ids", "evidence"), _evidence(ids, statements))),
        })
    return pd.DataFrame(rows)


# --- shared challenges -> joint actions ---------------------------------------------------------


def shared_challenges(
    challenges: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
    themes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Challenge codes and how many members share them, most shared first.

    Columns: code, code_label, n_members, n_total (members in the study), share (0-1), shared
    (bool: n_members >= ceil(min_share * n_total)), members (names, "・"), member_codes (";"),
    themes (labels, "・"), statement_ids (";": the first coded sentence of each member).
    """
    cols = ["code", "code_label", "n_members", "n_total", "share", "shared", "members", "member_codes", "themes",
            "statement_ids"]
    n_total = len(lb.municipalities_table(municipalities))
    df = challenges[challenges["municipality_code"] != ""]
    if df.empty:
        return pd.DataFrame(columns=cols)
    order = _member_order(municipalities)
    theme_order = {t: i for i, t in enumerate(lb.themes_table(themes)["theme"])}
    df = df.assign(_o=df["municipality_code"].map(order).fillna(len(order))).sort_values(
        ["_o", "statement_id"], kind="stable"
    )
    need = math.ceil(min_share * n_total)
    rows = []
    for code, sub in df.groupby("code", sort=False):
        first = sub.drop_duplicates("municipality_code")
        theme_ids = sorted(sub["theme"].unique(), key=lambda t: theme_order.get(t, 99))
        label = sub["code_label"].iloc[0] if "code_label" in sub and sub["code_label"].iloc[0] else code
        rows.append({
            "code": code,
            "code_label": label,
            "n_members": len(first),
            "n_total": n_total,
            "share": len(first) / n_total if n_total else 0.0,
            "shared": len(first) >= need,
            "members": _names(first["municipality_code"], municipalities),
            "member_codes": ";".join(first["municipality_code"]),
            "themes": "・".join(lb.theme_label(t, themes) for t in theme_ids),
            "statement_ids": ";".join(first["statement_id"]),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_members", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def load_joint_actions(path: str | Path | None = None) -> pd.DataFrame:
    """The mapping challenge code -> kind of joint action (rules/joint_actions.csv, or ``path``).

    Columns: code (a challenge code, or "stage_gap": members at stage 3 and at 0-1 in one theme),
    action_id, action_ja, description_ja. ``{region}`` in the text is replaced by e.g. "5市1町".
    """
    if path is None:
        with resources.files("dxstudy").joinpath("rules", "joint_actions.csv").open(encoding="utf-8-sig") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        where = "dxstudy/rules/joint_actions.csv"
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        where = str(path)
    expected = ["code", "action_id", "action_ja", "description_ja"]
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise ProposalDataError(f"{where}, line 1: expected columns {expected}, found {list(df.columns)}")
    for i, row in df.iterrows():
        for col in ("code", "action_id", "action_ja"):
            if not row[col].strip():
                raise ProposalDataError(f"{where}, line {i + 2}: expected a value in column {col!r}, found ''")
    dup = df[df.duplicated("code", keep=False)]
    if len(dup):
        raise ProposalDataError(
            f"{where}, line {dup.index[1] + 2}: expected each code once, found {dup['code'].iloc[0]!r} again"
        )
    return df


def stage_gaps(stages: pd.DataFrame, themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Themes where a member at stage 3 and a member at stage 0-1 coexist.

    Columns: theme, leaders (codes ";"), laggards (codes ";"), statement_ids (";")."""
    rows = []
    df = _sorted_stages(stages, None)
    for theme in lb.staged_themes(themes):
        sub = df[df["theme"] == theme]
        leads = sub[sub["stage"] >= STAGE_LEAD]
        lags = sub[sub["stage"] <= STAGE_LAG_MAX]
        if len(leads) and len(lags):
            rows.append({
                "theme": theme,
                "leaders": ";".join(leads["municipality_code"]),
                "laggards": ";".join(lags["municipality_code"]),
                "statement_ids": ";".join([*leads["statement_id"], *lags["statement_id"]]),
            })
    return pd.DataFrame(rows, columns=["theme", "leaders", "laggards", "statement_ids"])


def joint_action_points(
    challenges: pd.DataFrame,
    stages: pd.DataFrame,
    statements: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
) -> pd.DataFrame:
    """Joint actions for challenges shared by at least ``min_share`` of the members.

    Each shared code is mapped to its joint action (load_joint_actions); codes mapped to the same
    action make one point. The ``stage_gap`` trigger fires when some theme has members at stage 3
    and at stage 0-1 at the same time (the report's "推進状況に差がある"). Actions are ordered by
    the number of members behind them.
    """
    mapping = load_joint_actions() if mapping is None else mapping
    region = lb.region_label(municipalities)
    shared = shared_challenges(challenges, municipalities, min_share, themes)
    shared = shared[shared["shared"]]
    triggers: dict[str, list[dict]] = {}
    action_of = mapping.set_index("code")
    for _, code_row in shared.iterrows():
        if code_row["code"] in action_of.index:
            triggers.setdefault(action_of.at[code_row["code"], "action_id"], []).append(code_row.to_dict())
    gaps = stage_gaps(stages, themes)
    if len(gaps) and STAGE_GAP_TRIGGER in action_of.index:
        members = {c for col in ("leaders", "laggards") for v in gaps[col] for c in v.split(";")}
        triggers.setdefault(action_of.at[STAGE_GAP_TRIGGER, "action_id"], []).append({
            "code": STAGE_GAP_TRIGGER,
            "gaps": gaps,
            "n_members": len(members),
        })
    rows = []
    for action_id, items in triggers.items():
        spec = mapping[mapping["action_id"] == action_id].iloc[0]
        lines, reasons, ids, descriptions = [], [], [], []
        for item in items:
            desc = action_of.at[item["code"], "description_ja"].replace("{region}", region)
            descriptions.append(desc)
            if item["code"] == STAGE_GAP_TRIGGER:
                for _, gap in item["gaps"].iterrows():
                    lines.append(
                        f"・{lb.theme_label(gap['theme'], themes)}：実施中（段階3）の"
                        f"{_names(gap['leaders'].split(';'), municipalities)}と、未着手・検討中（段階0–1）の"
                        f"{_names(gap['laggards'].split(';'), municipalities)}がある"
                    )
                    ids.extend(gap["statement_ids"].split(";"))
                reasons.append(
                    f"{len(item['gaps'])}テーマで段階3の市町と段階0–1の市町が併存している（推進状況の差）"
                )
            else:
                lines.append(
                    f"・課題「{item['code_label']}」：{item['n_members']}/{item['n_total']}市町（{item['members']}）"
                )
                reasons.append(
                    f"課題コード「{item['code_label']}」が{item['n_total']}市町中{item['n_members']}市町の課題の記述に"
                    f"現れる（基準：半数以上）"
                )
                ids.extend(item["statement_ids"].split(";"))
        weight = max(int(i["n_members"]) for i in items)
        statement_ids, evidence = _evidence(ids, statements)
        rows.append({
            "kind": "joint_action",
            "theme": "",
            "title_ja": spec["action_ja"].replace("{region}", region),
            "body_ja": "\n".join(["【共通する課題・推進状況の差】", *lines, "【取組みの内容】",
                                   *(f"・{d}" for d in dict.fromkeys(descriptions))]),
            "rationale_ja": "。".join(reasons) + "。対応の種類は rules/joint_actions.csv の対応表による。",
            "statement_ids": statement_ids,
            "evidence": evidence,
            "_weight": weight,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("_weight", ascending=False, kind="stable").drop(columns="_weight").reset_index(drop=True)


# --- national figures ---------------------------------------------------------------------------

BENCHMARK_COLUMNS = ["benchmark_id", "label_ja", "value", "unit", "numerator", "denominator", "population",
                     "as_of", "definition_ja", "source_ja", "source_url", "note_ja"]


def benchmarks_path(data_dir: str | Path | None = None) -> Path:
    """``<data_dir>/external/national_benchmarks.csv`` if it exists, else the project's copy."""
    return external_file("national_benchmarks.csv", data_dir)


def load_benchmarks(path: str | Path | None = None, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read the national benchmarks (data/external/national_benchmarks.csv); value as float.

    Raises ProposalDataError naming file and line for a missing column or a non-numeric value.
    """
    path = Path(path) if path is not None else benchmarks_path(data_dir)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in BENCHMARK_COLUMNS if c not in df.columns]
    if missing:
        raise ProposalDataError(f"{path}, line 1: expected columns {BENCHMARK_COLUMNS}, missing {missing}")
    for col in ("value", "numerator", "denominator"):
        for i, text in enumerate(df[col]):
            if col == "value" or text != "":
                try:
                    float(text)
                except ValueError:
                    raise ProposalDataError(
                        f"{path}, line {i + 2}: expected a number in column {col!r}, found {text!r}"
                    ) from None
    df["value"] = df["value"].astype(float)
    return df


@dataclass(frozen=True)
class RegionMeasure:
    """How the region's counterpart of a national figure is computed from the tables."""

    definition_ja: str
    members: Callable[[object], dict[str, list[str]]]  # tables -> {municipality_code: [statement_id, …]}


def _stage_members(tables, theme: str, minimum: int, exact: bool = False) -> dict[str, list[str]]:
    st = tables.stages
    st = st.assign(stage=pd.to_numeric(st["stage"], errors="coerce"))
    hit = st[(st["theme"] == theme) & ((st["stage"] == minimum) if exact else (st["stage"] >= minimum))]
    return {c: [i] for c, i in zip(hit["municipality_code"], hit["statement_id"])}


def _tech_members(tables, techs: set[str], statuses: set[str]) -> dict[str, list[str]]:
    tech = tables.technologies
    hit = tech[tech["technology"].isin(techs) & tech["status"].isin(statuses)]
    out: dict[str, list[str]] = {}
    for code, sid in zip(hit["municipality_code"], hit["statement_id"]):
        out.setdefault(code, []).append(sid)
    return out


def _merge(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for code, ids in part.items():
            out.setdefault(code, []).extend(ids)
    return out


REGION_MEASURES: dict[str, RegionMeasure] = {
    "telework_introduced": RegionMeasure(
        "テレワークの段階が2（試行・一部実施）以上、またはVPN・VDIを実施中・試行中の市町"
        "（実証実験への参加を含む。現在行っていない市町は含めない）",
        lambda t: _merge(_stage_members(t, "telework", 2), _tech_members(t, {"vpn", "vdi"}, {"in_use", "pilot"})),
    ),
    "dx_overall_policy": RegionMeasure(
        "計画の策定の段階が3（計画を策定済み）の市町（報告書の「計画」は市町村官民データ活用推進計画に"
        "位置付けられた計画などで、国の調査の「全体方針」とは異なる）",
        lambda t: _stage_members(t, "planning", 3),
    ),
    "rpa_introduced": RegionMeasure(
        "RPAを実施中（本格導入・運用中）の市町（実証実験のみは含めない）",
        lambda t: _tech_members(t, {"rpa"}, {"in_use"}),
    ),
}
"""Registry: benchmark_id -> how the region's share is computed. A benchmark without an entry is
shown with the national figure only."""


def _document_as_of(tables) -> str:
    doc = getattr(tables, "document", None)
    if isinstance(doc, pd.DataFrame) and len(doc):
        for col in ("as_of", "as_of_date"):
            if col in doc.columns and str(doc[col].iloc[0]):
                return str(doc[col].iloc[0])
    return ""


def national_comparison(tables, benchmarks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The region's share next to each national figure.

    ``tables`` needs statements, stages, technologies, municipalities (document optional).
    Columns: benchmark_id, label_ja, national_pct, national_population, national_as_of,
    national_definition_ja, source_ja, source_url, region_numerator, region_denominator,
    region_pct, region_members (names), region_as_of, region_definition_ja, note_ja (always says
    that definitions differ), statement_ids, evidence.
    """
    benchmarks = load_benchmarks() if benchmarks is None else benchmarks
    municipalities = tables.municipalities
    codes = lb.municipalities_table(municipalities)["code"].tolist()
    region = lb.region_label(municipalities)
    as_of = _document_as_of(tables)
    rows = []
    for _, bm in benchmarks.iterrows():
        measure = REGION_MEASURES.get(bm["benchmark_id"])
        national_pct = float(bm["value"])
        if bm["numerator"] and bm["denominator"]:
            national_pct = 100 * float(bm["numerator"]) / float(bm["denominator"])
        hits = measure.members(tables) if measure else {}
        members = [c for c in codes if c in hits]
        ids = [i for c in members for i in hits[c]]
        statement_ids, evidence = _evidence(ids, tables.statements)
        note = DEFINITIONS_DIFFER.format(region=region, as_of=as_of or "報告書の記述")
        note += f"（全国の数値について：{bm['note_ja']}）" if bm["note_ja"] else ""
        rows.append({
            "benchmark_id": bm["benchmark_id"],
            "label_ja": bm["label_ja"],
            "national_pct": round(national_pct, 1),
            "national_population": bm["population"],
            "national_as_of": bm["as_of"],
            "national_definition_ja": bm["definition_ja"],
            "source_ja": bm["source_ja"],
            "source_url": bm["source_url"],
            "region_numerator": len(members) if measure else pd.NA,
            "region_denominator": len(codes) if measure else pd.NA,
            "region_pct": round(100 * len(members) / len(codes), 1) if measure and codes else float("nan"),
            "region_members": _names(members, municipalities),
            "region_as_of": as_of,
            "region_definition_ja": measure.definition_ja if measure else "（地域側の算出方法が未定義）",
            "note_ja": note,
            "statement_ids": statement_ids,
            "evidence": evidence,
        })
    return pd.DataFrame(rows)


def national_points(tables, benchmarks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One proposal row per national figure: where the region stands, with definitions stated."""
    comparison = national_comparison(tables, benchmarks)
    region = lb.region_label(tables.municipalities)
    rows = []
    for _, c in comparison.iterrows():
        if pd.isna(c["region_numerator"]):
            continue
        diff = c["region_pct"] - c["national_pct"]
        stance = "上回る" if diff > 0 else ("下回る" if diff < 0 else "同じ")
        rows.append({
            "kind": "national",
            "theme": "",
            "title_ja": f"{c['label_ja']}：{region} {c['region_pct']:.1f}%（{int(c['region_numerator'])}/"
            f"{int(c['region_denominator'])}）、全国 {c['national_pct']:.1f}%",
            "body_ja": f"{region}の割合は全国の値を{stance}（差 {diff:+.1f}ポイント）。該当する市町："
            f"{c['region_members'] or 'なし'}。",
            "rationale_ja": f"全国：{c['national_definition_ja']}（{c['national_population']}、{c['national_as_of']}時点、"
            f"{c['source_ja']}）。{region}：{c['region_definition_ja']}。{c['note_ja']}",
            "statement_ids": c["statement_ids"],
            "evidence": c["evidence"],
        })
    return pd.DataFrame(rows)


# --- trends: what the previous year adds (dxstudy.analysis.yoy) ------------------------------------------

AUTO = "auto"
"""``previous=AUTO``: the previous year's processed tables beside ``tables`` (a Report from
``load_tables``), when they exist; nothing for hand-built tables or a first year."""

TREND_MARK = "【前年度から継続】"
"""Prefix of a joint action emphasised because its challenge persisted for half or more of the members."""
PERSISTENT_HEADING = "【前年度から継続している共通の課題】"


def _frame(tables, name: str) -> pd.DataFrame:
    from dxstudy.analysis.yoy import _table

    return _table(tables, name)


def _resolve_previous(tables, previous):
    if isinstance(previous, str) and previous == AUTO:
        from dxstudy.analysis.yoy import previous_tables

        return previous_tables(tables)
    return previous


def _year_of(tables, fallback: int | None = None) -> int | None:
    year = getattr(tables, "fiscal_year", None)
    if year is None:
        ids = _frame(tables, "statements").get("statement_id", pd.Series(dtype=str))
        years = ids.str.extract(r"^FY(\d{4})-")[0].dropna()
        year = int(years.iloc[0]) if len(years) else fallback
    return int(year) if year is not None else None


def _stage_practice_ids(row: dict, statements: pd.DataFrame) -> list[str]:
    """The statement that decided a stage and, when that is a survey answer (the stage cell) rather
    than prose, the member's first 現状 sentence of the theme: what it does."""
    from dxstudy.analysis.yoy import first_status_sentences

    ids = [row["statement_id"]]
    year = statements[statements["statement_id"].str.startswith(row["statement_id"][:7])]
    first = first_status_sentences(year).get((row["municipality_code"], row["theme"]), "")
    if first and first != row["statement_id"]:
        ids.append(first)
    return ids


def stalled_points(before, after, themes: pd.DataFrame | None = None,
                   municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """横展開 points for members that stayed at 1 (検討中) in both years, one per theme: paired with
    this year's members at stage 3 of the theme (else the furthest ones), with the stage evidence of
    both years and what the leaders do. ``before`` / ``after`` are the two years' tables."""
    from dxstudy.analysis.yoy import rules_verdicts, stage_transitions, stalled

    stages_after = _frame(after, "stages")
    verdicts = rules_verdicts(stages_after)
    transitions = stage_transitions(_frame(before, "stages"), stages_after)
    stuck = stalled(transitions)
    if stuck.empty:
        return pd.DataFrame(columns=PROPOSAL_COLUMNS[1:])
    statements = pd.concat([f for f in (_frame(before, "statements"), _frame(after, "statements")) if len(f)],
                           ignore_index=True)
    year_before, year_after = _year_of(before), _year_of(after)
    region = lb.region_label(municipalities)
    now = _sorted_stages(stages_after, municipalities)
    rows = []
    for theme in lb.staged_themes(themes):
        members = stuck[stuck["theme"] == theme]
        if members.empty:
            continue
        label = lb.theme_label(theme, themes)
        sub = now[(now["theme"] == theme) & ~now["municipality_code"].isin(members["municipality_code"])]
        top = int(sub["stage"].max()) if len(sub) else -1
        leads = sub[sub["stage"] >= STAGE_LEAD] if top >= STAGE_LEAD else sub[(sub["stage"] == top) & (sub["stage"] > 1)]
        names = _names(members["municipality_code"], municipalities)
        ids: list[str] = []
        for r in members.to_dict("records"):
            ids.append(r["statement_id_before"])
            ids.extend(_stage_practice_ids({**r, "statement_id": r["statement_id_after"]}, statements))
        lines = [f"{names}は、{year_before}年度・{year_after}年度とも検討中（段階1）であり、検討が試行・実施に進んでいない。"]
        if len(leads):
            lead_names = _names(leads["municipality_code"], municipalities)
            level = f"段階{int(leads['stage'].iloc[0])}・{lb.STAGE_LABELS[int(leads['stage'].iloc[0])]}"
            lines.append(f"{year_after}年度に{level}の{lead_names}の取組み：")
            for r in leads.to_dict("records"):
                practice = _stage_practice_ids(r, statements)
                ids.extend(practice)
                text = statements.loc[statements["statement_id"] == practice[-1], "text"]
                lines.append(f"・{r['municipality']}：「{text.iloc[0] if len(text) else r['evidence']}」")
                verdict = verdicts.get((r["municipality_code"], theme))
                if r.get("source") == "respondent" and verdict is not None and verdict != int(r["stage"]):
                    lines.append(f"　※{r['municipality']}の現状の記述からの自動判定は段階{verdict}"
                                 f"（{lb.STAGE_LABELS[verdict]}）で、回答の段階と異なる。事前に確認が必要。")
            lines.append(f"{lead_names}に、検討から試行・実施に移った経緯（体制・予算・手順）の説明を依頼し、{names}の"
                         "次の一歩（試行の範囲・時期）を一緒に具体化する支援を提案する（先行市町の担当者との意見交換、"
                         "資料の共有など）。")
            title = f"{label}：{_names_short(members['municipality_code'], municipalities)}は2年続けて検討中 — " \
                    f"{_names_short(leads['municipality_code'], municipalities)}の支援による横展開を"
        else:
            lines.append(f"このテーマで検討中より進んだ市町はないため、{region}が共同で先行事例の調査と試行の"
                         "計画づくりを進めることを提案する。")
            title = f"{label}：{_names_short(members['municipality_code'], municipalities)}は2年続けて検討中 — " \
                    f"{region}での共同検討を"
        rows.append({
            "kind": "horizontal",
            "theme": theme,
            "title_ja": title,
            "body_ja": "\n".join(lines),
            "rationale_ja": f"前年度比較（{year_before}年度→{year_after}年度）で、{names}の{label}の段階が両年度とも"
            "1（検討中）と判定された（2年続けて検討中）。"
            + (f"{year_after}年度に{_names(leads['municipality_code'], municipalities)}は段階{int(leads['stage'].iloc[0])}。"
               if len(leads) else ""),
            **dict(zip(("statement_ids", "evidence"), _evidence(ids, statements))),
        })
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS[1:])


def emphasise_persistent(joint: pd.DataFrame, before, after, municipalities: pd.DataFrame | None = None,
                         mapping: pd.DataFrame | None = None, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """Joint actions whose challenge code was raised in both years by at least ``min_share`` of the
    members: the point is marked 【前年度から継続】, says so in its body and rationale, quotes the
    previous year too, and moves to the top. A persistent code without a joint action in this
    year's draft gets a point of its own."""
    from dxstudy.analysis.yoy import persistent_challenges

    persistent = persistent_challenges(_frame(before, "challenges"), _frame(after, "challenges"), municipalities,
                                       min_share)
    persistent = persistent[persistent["shared"]]
    if persistent.empty:
        return joint
    mapping = load_joint_actions() if mapping is None else mapping
    action_of = mapping.set_index("code")
    region = lb.region_label(municipalities)
    statements = pd.concat([f for f in (_frame(before, "statements"), _frame(after, "statements")) if len(f)],
                           ignore_index=True)
    year_before, year_after = _year_of(before), _year_of(after)
    out = joint.copy() if len(joint) else pd.DataFrame(columns=PROPOSAL_COLUMNS[1:])
    out["_weight"] = 0
    added: dict[int, dict[str, list]] = {}  # row of an existing joint action -> what the trend adds
    new_rows = []
    for r in persistent.itertuples():
        line = (f"・課題「{r.code_label}」：{year_before}年度・{year_after}年度とも{r.n_members}/{r.n_total}市町"
                f"（{r.members}）")
        reason = (f"課題コード「{r.code_label}」が{year_before}年度と{year_after}年度の両方で{r.n_total}市町中"
                  f"{r.n_members}市町の課題の記述に現れる（2年続けて半数以上）")
        before_ids, after_ids = r.statement_ids_before.split(";"), r.statement_ids_after.split(";")
        title = (mapping.loc[mapping["code"] == r.code, "action_ja"].iloc[0].replace("{region}", region)
                 if r.code in action_of.index else "")
        hit = out.index[out["title_ja"] == title] if title else []
        if len(hit):
            item = added.setdefault(hit[0], {"lines": [], "reasons": [], "before": [], "after": [], "n": []})
            item["lines"].append(line)
            item["reasons"].append(reason)
            item["before"].extend(before_ids)
            item["after"].extend(after_ids)
            item["n"].append(int(r.n_members))
            continue
        sids, evidence = _evidence([*before_ids, *after_ids], statements)
        new_rows.append({
            "kind": "joint_action", "theme": "",
            "title_ja": f"{TREND_MARK}課題「{r.code_label}」への{region}共同の対応",
            "body_ja": "\n".join([PERSISTENT_HEADING, line, "【取組みの内容】",
                                   f"・2年続けて多くの市町が挙げている課題であり、{region}で対応策を共同で検討する"
                                   "（対応表 rules/joint_actions.csv に対応の種類がないため、専門部会で具体化する）。"]),
            "rationale_ja": f"{reason}。",
            "statement_ids": sids, "evidence": evidence, "_weight": int(r.n_members)})
    for i, item in added.items():
        out.at[i, "title_ja"] = TREND_MARK + out.at[i, "title_ja"]
        out.at[i, "body_ja"] = "\n".join([PERSISTENT_HEADING, *item["lines"], out.at[i, "body_ja"]])
        out.at[i, "rationale_ja"] = "。".join(item["reasons"]) + "。" + out.at[i, "rationale_ja"]
        ids = [*item["before"], *out.at[i, "statement_ids"].split(";"), *item["after"]]
        out.at[i, "statement_ids"], out.at[i, "evidence"] = _evidence(ids, statements)
        out.at[i, "_weight"] = max(item["n"])
    if new_rows:
        out = pd.concat([out, pd.DataFrame(new_rows)], ignore_index=True)
    out = out.sort_values("_weight", ascending=False, kind="stable")
    return out.drop(columns="_weight").reset_index(drop=True)


def trend_points(before, after, themes: pd.DataFrame | None = None, municipalities: pd.DataFrame | None = None,
                 mapping: pd.DataFrame | None = None, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """The points the previous year adds, on their own (the 前年度比較 notebook shows them):
    members at 検討中 two years running (stalled_points) and the joint actions of challenges that
    persisted for half or more of the members (emphasise_persistent, marked 【前年度から継続】)."""
    stalled = stalled_points(before, after, themes, municipalities)
    joint = joint_action_points(_frame(after, "challenges"), _frame(after, "stages"), _frame(after, "statements"),
                                municipalities, themes, mapping, min_share)
    joint = emphasise_persistent(joint, before, after, municipalities, mapping, min_share)
    joint = joint[joint["title_ja"].str.startswith(TREND_MARK)] if len(joint) else joint
    parts = [p for p in (stalled, joint) if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PROPOSAL_COLUMNS[1:])
    out.insert(0, "proposal_id", [f"T{i:02d}" for i in range(1, len(out) + 1)])
    return out[PROPOSAL_COLUMNS].reset_index(drop=True)


# --- the whole draft ----------------------------------------------------------------------------


def build_proposals(
    tables,
    benchmarks: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
    previous=AUTO,
) -> pd.DataFrame:
    """The conclusions/proposals draft as one table (PROPOSAL_COLUMNS), in display order (so the
    ids run on within each section): leaders per theme, 横展開 per theme, joint actions, national
    figures.

    ``tables`` needs statements, stages, challenges, technologies, municipalities, themes.
    ``previous``: the previous year's tables, None, or AUTO (the processed year before ``tables``
    when it exists). With a previous year, members at 検討中 in both years get a 横展開 point right
    after their theme's (stalled_points), and joint actions for challenges that half or more of
    the members raised in both years are marked 【前年度から継続】 and come first
    (emphasise_persistent). Without one, the draft is the single-year draft.
    """
    themes = getattr(tables, "themes", None)
    municipalities = tables.municipalities
    previous = _resolve_previous(tables, previous)
    lead = leader_points(tables.stages, tables.statements, themes, municipalities)
    horiz = horizontal_points(tables.stages, tables.statements, themes, municipalities)
    if previous is not None:
        stalled = stalled_points(previous, tables, themes, municipalities)
        if len(stalled):
            order = {t: i for i, t in enumerate(lb.staged_themes(themes))}
            horiz = pd.concat([horiz, stalled], ignore_index=True)
            horiz = horiz.assign(_t=horiz["theme"].map(order)).sort_values("_t", kind="stable").drop(columns="_t")
    per_theme = pd.concat([lead, horiz], ignore_index=True)  # each already in theme order
    joint = joint_action_points(tables.challenges, tables.stages, tables.statements, municipalities, themes,
                                mapping, min_share)
    if previous is not None:
        joint = emphasise_persistent(joint, previous, tables, municipalities, mapping, min_share)
    national = national_points(tables, benchmarks)
    parts = [p for p in (per_theme, joint, national) if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PROPOSAL_COLUMNS[1:])
    out.insert(0, "proposal_id", [f"P{i:02d}" for i in range(1, len(out) + 1)])
    return out[PROPOSAL_COLUMNS].reset_index(drop=True)


def conclusion_points(tables, previous=AUTO) -> list[str]:
    """A few plain Japanese sentences summarising the draft (for the top of the conclusions); with a
    previous year (``previous`` as in build_proposals) also how the stages moved since then, who
    stayed at 検討中 and which shared challenges persisted."""
    themes = getattr(tables, "themes", None)
    municipalities = tables.municipalities
    region = lb.region_label(municipalities)
    staged = lb.staged_themes(themes)
    gaps = stage_gaps(tables.stages, themes)
    out = []
    if len(staged):
        out.append(
            f"{len(staged)}テーマのうち{len(gaps)}テーマで、実施中（段階3）の市町と未着手・検討中（段階0–1）の市町が"
            f"併存しており、{region}の推進状況には差がある。"
        )
    shared = shared_challenges(tables.challenges, municipalities, themes=themes)
    top = shared[shared["shared"]]
    if len(top):
        listing = "、".join(f"「{r.code_label}」（{r.n_members}市町）" for r in top.itertuples())
        out.append(f"半数以上の市町に共通する課題は{listing}である。")
    previous = _resolve_previous(tables, previous)
    if previous is not None:
        out.extend(trend_sentences(previous, tables, municipalities, themes))
    return out


def trend_sentences(before, after, municipalities: pd.DataFrame | None = None,
                    themes: pd.DataFrame | None = None) -> list[str]:
    """Sentences on the trend since the previous year: stage moves, 2年続けて検討中, persistent
    shared challenges (counts and names computed from the two years' tables)."""
    from dxstudy.analysis.yoy import persistent_challenges, stage_transitions, stalled

    year_before, year_after = _year_of(before), _year_of(after)
    transitions = stage_transitions(_frame(before, "stages"), _frame(after, "stages"))
    counts = transitions["change"].value_counts()
    out = [f"前年度（{year_before}年度）と比べ、取組み段階が上がったのは{counts.get('up', 0)}件、下がったのは"
           f"{counts.get('down', 0)}件、変わらなかったのは{counts.get('same', 0)}件（市町×テーマ）である。"]
    stuck = stalled(transitions)
    if len(stuck):
        items = "、".join(f"{r.municipality}（{lb.theme_label(r.theme, themes)}）" for r in stuck.itertuples())
        out.append(f"2年続けて検討中（段階1）なのは{items}であり、横展開による支援を提案する。")
    persistent = persistent_challenges(_frame(before, "challenges"), _frame(after, "challenges"), municipalities)
    top = persistent[persistent["shared"]]
    if len(top):
        listing = "、".join(f"「{r.code_label}」（{r.n_members}市町）" for r in top.itertuples())
        out.append(f"2年続けて半数以上の市町が挙げた課題は{listing}であり、共同の取組みを優先して検討する。")
    return out


# --- rendering ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~])")


def escape_markdown(text: str) -> str:
    """Make text literal in Markdown (CommonMark + Jupyter's $-math): backslash-escape the special
    characters and turn & < > into entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_html(text: str) -> str:
    """HTML-escape text (& < > " ')."""
    return html.escape(str(text), quote=True)


def _html_lines(text: str) -> str:
    return "<br>".join(escape_html(line) for line in str(text).split("\n"))


def render_html(proposals: pd.DataFrame, kind: str | None = None) -> str:
    """The proposals as HTML: title, body, rationale and the evidence quotes with their citations.

    All text is escaped, and the block carries the ``tex2jax_ignore mathjax_ignore`` classes so a
    ``$`` in a sentence is never typeset as math. No <h*> tags (the report's headings stay in the
    notebook's Markdown).
    """
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    parts = ['<div class="dx-proposals tex2jax_ignore mathjax_ignore">']
    if df.empty:
        parts.append('<p class="dx-empty">該当する項目はありません。</p>')
    for _, p in df.iterrows():
        parts.append(f'<section class="dx-proposal" id="{escape_html(p["proposal_id"])}">')
        parts.append(f'<p class="dx-title"><strong>{escape_html(p["proposal_id"])}　{escape_html(p["title_ja"])}</strong></p>')
        parts.append(f'<p class="dx-body">{_html_lines(p["body_ja"])}</p>')
        parts.append(f'<p class="dx-rationale"><strong>根拠：</strong>{_html_lines(p["rationale_ja"])}</p>')
        quotes = split_evidence(p["evidence"])
        if quotes:
            parts.append('<blockquote class="dx-evidence"><ul>')
            for sentence, cite in quotes:
                body = f"「{escape_html(sentence)}」" if sentence else ""
                parts.append(f'<li>{body}<span class="dx-cite">（{escape_html(cite)}）</span></li>')
            parts.append("</ul></blockquote>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)


def render_markdown(proposals: pd.DataFrame, kind: str | None = None) -> str:
    """The proposals as Markdown, every piece of text escaped (see escape_markdown)."""
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    out = []
    for _, p in df.iterrows():
        out.append(f"**{escape_markdown(p['proposal_id'])}　{escape_markdown(p['title_ja'])}**\n")
        out.extend(f"{escape_markdown(line)}  " for line in p["body_ja"].split("\n"))
        out.append(f"\n根拠：{escape_markdown(p['rationale_ja'])}\n")
        for sentence, cite in split_evidence(p["evidence"]):
            out.append(f"> 「{escape_markdown(sentence)}」（{escape_markdown(cite)}）  ")
        out.append("")
    return "\n".join(out)
