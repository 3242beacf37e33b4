# 前年度比較 end to end: FY2021 from the real report, FY2022 from synthetic workbooks (テスト用データ) filled
# through openpyxl, then year_over_year.ipynb and conclusions.ipynb executed for 2022 with papermill.
from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from dxstudy.survey import layout as lo
from dxstudy.survey.intake import ingest
from dxstudy.tables.store import read_tables
from survey_fixtures import CODES, data_copy, edit, sheet_name, template_path
from test_notebooks import _execute

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
pytestmark = pytest.mark.notebooks

KOSHIGAYA, MISATO, SOKA, YASHIO = "112224", "112372", "112216", "112348"
#: What the synthetic respondents change against their FY2021 stages (all others answer last year's stage).
STAGE_CHANGES = {KOSHIGAYA: {"talent": 2}, MISATO: {"planning": 3}}
UTILIZATION_2021 = "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"
UTILIZATION_2022 = "現在のテレワーク用パソコンの稼働率は12.5%であるが、令和5年度までに30%以上を目指している。"
#: 越谷市's new テレワーク 課題: the uneven use stays (adoption), security appears; cost and devices are no
#: longer mentioned (budget, equipment resolved).
TELEWORK_CHALLENGE_2022 = ("テレワークの利用頻度に偏りがあり、利用率の向上が必要である。\n"
                           "自宅の通信環境を含めた情報セキュリティ対策が課題である。")
#: 三郷市 answers 3 実施中 for planning and says why in its 現状 answer.
MISATO_PLANNING_2022 = "令和4年10月に「三郷市DX推進計画」を策定した。"
SECURITY_SENTENCE = "自宅の通信環境を含めた情報セキュリティ対策が課題である。"
BUDGET_SENTENCE_2021 = ("また、端末に対し、テレワーク利用設定を行うにあたっては、回線事業者等による設定作業が必要となり、"
                        "定期的な費用負担が発生するため、財源確保が課題である。")


def _respond(code: str, stages_2021: pd.DataFrame):
    """A respondent who confirms last year's stages, except the changes of STAGE_CHANGES (三郷市 also
    rewrites its planning 現状; 越谷市 lowers talent without touching the text); 越谷市 also updates its
    telework utilization, rewrites its telework 課題, and updates its technologies."""
    mine = stages_2021[stages_2021["municipality_code"] == code].set_index("theme")["stage"]
    choices = lo.stage_choices()

    def change(wb) -> None:
        for sheet in lo.answer_sheets():
            if sheet.theme in lo.STAGE_THEMES:
                stage = STAGE_CHANGES.get(code, {}).get(sheet.theme, int(mine[sheet.theme]))
                wb[sheet.name][sheet.field("stage").cell] = choices[stage]
        if code == MISATO:
            wb[sheet_name("planning")]["B6"] = MISATO_PLANNING_2022
        if code != KOSHIGAYA:
            return
        tw = wb[sheet_name("telework")]
        tw["B6"] = tw["B6"].value.replace(UTILIZATION_2021, UTILIZATION_2022)
        tw["B7"] = TELEWORK_CHALLENGE_2022
        for row in lo.sheet_for("telework").table("metrics").rows():
            if tw[f"A{row}"].value == "テレワーク用端末の稼働率":
                tw[f"B{row}"], tw[f"D{row}"] = 12.5, "2022-11-30"
        own = wb[sheet_name("own_initiatives")]
        rows = list(lo.sheet_for("own_initiatives").table("technologies").rows())
        for row in rows:
            if own[f"A{row}"].value == "会議録・議事録作成（音声テキスト化）":
                own[f"B{row}"] = "利用中"
        free = next(r for r in rows if own[f"A{r}"].value is None)
        own[f"A{free}"], own[f"B{free}"], own[f"C{free}"] = "ドローン", "試行中", "災害時の状況確認にドローンを試行した。"
    return change


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    """FY2021 (real report) and FY2022 (six synthetic workbooks) in one data dir; both notebooks run."""
    project = tmp_path_factory.mktemp("yoy_project")
    data = data_copy(tmp_path_factory, project)
    stages_2021 = read_tables(data / "processed" / "FY2021")["stages"]
    returned = project / "returned"
    returned.mkdir()
    for code in CODES:
        target = returned / template_path(tmp_path_factory, code).name
        shutil.copyfile(template_path(tmp_path_factory, code), target)
        edit(target, _respond(code, stages_2021))
    ingest(returned, 2022, data)
    (project / "notebooks").mkdir()
    (project / "executed").mkdir()
    # year_over_year with its defaults (2022, "../data" from <project>/notebooks); conclusions for 2022
    jobs = [("year_over_year", str(NOTEBOOKS / "year_over_year.ipynb"), str(project), {}),
            ("conclusions", str(NOTEBOOKS / "conclusions.ipynb"), str(project), {"fiscal_year": 2022})]
    with ProcessPoolExecutor(max_workers=2) as pool:
        errors = dict(pool.map(_execute, jobs))
    return {"project": project, "data": data, "errors": errors}


