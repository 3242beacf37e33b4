# End to end: FY2021 tables → FY2022 templates → answers filled in through openpyxl → ingest →
# data/raw/FY2022 and data/processed/FY2022 → build_processed(2022) from the raw workbooks.
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from dxstudy.cli import main
from dxstudy.survey import layout as lo
from dxstudy.survey.assemble import prose_items
from dxstudy.survey.intake import ingest
from dxstudy.tables.build import build_processed
from dxstudy.tables.store import read_tables
from survey_fixtures import CODES, TEST_LABEL, answer_stages, data_copy, edit, sheet_name, template_path

NEW_STATUS = ("令和4年4月から、全職員を対象にDX研修を実施している。\n"
              "また、管理職向けの講演会を\n開催した。")
NEW_CHALLENGE = "研修の効果を測定する指標がないことが課題である。"


def respond_koshigaya(wb) -> None:
    """越谷市's respondent: picks stages, rewrites 意識の醸成, adds a metric, an event and a technology."""
    answer_stages(wb, {"awareness": 3, "talent": 2, "telework": 3, "planning": 3})
    ws = wb[sheet_name("awareness")]
    ws["B6"] = NEW_STATUS
    ws["B7"] = NEW_CHALLENGE
    tw = wb[sheet_name("telework")]
    metrics = lo.sheet_for("telework").table("metrics")
    row = next(r for r in metrics.rows() if tw[f"A{r}"].value is None)
    tw[f"A{row}"], tw[f"B{row}"], tw[f"C{row}"], tw[f"D{row}"] = "テレワーク用端末の稼働率", 12.5, "%", "2022-11-30"
    events = lo.sheet_for("telework").table("events")
    tw[f"A{events.first_row}"], tw[f"B{events.first_row}"] = "令和4年10月", "テレワーク用端末を20台増設した"
    own = wb[sheet_name("own_initiatives")]
    techs = lo.sheet_for("own_initiatives").table("technologies")
    row = next(r for r in techs.rows() if own[f"A{r}"].value is None)
    own[f"A{row}"], own[f"B{row}"], own[f"C{row}"] = "ドローン", "試行中", "災害時の状況確認にドローンを試行した。"


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Run the whole path once: returned workbooks for all six members, ingest into a data dir."""
    tmp = tmp_path_factory.mktemp("survey_e2e")
    data = data_copy(tmp_path_factory, tmp)
    returned = tmp / "returned"
    returned.mkdir()
    for code in CODES:
        target = returned / template_path(tmp_path_factory, code).name
        shutil.copyfile(template_path(tmp_path_factory, code), target)
        edit(target, respond_koshigaya if code == "112224" else answer_stages)
    result = ingest(returned, 2022, data)
    tables = read_tables(data / "processed" / "FY2022")
    return {"data": data, "returned": returned, "result": result, "tables": tables}


def _of(frame, **where):
    for k, v in where.items():
        frame = frame[frame[k] == v]
    return frame


def test_ingest_copies_every_workbook_into_raw_unchanged(year):
    raw = year["data"] / "raw" / "FY2022"
    assert sorted(p.name for p in raw.glob("*.xlsx")) == sorted(p.name for p in year["returned"].glob("*.xlsx"))
    for p in year["returned"].glob("*.xlsx"):
        assert (raw / p.name).read_bytes() == p.read_bytes()


def test_statements_are_numbered_like_the_report(year):
    st = year["tables"]["statements"]
    assert st["statement_id"].is_unique
    assert all(re.fullmatch(r"FY2022-(\d\.\d\.\d|5\.\d)-\d{3}", s) for s in st["statement_id"])
    awareness = _of(st, municipality="越谷市", theme="awareness", aspect="status")
    assert set(awareness["section"]) == {"1.1.2"}
    assert list(_of(st, municipality="越谷市", theme="awareness", aspect="challenge")["section"].unique()) == ["1.2.2"]


def test_new_text_is_split_into_sentences_with_cell_and_line(year):
    st = _of(year["tables"]["statements"], municipality="越谷市", theme="awareness", aspect="status", kind="sentence")
    assert list(st["text"]) == ["令和4年4月から、全職員を対象にDX研修を実施している。", "また、管理職向けの講演会を開催した。"]
    assert list(st["line_start"]) == [1, 2] and list(st["line_end"]) == [1, 3]
    assert set(st["cell"]) == {"B6"} and set(st["sheet"]) == {sheet_name("awareness")}
    assert set(st["source_file"]) == {"112224_越谷市_FY2022.xlsx"}


def test_stage_from_the_respondent_wins_over_the_rules(year):
    stages = year["tables"]["stages"]
    row = _of(stages, municipality="越谷市", theme="talent").iloc[0]
    assert (row["stage"], row["stage_label"], row["source"]) == (2, "試行・一部実施", "respondent")
    assert row["note"].startswith("rules: ")
    evidence = _of(year["tables"]["statements"], statement_id=row["statement_id"]).iloc[0]
    assert (evidence["kind"], evidence["cell"], evidence["text"]) == ("table_row", "B4", "取組みの段階: 2 試行・一部実施")


def test_every_member_has_a_respondent_stage_per_theme(year):
    stages = year["tables"]["stages"]
    assert len(_of(stages, source="respondent")) == 24


def test_added_metric_row_is_a_respondent_metric(year):
    m = _of(year["tables"]["metrics"], municipality="越谷市", metric="telework_pc_utilization_pct", source="respondent")
    new = m[m["value"] == 12.5].iloc[0]
    assert (new["unit"], new["period"], new["period_role"], new["section"]) == ("%", "2022-11-30", "point", "3.1.2")


def test_prefilled_target_metric_keeps_its_deadline(year):
    m = _of(year["tables"]["metrics"], municipality="越谷市", metric="telework_pc_utilization_target_pct",
            source="respondent").iloc[0]
    assert (m["value"], m["period"], m["period_role"], str(m["target_fiscal_year"])) == (30.0, "FY2023", "deadline", "2023")


def test_event_row_is_a_dated_event(year):
    e = _of(year["tables"]["events"], municipality="越谷市", source="respondent").iloc[0]
    assert (e["date"], e["date_precision"], e["event"], e["section"]) == ("2022-10", "month", "テレワーク用端末を20台増設した", "3.1.2")


def test_respondent_technology_not_in_the_list_is_other_with_its_name(year):
    t = _of(year["tables"]["technologies"], municipality="越谷市", technology="other").iloc[0]
    assert (t["technology_label"], t["status"], t["source"]) == ("ドローン", "pilot", "respondent")
    evidence = _of(year["tables"]["statements"], statement_id=t["statement_id"]).iloc[0]
    assert evidence["text"] == "災害時の状況確認にドローンを試行した。" and evidence["subheading"] == "ドローン"


def test_challenges_are_coded_on_the_new_text(year):
    ch = year["tables"]["challenges"]
    new = _of(year["tables"]["statements"], municipality="越谷市", theme="awareness", aspect="challenge").iloc[0]
    assert new["text"] == NEW_CHALLENGE
    assert not _of(ch, statement_id=new["statement_id"]).empty


def test_responses_record_each_workbook_and_the_test_marker(year):
    r = year["tables"]["responses"]
    assert list(r["municipality_code"]) == CODES
    assert set(r["test_data"]) == {TEST_LABEL}
    assert year["result"].test_data and not year["result"].missing


def test_build_processed_from_raw_gives_the_same_tables(year, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(year["data"] / "raw", data / "raw")
    info = build_processed(2022, data)
    again = read_tables(info["out_dir"])
    for name in ("statements", "stages", "metrics", "events", "technologies", "challenges"):
        pd.testing.assert_frame_equal(again[name], year["tables"][name], check_dtype=False)
    assert len(info["inputs"]) == 6


def test_reingesting_the_same_files_is_accepted_as_already_there(year, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(year["data"], data)
    result = ingest(year["returned"], 2022, data)
    assert len(result.already_there) == 6 and not result.copied


def test_cli_ingest_prints_a_summary_and_exits_0(year, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(year["data"] / "raw" / "FY2021", data / "raw" / "FY2021")
    assert main(["survey", "ingest", str(year["returned"]), "--fiscal-year", "2022", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "6 workbook(s) read" in out and "statements" in out
    assert (data / "processed" / "FY2022" / "statements.csv").exists()


def test_cli_template_writes_workbooks(tmp_path_factory, tmp_path, capsys):
    data = data_copy(tmp_path_factory, tmp_path)
    code = main(["survey", "template", "--fiscal-year", "2022", "--out", str(tmp_path / "out"),
                 "--data-dir", str(data), "--members", "112437", "--deadline", "令和4年12月9日"])
    assert code == 0 and "pre-filled from FY2021" in capsys.readouterr().out
    from openpyxl import load_workbook
    wb = load_workbook(tmp_path / "out" / "112437_吉川市_FY2022.xlsx")
    assert wb["説明"]["B5"].value == "令和4年12月9日"


def test_prose_items_join_lines_broken_mid_sentence_and_keep_bullets():
    items = prose_items("RPAを導入\nしている。\n・AI-OCR\n・チャットボット\n\n検討中")
    assert [(k, t, a, b) for k, t, a, b, _ in items] == [
        ("sentence", "RPAを導入している。", 1, 2), ("list_item", "AI-OCR", 3, 3),
        ("list_item", "チャットボット", 4, 4), ("sentence", "検討中", 6, 6)]


def test_an_analyst_override_wins_over_the_respondent_and_the_respondent_over_rules():
    from dxstudy.survey.assemble import merge_stages

    base = {"fiscal_year": 2022, "municipality": "", "discontinued": False, "dimension": "", "evidence": ""}
    rules = pd.DataFrame([
        {**base, "municipality_code": "112224", "theme": "telework", "stage": 3, "stage_label": "実施中",
         "source": "rules", "rule": "in_operation", "statement_id": "FY2022-3.1.2-002", "note": ""},
        {**base, "municipality_code": "112224", "theme": "planning", "stage": 1, "stage_label": "検討中",
         "source": "override", "rule": "", "statement_id": "FY2022-4.1.2-002", "note": "analyst"}])
    respondent = pd.DataFrame([
        {**base, "municipality_code": "112224", "theme": t, "stage": 2, "stage_label": "試行・一部実施",
         "source": "respondent", "rule": "", "statement_id": sid, "note": ""}
        for t, sid in (("telework", "FY2022-3.1.2-001"), ("planning", "FY2022-4.1.2-001"))])
    merged = merge_stages(rules, respondent).set_index("theme")
    assert (merged.loc["telework", "source"], merged.loc["telework", "stage"]) == ("respondent", 2)
    assert merged.loc["telework", "note"] == "rules: 3 実施中 (in_operation)"
    assert (merged.loc["planning", "source"], merged.loc["planning", "stage"]) == ("override", 1)
    assert merged.loc["planning", "note"] == "analyst; respondent: 2 試行・一部実施"


def test_next_years_template_is_prefilled_from_the_survey_answers(year, tmp_path):
    from openpyxl import load_workbook

    from dxstudy.survey.template import write_templates

    result = write_templates(2023, tmp_path / "fy2023", year["data"], members=["112224"])
    wb = load_workbook(result.paths[0])
    awareness = wb[sheet_name("awareness")]
    assert awareness["B6"].value == "令和4年4月から、全職員を対象にDX研修を実施している。\nまた、管理職向けの講演会を開催した。"
    assert awareness["B4"].value == "3 実施中" and awareness["E4"].value == "3 実施中（前年度の回答）"
    own = wb[sheet_name("own_initiatives")]
    techs = lo.sheet_for("own_initiatives").table("technologies")
    rows = {own[f"A{r}"].value: (own[f"B{r}"].value, own[f"C{r}"].value) for r in techs.rows() if own[f"A{r}"].value}
    assert rows["ドローン"] == ("試行中", "災害時の状況確認にドローンを試行した。")
    telework = wb[sheet_name("telework")]
    metrics = lo.sheet_for("telework").table("metrics")
    values = [(telework[f"A{r}"].value, telework[f"B{r}"].value) for r in metrics.rows() if telework[f"A{r}"].value]
    assert ("テレワーク用端末の稼働率", 12.5) in values and len(values) == len(set(values))
