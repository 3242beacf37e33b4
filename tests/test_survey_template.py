# The generated survey workbooks, read back with openpyxl (and LibreOffice when installed): sheets,
# pre-filled FY2021 answers, drop-downs, password-less protection, the hidden _meta sheet.
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dxstudy.survey import layout as lo
from dxstudy.survey.prefill import join_statements, prefill_from_tables
from dxstudy.survey.template import write_templates
from survey_fixtures import TEST_LABEL, sheet_name, template_path, templates


@pytest.fixture(scope="module")
def koshigaya(tmp_path_factory):
    wb = load_workbook(template_path(tmp_path_factory, "112224"))
    yield wb
    wb.close()


def _validations(ws):
    """{cell or range: DataValidation} of a sheet."""
    return {str(rng): dv for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}


def test_one_workbook_per_member_named_code_name_year(tmp_path_factory):
    names = sorted(p.name for p in templates(tmp_path_factory).glob("*.xlsx"))
    assert names == ["112216_草加市_FY2022.xlsx", "112224_越谷市_FY2022.xlsx", "112348_八潮市_FY2022.xlsx",
                     "112372_三郷市_FY2022.xlsx", "112437_吉川市_FY2022.xlsx", "114651_松伏町_FY2022.xlsx"]


def test_sheets_in_order_instructions_themes_own_meta(koshigaya):
    assert koshigaya.sheetnames == ["説明", "第1章 意識の醸成", "第2章 デジタル人材の確保・育成", "第3章 テレワークの推進",
                                    "第4章 計画の策定", "第5章 各市町独自の取組み", "_meta"]


def test_meta_sheet_is_hidden_and_names_member_year_and_layout(koshigaya):
    ws = koshigaya["_meta"]
    meta = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(2, 2 + len(lo.META_KEYS))}
    assert ws.sheet_state == "hidden"
    assert (meta["format"], meta["layout_version"], meta["fiscal_year"], meta["municipality_code"]) == \
        ("dxstudy-survey", lo.LAYOUT_VERSION, 2022, "112224")
    assert meta["test_data"] == TEST_LABEL


def test_every_sheet_is_protected_without_a_password(koshigaya):
    for ws in koshigaya.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
    assert koshigaya.security.lockStructure and not koshigaya.security.workbookPassword


def test_answer_cells_are_unlocked_and_labels_locked(koshigaya):
    ws = koshigaya[sheet_name("telework")]
    events = lo.sheet_for("telework").table("events").first_row
    for cell in ("B4", "B6", "B7", "A11", "B11", "D11", f"A{events}", f"B{events}"):
        assert ws[cell].protection.locked is False, cell
    for cell in ("A1", "A4", "A6", "A10", "E4"):
        assert ws[cell].protection.locked is True, cell


def test_stage_is_a_drop_down_of_the_four_labels(koshigaya):
    ws = koshigaya[sheet_name("awareness")]
    dv = _validations(ws)["B4"]
    assert dv.type == "list" and dv.errorStyle == "stop" and dv.showErrorMessage
    meta = koshigaya["_meta"]
    ref = dv.formula1.split("!")[1].replace("$", "")
    values = [c.value for row in meta[ref] for c in row]
    assert values == ["0 未着手", "1 検討中", "2 試行・一部実施", "3 実施中"]


def test_own_initiatives_sheet_has_technology_and_status_drop_downs(koshigaya):
    ws = koshigaya[sheet_name("own_initiatives")]
    block = lo.sheet_for("own_initiatives").table("technologies")
    dvs = _validations(ws)
    tech = dvs[f"A{block.first_row}:A{block.last_row}"]
    status = dvs[f"B{block.first_row}:B{block.last_row}"]
    meta = koshigaya["_meta"]
    listed = lambda dv: [c.value for row in meta[dv.formula1.split("!")[1].replace("$", "")] for c in row]  # noqa: E731
    assert "RPA" in listed(tech) and "AI-OCR" in listed(tech) and listed(tech)[-1] == "その他"
    assert listed(status) == ["利用中", "試行中", "検討中"]


def test_metric_values_accept_numbers_only(koshigaya):
    block = lo.sheet_for("telework").table("metrics")
    dv = _validations(koshigaya[sheet_name("telework")])[f"B{block.first_row}:B{block.last_row}"]
    assert dv.type == "decimal" and dv.errorStyle == "stop"