def _outputs(run: dict, name: str) -> list[dict]:
    nb = nbformat.read(run["project"] / "executed" / f"{name}.ipynb", as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _html(run: dict, name: str) -> str:
    return "\n".join(o["data"]["text/html"] for o in _outputs(run, name) if "text/html" in o.get("data", {}))


class _Tables(HTMLParser):
    """Every <table> of a page as a list of rows of cell texts (tags dropped, whitespace kept)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables_with(run: dict, name: str, header: str) -> list[list[dict[str, str]]]:
    """The tables whose header row has a column starting with ``header``, each as dicts per row."""
    parser = _Tables()
    parser.feed(_html(run, name))
    return [[dict(zip(t[0], row)) for row in t[1:]] for t in parser.tables
            if t and any(h.startswith(header) for h in t[0])]


def _table_with(run: dict, name: str, header: str) -> list[dict[str, str]]:
    """The first table whose header row has a column starting with ``header``."""
    found = _tables_with(run, name, header)
    assert found, f"no table with a column {header!r}"
    return found[0]


def _row(rows: list[dict], **where) -> dict:
    hits = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    assert len(hits) == 1, (where, hits)
    return hits[0]


# --- the committed notebook ---------------------------------------------------------------------


def test_committed_notebook_has_no_outputs_and_one_parameters_cell():
    nb = nbformat.read(NOTEBOOKS / "year_over_year.ipynb", as_version=4)
    assert all(not c.outputs and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source == 'fiscal_year = 2022\ndata_dir = "../data"'
    assert nb.cells[0].source.startswith("# 前年度比較")


def test_notebook_cells_are_thin():
    nb = nbformat.read(NOTEBOOKS / "year_over_year.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 3, cell.source
            assert "for " not in cell.source and "if " not in cell.source and "def " not in cell.source


# --- executed -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["year_over_year", "conclusions"])
def test_notebook_runs_for_2022_without_error_stderr_or_missing_glyph(run, name):
    assert run["errors"][name] is None, run["errors"][name]
    for output in _outputs(run, name):
        assert "missing from font" not in json.dumps(output, ensure_ascii=False)
        assert output.get("name") != "stderr" and output.get("output_type") != "error"
    assert 'class="dataframe"' not in _html(run, name)


def test_comparison_shows_its_sources_and_labels_the_test_workbooks(run):
    rows = _table_with(run, "year_over_year", "資料")
    assert rows[0]["年度"] == "2021年度（前年度）" and rows[0]["資料"] == "報告書：report.md"
    assert rows[1]["資料"] == "調査票：Excelの調査票 6件" and rows[1]["取組み段階の決め方"] == "回答者の選択 24件"
    assert "「テスト用データ」の印があります" in _html(run, "year_over_year")


def test_transition_chart_and_metric_chart_are_drawn(run):
    pngs = [o for o in _outputs(run, "year_over_year") if "image/png" in o.get("data", {})]
    assert len(pngs) == 2


def test_stage_transitions_shown_are_the_respondents_changes(run):
    rows = _table_with(run, "year_over_year", "段階（2021→2022年度）")
    column = "段階（2021→2022年度）"
    assert _row(rows, 市町="越谷市", テーマ="デジタル人材の確保・育成")[column] == "3 実施中→ 2 試行・一部実施▼ 低下"
    assert _row(rows, 市町="三郷市", テーマ="計画の策定")[column] == "1 検討中→ 3 実施中▲ 上昇"
    assert _row(rows, 市町="越谷市", テーマ="テレワークの推進")[column] == "3 実施中→ 3 実施中＝ 変化なし"
    changed = [r for r in rows if "＝" not in r[column]]
    assert len(changed) == 2 and len(rows) == 24


def test_stage_transition_quotes_both_years(run):
    rows = _table_with(run, "year_over_year", "段階（2021→2022年度）")
    row = _row(rows, 市町="三郷市", テーマ="計画の策定")
    assert "「現在のところ、計画の策定については検討中である。」" in row["2021年度の根拠"]
    assert "FY2021-4.1.4-001" in row["2021年度の根拠"] and "段階：記述から自動判定" in row["2021年度の根拠"]
    assert "「取組みの段階: 3 実施中」" in row["2022年度の根拠"] and "段階：回答者の選択" in row["2022年度の根拠"]
    assert f"「{MISATO_PLANNING_2022}」（4.1.4・FY2022-4.1.4-" in row["2022年度の根拠"]  # what lies behind the answer
    assert "自動判定" not in row["2022年度の根拠"].replace("段階：記述から自動判定", "")


def test_a_stage_answer_that_its_own_text_contradicts_is_flagged(run):
    rows = _table_with(run, "year_over_year", "段階（2021→2022年度）")
    row = _row(rows, 市町="越谷市", テーマ="デジタル人材の確保・育成")
    assert "※ 現状の記述からの自動判定は 3 実施中（回答と異なるため確認が必要）" in row["2022年度の根拠"]
    assert "異なるものが1件ある：越谷市（デジタル人材の確保・育成：回答2・記述3）" in _html(run, "year_over_year")


def test_members_at_kentouchuu_two_years_running_are_listed(run):
    every, stalled = _tables_with(run, "year_over_year", "段階（2021→2022年度）")
    assert {(r["市町"], r["テーマ"]) for r in stalled} == {
        ("草加市", "計画の策定"), ("八潮市", "計画の策定"), ("三郷市", "意識の醸成"), ("松伏町", "デジタル人材の確保・育成")}
    assert all(r["段階（2021→2022年度）"] == "1 検討中→ 1 検討中＝ 変化なし" for r in stalled)
    assert len(every) == 24


def test_metric_change_shows_utilization_against_the_fy2023_target(run):
    rows = _table_with(run, "year_over_year", "値（2021→2022年度）")
    row = _row(rows, 市町="越谷市", 指標="テレワーク用端末の稼働率")
    assert row["値（2021→2022年度）"] == "5.0% → 12.5%（+7.5%）"
    assert row["目標"] == "30%（2023年度まで・あと17.5%）"
    assert UTILIZATION_2021 in row["2021年度の根拠"] and "FY2021-3.1.2-003" in row["2021年度の根拠"]
    assert "テレワーク用端末の稼働率: 12.5%" in row["2022年度の根拠"]


def test_summary_is_derived_from_the_tables(run):
    html = _html(run, "year_over_year")
    assert "越谷市のテレワーク用端末の稼働率は5.0%から12.5%になった（2023年度までの目標30%まであと17.5%）。" in html
    assert "段階が上がったのは1件、下がったのは1件、変わらなかったのは22件である。" in html


def test_challenges_appeared_and_resolved_are_koshigayas_rewrite(run):
    labels = read_tables(run["data"] / "processed" / "FY2021")["challenges"].drop_duplicates("code")
    label = dict(zip(labels["code"], labels["code_label"]))
    appeared = _table_with(run, "year_over_year", "2022年度の記述")
    assert [(r["市町"], r["テーマ"], r["課題"]) for r in appeared] == [("越谷市", "テレワークの推進", label["security"])]
    assert SECURITY_SENTENCE in appeared[0]["2022年度の記述"]
    resolved = _table_with(run, "year_over_year", "2021年度の記述")
    assert {(r["市町"], r["テーマ"], r["課題"]) for r in resolved} == {
        ("越谷市", "テレワークの推進", label["budget"]), ("越谷市", "テレワークの推進", label["equipment"])}
    assert "2022年度の記述" not in resolved[0]
    assert any(BUDGET_SENTENCE_2021 in r["2021年度の記述"] for r in resolved)
    counts = _row(_table_with(run, "year_over_year", "新たに挙がった"), 市町="越谷市")
    assert counts["新たに挙がった"].startswith("1：") and counts["挙がらなくなった"].startswith("2：")
    assert _row(_table_with(run, "year_over_year", "新たに挙がった"), 市町="草加市")["新たに挙がった"] == "0"


def test_technologies_new_and_advanced(run):
    rows = _table_with(run, "year_over_year", "技術")
    assert {(r["市町"], r["技術"], r["2021年度"], r["2022年度"], r["変化"]) for r in rows} == {
        ("越谷市", "ドローン", "—", "試行・実証実験", "今年度のみ"),
        ("越谷市", "会議録・議事録作成（音声テキスト化）", "試行・実証実験", "利用中", "前進"),
    }
    advanced = _row(rows, 技術="会議録・議事録作成（音声テキスト化）")
    assert "FY2021-5.2-" in advanced["2021年度の根拠"] and "FY2022-5.2-" in advanced["2022年度の根拠"]


def test_conclusions_2022_propose_support_for_members_at_kentouchuu_two_years(run):
    html = _html(run, "conclusions")
    assert "計画の策定：草加市・八潮市は2年続けて検討中 — 越谷市・三郷市の支援による横展開を" in html
    assert "FY2021-4.1.1-001" in html and "FY2022-4.1.1-001" in html  # 草加市's stage, both years
    assert f"・三郷市：「{MISATO_PLANNING_2022}」" in html  # the practice of a member that moved to 3


def test_conclusions_2022_put_persistent_shared_challenges_first(run):
    html = _html(run, "conclusions")
    joint = html[html.index("【前年度から継続】"):]
    assert "2021年度・2022年度とも" in joint and "（2年続けて半数以上）" in joint


def test_year_over_year_notebook_shows_the_trend_points(run):
    html = _html(run, "year_over_year")
    assert "T01" in html and "2年続けて検討中" in html and "【前年度から継続】" in html
