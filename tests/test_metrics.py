"""Metrics: rule-driven extraction of quantities from FY2021 sentences, and the numbers coverage."""
from pathlib import Path

import pandas as pd
import pytest
from handbuilt_tables import paragraph_statements

from dxstudy.extract.metric_rules import load_metric_rules, metric_catalog
from dxstudy.extract.metrics import METRIC_COLUMNS, extract_metrics, number_coverage, unassigned_numbers

REPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "FY2021" / "report.md"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics-and-events.md"
def statements(*sentences, municipality="越谷市", theme="telework", section="3.1.2", paragraph_id=1):
    """A statements table of consecutive sentences of one paragraph."""
    return paragraph_statements(*sentences, municipality=municipality, theme=theme, section=section,
                                paragraph_id=paragraph_id)


def one(table, metric):
    rows = table[table["metric"] == metric]
    assert len(rows) == 1, table[["metric", "value"]]
    return rows.iloc[0]


# --- single metrics from real sentences ----------------------------------------------------

def test_telework_pcs_from_koshigaya():
    m = extract_metrics(statements("令和3年1月から庁内LANに接続できるパソコン81台を整備し、部ごとに所属人数に"
                                   "応じて配分することで、在宅勤務によるテレワークを行っている。"))
    row = one(m, "telework_pcs")
    assert (row["value"], row["unit"], row["municipality_code"]) == (81.0, "台", "112224")


def test_telework_pcs_carries_the_date_of_its_clause_as_period():
    m = extract_metrics(statements("令和3年1月から庁内LANに接続できるパソコン81台を整備し、部ごとに所属人数に"
                                   "応じて配分することで、在宅勤務によるテレワークを行っている。"))
    assert (one(m, "telework_pcs")["period"], one(m, "telework_pcs")["period_role"]) == ("2021-01", "start")


SENTENCE_UTILIZATION = "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"


def test_current_utilization_rate():
    row = one(extract_metrics(statements(SENTENCE_UTILIZATION)), "telework_pc_utilization_pct")
    assert (row["value"], row["unit"], row["qualifier"]) == (5.0, "%", "")


def test_target_utilization_rate_with_its_qualifiers():
    row = one(extract_metrics(statements(SENTENCE_UTILIZATION)), "telework_pc_utilization_target_pct")
    assert (row["value"], row["qualifier"], row["value_text"]) == (30.0, "以上;target", "30%以上")


def test_target_utilization_rate_has_its_deadline_fiscal_year():
    row = one(extract_metrics(statements(SENTENCE_UTILIZATION)), "telework_pc_utilization_target_pct")
    assert (row["target_fiscal_year"], row["period"]) == (2023, "FY2023")


def test_cumulative_loans_in_misato():
    m = extract_metrics(statements("現在までに、延べ72人に対し、テレワーク用ノートパソコンの貸出を行った。",
                                   municipality="三郷市", section="3.1.4"))
    row = one(m, "telework_pc_loans")
    assert (row["value"], row["unit"], row["qualifier"]) == (72.0, "人", "延べ")


def test_hires_with_the_fiscal_year_of_the_intake():
    m = extract_metrics(statements("情報処理技師の採用を行っており、令和2年度には2人を採用した。",
                                   municipality="三郷市", theme="talent", section="2.1.4"))
    row = one(m, "digital_hires")
    assert (row["value"], row["period"], row["municipality_code"]) == (2.0, "FY2020", "112372")


SENTENCE_SOKA_HIRES = ("「ネットワーク及びサーバの設計や構築年数」や「アプリケーションの設計又は構築年数」等の受験資格を"
                       "設けて募集をしており、令和2年度分について採用者はいなかったが、令和3年度分は3人の職員を新規採用している。")


def test_no_hires_is_zero_by_a_phrase_rule():
    m = extract_metrics(statements(SENTENCE_SOKA_HIRES, municipality="草加市", theme="talent", section="2.1.1"))
    hires = m[m["metric"] == "digital_hires"].set_index("period")["value"].to_dict()
    assert hires == {"FY2020": 0.0, "FY2021": 3.0}


def test_hires_outside_the_talent_theme_are_not_digital_hires():
    m = extract_metrics(statements("令和2年度には2人を採用した。", theme="telework"))
    assert "digital_hires" not in set(m["metric"])


def test_rpa_topic_comes_from_the_previous_sentence_of_the_paragraph():
    m = extract_metrics(statements("RPAについては、令和2年度に実証実験を行い、令和3年6月から本格導入している。",
                                   "現在、7課20業務で使用されており、月次の入力作業等で省力化が図られた。",
                                   municipality="草加市", theme="own_initiatives", section="5.1"))
    assert (one(m, "rpa_departments")["value"], one(m, "rpa_tasks")["value"]) == (7.0, 20.0)