def test_status_text_is_prefilled_with_the_fy2021_report_text(koshigaya):
    ws = koshigaya[sheet_name("telework")]
    assert ws["B6"].value.startswith("職員の働き方改革の一環として、テレワークを推進している。")
    assert "令和3年1月から庁内LANに接続できるパソコン81台を整備し" in ws["B6"].value
    assert "回線費用は3年間の利用想定となるため" in ws["B7"].value


def test_metrics_are_prefilled_with_last_years_values(koshigaya):
    ws = koshigaya[sheet_name("telework")]
    block = lo.sheet_for("telework").table("metrics")
    rows = {ws[f"A{r}"].value: (ws[f"B{r}"].value, ws[f"C{r}"].value, ws[f"D{r}"].value) for r in block.rows()
            if ws[f"A{r}"].value}
    assert rows["テレワーク用端末の台数"] == (81, "台", "2021-01")
    assert rows["テレワーク用端末の稼働率の目標"] == (30, "%", "FY2023")


def test_stage_is_prefilled_with_last_years_stage_and_its_source(koshigaya):
    ws = koshigaya[sheet_name("telework")]
    assert ws["B4"].value in lo.stage_choices()
    assert ws["E4"].value.startswith(ws["B4"].value) and "自動判定" in ws["E4"].value


def test_instructions_prefill_the_secretariat_contact_and_leave_the_deadline_to_fill(koshigaya):
    ws = koshigaya["説明"]
    assert ws["B7"].value == "越谷市総合政策部政策課内　電話 048-963-9112"
    assert ws["B5"].value is None and ws["B5"].protection.locked is False
    assert ws["A5"].value.startswith("回答期限")


def test_own_initiatives_prefill_summary_and_technologies(koshigaya):
    ws = koshigaya[sheet_name("own_initiatives")]
    block = lo.sheet_for("own_initiatives").table("technologies")
    techs = {(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in block.rows() if ws[f"A{r}"].value}
    assert ws["B4"].value.startswith("「窓口支援システム導入事業(電算運用事業)」を実施している。") or \
        ws["B4"].value.startswith("「窓口支援システム導入事業（電算運用事業）」を実施している。")
    assert ("RPA", "利用中") in techs


def test_template_is_empty_and_says_so_without_last_years_tables(tmp_path):
    result = write_templates(2022, tmp_path / "out", tmp_path / "no-data", members=["114651"])
    assert not result.prefilled and "FY2021" in result.reason
    wb = load_workbook(result.paths[0])
    assert "集計データがない" in wb["説明"]["A3"].value
    ws = wb[sheet_name("awareness")]
    assert ws["B6"].value is None and ws["B4"].value is None and ws["E4"].value == "記録なし"
    assert wb["_meta"]["B8"].value == "no"


def test_join_statements_rebuilds_paragraphs_and_list_items():
    statements = pd.DataFrame([
        {"kind": "sentence", "paragraph_id": 1, "text_raw": "研修を実施した。", "text": ""},
        {"kind": "sentence", "paragraph_id": 1, "text_raw": "今後も続ける。", "text": ""},
        {"kind": "list_item", "paragraph_id": 2, "text_raw": "組織体制の整備", "text": ""},
        {"kind": "sentence", "paragraph_id": 3, "text_raw": "A I－O C Rを導入した。", "text": ""},
    ])
    assert join_statements(statements) == "研修を実施した。今後も続ける。\n・組織体制の整備\nAI－OCRを導入した。"


def test_prefill_takes_the_stage_label_from_the_stages_table():
    statements = pd.DataFrame([{"statement_id": "FY2021-3.1.6-001", "municipality_code": "114651",
                                "theme": "telework", "aspect": "status", "kind": "sentence", "paragraph_id": 1,
                                "text": "", "text_raw": "一時的に利用したが、現在、テレワークは行っていない。"}])
    stages = pd.DataFrame([{"municipality_code": "114651", "theme": "telework", "stage": 0,
                            "stage_label": "未着手", "source": "rules"}])
    prefill = prefill_from_tables({"statements": statements, "stages": stages}, 2021)
    telework = prefill.members["114651"].themes["telework"]
    assert (telework.stage, telework.stage_note) == ("0 未着手", "前年度の報告書の記述から自動判定")
    assert telework.status == "一時的に利用したが、現在、テレワークは行っていない。"


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (Debian package libreoffice-calc-nogui) is not installed: soffice not found")
def test_libreoffice_converts_a_generated_workbook_to_pdf(tmp_path_factory, tmp_path):
    source = template_path(tmp_path_factory, "112224")
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / (source.stem + ".pdf")
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and pdf.exists()
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
