# Every validation rule of the survey intake on a workbook broken the way a respondent could break it:
# the error names file, sheet and cell, and a failed run leaves data/raw and data/processed untouched.
from __future__ import annotations

import shutil
import zipfile

import pytest

from dxstudy.cli import main
from dxstudy.survey import layout as lo
from dxstudy.survey.intake import ingest
from dxstudy.survey.workbooks import read_survey_dir
from dxstudy.survey.problems import SurveyValidationError
from survey_fixtures import data_copy, edit, returned_dir, sheet_name, snapshot

KOSHIGAYA = "112224_越谷市_FY2022.xlsx"
YASHIO = "112348_八潮市_FY2022.xlsx"
TELEWORK = sheet_name("telework")
METRICS = lo.sheet_for("telework").table("metrics")
EVENTS = lo.sheet_for("telework").table("events")
META_ROW = {key: i for i, key in enumerate(lo.META_KEYS, start=2)}


@pytest.fixture
def setup(tmp_path_factory, tmp_path):
    """A data dir with FY2021 built and one sound FY2022 workbook (越谷市) in ``returned/``."""
    data = data_copy(tmp_path_factory, tmp_path)
    returned = returned_dir(tmp_path_factory, tmp_path, ["112224"])
    return data, returned


def rejected(data, returned, **kwargs) -> list:
    """Ingest that must fail: the problems, after checking that nothing under data/ changed."""
    before = snapshot(data)
    with pytest.raises(SurveyValidationError) as info:
        ingest(returned, 2022, data, **kwargs)
    assert snapshot(data) == before
    assert not (data / "processed" / "FY2022").exists() and not (data / "raw" / "FY2022").exists()
    return info.value.problems


def only(problems, rule):
    hits = [p for p in problems if p.rule == rule]
    assert len(hits) == 1, problems
    return hits[0]


def names_place(problem, file, sheet, cell):
    text = str(problem)
    assert (problem.file, problem.sheet, problem.cell) == (file, sheet, cell)
    assert file in text and cell in text and (sheet in text if sheet else True)
    assert "expected" in text and "found" in text


def test_sound_workbook_is_accepted(setup):
    data, returned = setup
    result = ingest(returned, 2022, data)
    assert result.workbooks == [KOSHIGAYA] and not result.rejected


def test_unknown_municipality(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb["_meta"].__setitem__(f"B{META_ROW['municipality_code']}", "112345"))
    p = only(rejected(data, returned), "unknown_municipality")
    names_place(p, KOSHIGAYA, "_meta", f"B{META_ROW['municipality_code']}")
    assert "「112345」" in p.found and "112224 越谷市" in p.expected


def test_duplicate_municipality(setup):
    data, returned = setup
    shutil.copyfile(returned / KOSHIGAYA, returned / "越谷市_回答_再送.xlsx")
    problems = [p for p in rejected(data, returned) if p.rule == "duplicate_municipality"]
    assert sorted(p.file for p in problems) == sorted([KOSHIGAYA, "越谷市_回答_再送.xlsx"])
    names_place(problems[0], problems[0].file, "_meta", f"B{META_ROW['municipality_code']}")
    assert "also in" in problems[0].found


def test_workbook_for_another_fiscal_year(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb["_meta"].__setitem__(f"B{META_ROW['fiscal_year']}", 2021))
    p = only(rejected(data, returned), "fiscal_year")
    names_place(p, KOSHIGAYA, "_meta", f"B{META_ROW['fiscal_year']}")
    assert (p.expected, p.found) == ("a workbook for FY2022", "FY2021")


def test_workbook_of_an_old_layout_version(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb["_meta"].__setitem__(f"B{META_ROW['layout_version']}", "0"))
    p = only(rejected(data, returned), "layout_version")
    names_place(p, KOSHIGAYA, "_meta", f"B{META_ROW['layout_version']}")
    assert p.found == "version 0"


def test_stage_that_is_not_one_of_the_four(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__("B4", "4 完了"))
    p = only(rejected(data, returned), "stage")
    names_place(p, KOSHIGAYA, TELEWORK, "B4")
    assert "0 未着手 / 1 検討中 / 2 試行・一部実施 / 3 実施中" in p.expected and p.found == "「4 完了」"


def test_non_numeric_metric_value(setup):
    data, returned = setup
    row = METRICS.first_row
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__(f"B{row}", "約30台"))
    p = only(rejected(data, returned), "not_numeric")
    names_place(p, KOSHIGAYA, TELEWORK, f"B{row}")
    assert "a number" in p.expected and p.found == "「約30台」"


def test_impossible_date(setup):
    data, returned = setup
    row = EVENTS.first_row

    def change(wb):
        wb[TELEWORK][f"A{row}"] = "令和4年2月30日"
        wb[TELEWORK][f"B{row}"] = "テレワーク規程を改正した"
    edit(returned / KOSHIGAYA, change)
    p = only(rejected(data, returned), "impossible_date")
    names_place(p, KOSHIGAYA, TELEWORK, f"A{row}")
    assert "令和4年2月30日" in p.found and "day 30" in p.found