def test_topic_of_a_previous_paragraph_is_not_used():
    first = statements("RPAについては、令和元年度に実証実験を行った。", paragraph_id=1)
    second = statements("現在、7課20業務で使用されている。", paragraph_id=2)
    m = extract_metrics(pd.concat([first, second], ignore_index=True))
    assert m.empty


def test_ai_ocr_departments_and_tasks():
    m = extract_metrics(statements("AIについては、AI-OCRの実証実験及び導入を継続的に行っており、現在4課5業務で利用している。",
                                   theme="own_initiatives", section="5.2"))
    assert (one(m, "ai_ocr_departments")["value"], one(m, "ai_ocr_tasks")["unit"]) == (4.0, "業務")


def test_ai_translators():
    m = extract_metrics(statements("AI翻訳機は、20台導入し、窓口や保育園及び学校等で利用している。",
                                   municipality="草加市", theme="own_initiatives", section="5.1"))
    assert list(m["metric"]) == ["ai_translators"] and m["value"].iloc[0] == 20.0


def test_ai_ocr_contracts():
    m = extract_metrics(statements("AI-OCRは、県内共同利用のものであり、LGWAN系とマイナンバー系で2つ契約しており、"
                                   "LGWAN系は全職員が随時利用することができる。", municipality="草加市",
                                   theme="own_initiatives", section="5.1"))
    assert (one(m, "ai_ocr_contracts")["value"], one(m, "ai_ocr_contracts")["unit"]) == (2.0, "つ")


SENTENCE_YOSHIKAWA = ("構成は、DX推進本部(市長・副市長・教育長・各部長級職員)、DX推進会議(各部主管課長)、DXワーキングチーム"
                      "(各部主管課若手職員を中心)の3層構造としており、年度内に2~3回程度会議を開催し、"
                      "DX推進計画の策定を目指すしている。")


def test_range_gives_value_and_value_max():
    row = one(extract_metrics(statements(SENTENCE_YOSHIKAWA, municipality="吉川市", theme="planning",
                                         section="4.1.5")), "meetings_per_year")
    assert (row["value"], row["value_max"], row["unit"], row["qualifier"]) == (2.0, 3.0, "回", "程度")


def test_fullwidth_tilde_range_is_read_after_nfkc():
    text = SENTENCE_YOSHIKAWA.replace("2~3回", "２～３回")
    row = one(extract_metrics(statements(text, municipality="吉川市", theme="planning")), "meetings_per_year")
    assert (row["value"], row["value_max"]) == (2.0, 3.0)


def test_tiers_of_the_dx_body():
    row = one(extract_metrics(statements(SENTENCE_YOSHIKAWA, municipality="吉川市", theme="planning")),
              "dx_body_tiers")
    assert (row["value"], row["unit"]) == (3.0, "層")


def test_value_without_range_has_nan_value_max():
    row = one(extract_metrics(statements(SENTENCE_UTILIZATION)), "telework_pc_utilization_pct")
    assert pd.isna(row["value_max"])


def test_dates_are_not_metrics():
    m = extract_metrics(statements("令和3年4月に「越谷市情報化推進計画(2021)」を策定した。", theme="planning"))
    assert m.empty


def test_metrics_table_has_the_documented_columns_even_when_empty():
    m = extract_metrics(statements("テレワーク可能な業務や部署の選定に苦慮している。"))
    assert list(m.columns) == METRIC_COLUMNS and m.empty


def test_evidence_is_the_sentence():
    m = extract_metrics(statements(SENTENCE_UTILIZATION))
    assert set(m["evidence"]) == {SENTENCE_UTILIZATION}


# --- numbers coverage -----------------------------------------------------------------------

def test_ordinals_are_non_quantities():
    cov = number_coverage(statements("試験は、第1次試験に教養試験・作文試験、第2次試験に面接試験・適性検査を行っている。",
                                     theme="talent"))
    assert set(cov["status"]) == {"non_quantity"}


def test_unknown_counted_number_is_unassigned():
    un = unassigned_numbers(statements("職員研修を年5回実施している。", theme="talent"))
    assert list(zip(un["number"], un["unit"])) == [("5", "回")]


def test_region_wide_numbers_are_not_checked_by_default():
    un = unassigned_numbers(statements("職員研修を年5回実施している。", municipality=""))
    assert un.empty


# --- rules file and documentation -----------------------------------------------------------

def test_metric_ids_are_snake_case():
    assert all(r.metric.replace("_", "").isalnum() and r.metric == r.metric.lower()
               for r in load_metric_rules())


def test_every_metric_is_documented():
    doc = DOCS.read_text(encoding="utf-8")
    missing = [m for m in metric_catalog()["metric"] if f"`{m}`" not in doc]
    assert missing == []


# --- the FY2021 report ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def fy2021():
    from dxstudy import read_report
    return read_report(REPORT).statements


@pytest.fixture(scope="module")
def fy2021_metrics(fy2021):
    return extract_metrics(fy2021)


