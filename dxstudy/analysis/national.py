# The region next to national figures (the benchmarks of dxstudy.external): how each region share is
# computed from the tables (a registry), the comparison table, and its proposal points.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dxstudy import external
from dxstudy.analysis.evidence import cited
from dxstudy.analysis.members import member_names
from dxstudy.reference import labels as lb

DEFINITIONS_DIFFER = (
    "定義が異なる点に注意：全国の数値は国の調査の定義・時点・母数によるもので、{region}の値は報告書の記述"
    "（{as_of}時点）から本ツールが判定したものである。厳密な比較ではなく、参考として並べている。"
)


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

    ``tables`` needs statements, stages, technologies, municipalities (document optional);
    ``benchmarks`` as read by dxstudy.external.load_benchmarks (None: the project's copy).
    Columns: benchmark_id, label_ja, national_pct, national_population, national_as_of,
    national_definition_ja, source_ja, source_url, region_numerator, region_denominator,
    region_pct, region_members (names), region_as_of, region_definition_ja, note_ja (always says
    that definitions differ), statement_ids, evidence.
    """
    benchmarks = external.load_benchmarks() if benchmarks is None else benchmarks
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
            "region_members": member_names(members, municipalities),
            "region_as_of": as_of,
            "region_definition_ja": measure.definition_ja if measure else "（地域側の算出方法が未定義）",
            "note_ja": note,
            **cited([i for c in members for i in hits[c]], tables.statements),
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