def test_missing_required_answer(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__("B6", None))
    p = only(rejected(data, returned), "missing_required")
    names_place(p, KOSHIGAYA, TELEWORK, "B6")
    assert p.field == "現状" and p.found == "an empty cell"


def test_metric_row_without_its_value_is_missing_a_required_answer(setup):
    data, returned = setup
    row = METRICS.last_row
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__(f"A{row}", "テレワーク用端末の台数"))
    p = only(rejected(data, returned), "missing_required")
    names_place(p, KOSHIGAYA, TELEWORK, f"B{row}")


def test_formula_where_text_is_expected(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__("B7", "=B6"))
    p = only(rejected(data, returned), "formula")
    names_place(p, KOSHIGAYA, TELEWORK, "B7")
    assert "=B6" in p.found


def test_technology_status_not_in_the_list(setup):
    data, returned = setup
    own = sheet_name("own_initiatives")
    row = lo.sheet_for("own_initiatives").table("technologies").first_row
    edit(returned / KOSHIGAYA, lambda wb: wb[own].__setitem__(f"B{row}", "使っている"))
    p = only(rejected(data, returned), "choice")
    names_place(p, KOSHIGAYA, own, f"B{row}")


def test_missing_sheet(setup):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb.remove(wb[sheet_name("planning")]))
    p = only(rejected(data, returned), "missing_sheet")
    assert (p.file, p.sheet) == (KOSHIGAYA, sheet_name("planning")) and KOSHIGAYA in str(p)


def test_macro_workbook_is_refused(setup):
    data, returned = setup
    (returned / KOSHIGAYA).rename(returned / "112224_越谷市_FY2022.xlsm")
    p = only(rejected(data, returned), "file_type")
    assert p.file == "112224_越谷市_FY2022.xlsm" and "macro-free .xlsx" in p.expected


def test_workbook_with_external_links_is_refused(setup):
    data, returned = setup
    with zipfile.ZipFile(returned / KOSHIGAYA, "a") as z:
        z.writestr("xl/externalLinks/externalLink1.xml",
                   '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    p = only(rejected(data, returned), "external_links")
    assert p.file == KOSHIGAYA and "1 external link" in p.found


def test_a_different_file_of_the_same_name_in_raw_is_never_overwritten(setup):
    data, returned = setup
    raw = data / "raw" / "FY2022"
    raw.mkdir(parents=True)
    (raw / KOSHIGAYA).write_bytes(b"an older version")
    before = snapshot(data)
    with pytest.raises(SurveyValidationError) as info:
        ingest(returned, 2022, data)
    assert snapshot(data) == before
    p = only(info.value.problems, "raw_conflict")
    assert p.file == KOSHIGAYA


def test_every_problem_of_every_workbook_is_reported_at_once(tmp_path_factory, tmp_path):
    data = data_copy(tmp_path_factory, tmp_path)
    returned = returned_dir(tmp_path_factory, tmp_path, ["112224", "112348"])

    def break_koshigaya(wb):
        wb[TELEWORK]["B4"] = "済"
        wb[TELEWORK]["B6"] = None
    edit(returned / KOSHIGAYA, break_koshigaya)
    edit(returned / YASHIO, lambda wb: wb[sheet_name("planning")].__setitem__("B7", "=1+1"))
    problems = rejected(data, returned)
    assert sorted((p.file, p.rule) for p in problems) == [
        (KOSHIGAYA, "missing_required"), (KOSHIGAYA, "stage"), (YASHIO, "formula")]


def test_lenient_writes_the_sound_workbooks_and_lists_the_rest(tmp_path_factory, tmp_path):
    data = data_copy(tmp_path_factory, tmp_path)
    returned = returned_dir(tmp_path_factory, tmp_path, ["112224", "112348"])
    edit(returned / YASHIO, lambda wb: wb[TELEWORK].__setitem__("B4", "5"))
    result = ingest(returned, 2022, data, lenient=True)
    assert [p.file for p in result.rejected] == [YASHIO]
    assert sorted(p.name for p in (data / "raw" / "FY2022").iterdir()) == [KOSHIGAYA]
    statements = (data / "processed" / "FY2022" / "statements.csv").read_text(encoding="utf-8-sig")
    assert "越谷市" in statements and "八潮市" not in statements
    assert f"{YASHIO} [{TELEWORK}] B4" in result.summary()


def test_read_survey_dir_refuses_a_raw_dir_with_a_bad_workbook(setup):
    _, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__("B4", "わからない"))
    with pytest.raises(SurveyValidationError, match=r"112224_越谷市_FY2022.xlsx \[第3章 テレワークの推進\] B4"):
        read_survey_dir(returned, 2022)


def test_cli_reports_problems_on_stderr_with_exit_1_and_no_traceback(setup, capsys):
    data, returned = setup
    edit(returned / KOSHIGAYA, lambda wb: wb[TELEWORK].__setitem__("B4", "4 完了"))
    code = main(["survey", "ingest", str(returned), "--fiscal-year", "2022", "--data-dir", str(data)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{KOSHIGAYA} [{TELEWORK}] B4 (取組みの段階): expected one of" in captured.err
    assert "Traceback" not in captured.err and not captured.out
    assert not (data / "processed" / "FY2022").exists()