EXPECTED_FY2021 = {
    # (municipality_code, metric, value, value_max or None, unit, qualifier, section)
    ("112224", "telework_pcs", 81.0, None, "台", "", "3.1.2"),
    ("112224", "telework_pcs", 81.0, None, "台", "", "3.2.2"),
    ("112224", "telework_pc_utilization_pct", 5.0, None, "%", "", "3.1.2"),
    ("112224", "telework_pc_utilization_target_pct", 30.0, None, "%", "以上;target", "3.1.2"),
    ("112224", "telework_line_contract_years", 3.0, None, "年間", "", "3.2.2"),
    ("112372", "telework_pc_loans", 72.0, None, "人", "延べ", "3.1.4"),
    ("112348", "telework_programs", 2.0, None, "つ", "", "3.2.3"),
    ("112216", "digital_hires", 3.0, None, "人", "", "2.1.1"),
    ("112216", "digital_hires", 0.0, None, "人", "", "2.1.1"),
    ("112372", "digital_hires", 2.0, None, "人", "", "2.1.4"),
    ("112437", "meetings_per_year", 2.0, 3.0, "回", "程度", "4.1.5"),
    ("112437", "dx_body_tiers", 3.0, None, "層", "", "4.1.5"),
    ("112216", "rpa_departments", 7.0, None, "課", "", "5.1"),
    ("112216", "rpa_tasks", 20.0, None, "業務", "", "5.1"),
    ("112216", "ai_translators", 20.0, None, "台", "", "5.1"),
    ("112216", "ai_ocr_contracts", 2.0, None, "つ", "", "5.1"),
    ("112224", "rpa_departments", 12.0, None, "課", "", "5.2"),
    ("112224", "rpa_tasks", 31.0, None, "業務", "", "5.2"),
    ("112224", "ai_ocr_departments", 4.0, None, "課", "", "5.2"),
    ("112224", "ai_ocr_tasks", 5.0, None, "業務", "", "5.2"),
    ("", "study_themes", 5.0, None, "つ", "", "O.3"),
}


def test_fy2021_metrics_are_exactly_the_expected_ones(fy2021_metrics):
    found = {(r.municipality_code, r.metric, r.value, None if pd.isna(r.value_max) else r.value_max,
              r.unit, r.qualifier, r.section) for r in fy2021_metrics.itertuples()}
    assert found == EXPECTED_FY2021 and len(fy2021_metrics) == len(EXPECTED_FY2021)


def test_fy2021_telework_pcs_have_two_statement_ids(fy2021_metrics):
    pcs = fy2021_metrics[fy2021_metrics["metric"] == "telework_pcs"]
    assert pcs["statement_id"].is_unique and len(pcs) == 2


def test_fy2021_target_deadline(fy2021_metrics):
    row = one(fy2021_metrics, "telework_pc_utilization_target_pct")
    assert row["target_fiscal_year"] == 2023


def test_fy2021_hires_periods(fy2021_metrics):
    hires = fy2021_metrics[fy2021_metrics["metric"] == "digital_hires"]
    assert sorted(zip(hires["municipality"], hires["period"], hires["value"])) == [
        ("三郷市", "FY2020", 2.0), ("草加市", "FY2020", 0.0), ("草加市", "FY2021", 3.0)]


def test_fy2021_every_number_about_a_municipality_is_assigned(fy2021):
    assert unassigned_numbers(fy2021).empty


#: Numbers of FY2021 municipality statements that are deliberately not quantities.
FY2021_NON_QUANTITIES = [
    ("FY2021-1.1.1-001", "0", "「ステップ0」"),
    ("FY2021-2.1.2-002", "1", "第1次試験"),
    ("FY2021-2.1.2-002", "2", "第2次試験"),
    ("FY2021-3.1.1-003", "2", "第2回試行運用"),
    ("FY2021-4.1.2-001", "2021", "越谷市情報化推進計画(2021)"),
]


def test_fy2021_non_quantities_about_municipalities_are_the_documented_ones(fy2021):
    cov = number_coverage(fy2021)
    nq = cov[(cov["status"] == "non_quantity") & (cov["municipality_code"] != "")]
    expected = [(sid, number) for sid, number, _ in FY2021_NON_QUANTITIES]
    assert list(zip(nq["statement_id"], nq["number"])) == expected


def test_fy2021_region_wide_unassigned_numbers(fy2021):
    un = unassigned_numbers(fy2021, municipality_only=False)
    assert un.empty


# --- robustness -----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ALPHABET = st.sampled_from(list("0123456789.,~、。台人%課業務回つ延べ以上令和年度月第市町RPAOCRテレワーク端末稼働率目指"))


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=50))
def test_any_text_gets_every_number_classified(text):
    cov = number_coverage(statements(text))
    assert set(cov["status"]) <= {"metric", "date", "invalid_date", "non_quantity", "unassigned"}
