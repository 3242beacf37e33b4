# Year-over-year comparisons (dxstudy.analysis.yoy): stage transitions, metric changes against targets,
# challenges appeared/persisted/resolved, technologies new/advanced — with evidence from both years.
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from dxstudy.errors import DxstudyError
from dxstudy.survey.intake import ingest
from dxstudy.analysis.yoy import challenge_changes, metric_changes, stage_transitions, stalled, technology_changes
from dxstudy.render.loading import year_over_year
from survey_fixtures import data_copy, edit, returned_dir, sheet_name

S21 = "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"


def _stage(code, name, theme, stage, label, source, sid, evidence):
    return {"municipality_code": code, "municipality": name, "theme": theme, "stage": stage, "stage_label": label,
            "source": source, "statement_id": sid, "evidence": evidence}


def test_stage_transition_up_same_and_stalled_with_both_years_evidence():
    before = pd.DataFrame([
        _stage("112224", "越谷市", "telework", 2, "試行・一部実施", "rules", "FY2021-3.1.2-001", "テレワークを推進している。"),
        _stage("112216", "草加市", "planning", 1, "検討中", "rules", "FY2021-4.1.1-001", "計画の策定を検討している。")])
    after = pd.DataFrame([
        _stage("112224", "越谷市", "telework", 3, "実施中", "respondent", "FY2022-3.1.2-001", "取組みの段階: 3 実施中"),
        _stage("112216", "草加市", "planning", 1, "検討中", "respondent", "FY2022-4.1.1-001", "取組みの段階: 1 検討中")])
    t = stage_transitions(before, after).set_index("municipality_code")
    assert (t.loc["112224", "change"], t.loc["112224", "delta"], t.loc["112224", "change_ja"]) == ("up", 1, "上昇")
    assert t.loc["112224", "evidence_before"] == "テレワークを推進している。"
    assert t.loc["112224", "statement_id_after"] == "FY2022-3.1.2-001"
    assert list(stalled(t.reset_index())["municipality"]) == ["草加市"]


def test_stage_present_in_one_year_only_is_new_or_gone():
    before = pd.DataFrame([_stage("114651", "松伏町", "telework", 0, "未着手", "rules", "FY2021-3.1.6-001", "…")])
    after = pd.DataFrame([_stage("112437", "吉川市", "telework", 2, "試行・一部実施", "respondent", "FY2022-3.1.5-001", "…")])
    t = stage_transitions(before, after).set_index("municipality_code")
    assert t.loc["114651", "change"] == "gone" and pd.isna(t.loc["114651", "stage_after"])
    assert t.loc["112437", "change"] == "new"


def _metric(code, metric, label, value, source, sid, evidence, period="", target_fy=None):
    return {"municipality_code": code, "municipality": "越谷市", "theme": "telework", "metric": metric,
            "label_ja": label, "value": value, "unit": "%", "period": period, "target_fiscal_year": target_fy,
            "statement_id": sid, "evidence": evidence, "source": source}


def test_metric_change_prefers_the_respondent_value_and_measures_the_gap_to_the_target():
    before = pd.DataFrame([
        _metric("112224", "telework_pc_utilization_pct", "テレワーク用端末の稼働率", 5.0, "", "FY2021-3.1.2-003", S21),
        _metric("112224", "telework_pc_utilization_target_pct", "テレワーク用端末の稼働率の目標", 30.0, "",
                "FY2021-3.1.2-003", S21, "FY2023", 2023)])
    after = pd.DataFrame([
        _metric("112224", "telework_pc_utilization_pct", "テレワーク用端末の稼働率", 5.0, "rules", "FY2022-3.1.2-004", S21),
        _metric("112224", "telework_pc_utilization_pct", "テレワーク用端末の稼働率", 12.5, "respondent",
                "FY2022-3.1.2-010", "テレワーク用端末の稼働率: 12.5%", "2022-11-30")])
    m = metric_changes(before, after).set_index("metric")
    row = m.loc["telework_pc_utilization_pct"]
    assert (row["value_before"], row["value_after"], row["difference"], row["change"]) == (5.0, 12.5, 7.5, "increased")
    assert (row["target_value"], row["target_fiscal_year"], row["gap_to_target"]) == (30.0, 2023, 17.5)
    assert (row["n_values_after"], row["evidence_before"], row["period_after"]) == (2, S21, "2022-11-30")
    assert m.loc["telework_pc_utilization_target_pct", "change"] == "gone"


def _challenge(code, name, theme, cc, label, sid, evidence):
    return {"municipality_code": code, "municipality": name, "theme": theme, "code": cc, "code_label": label,
            "statement_id": sid, "evidence": evidence}


def test_challenges_appeared_persisted_resolved():
    before = pd.DataFrame([
        _challenge("112224", "越谷市", "telework", "budget", "予算・財源・費用", "FY2021-3.2.2-003",
                   "また、端末に対し、テレワーク利用設定を行うにあたっては、回線事業者等による設定作業が必要となり、"
                   "定期的な費用負担が発生するため、財源確保が課題である。"),
        _challenge("112224", "越谷市", "telework", "equipment", "機器・環境", "FY2021-3.2.2-004", "…台数の算出を行う必要がある。")])
    after = pd.DataFrame([
        _challenge("112224", "越谷市", "telework", "budget", "予算・財源・費用", "FY2022-3.2.2-001", "財源確保が課題である。"),
        _challenge("112224", "越谷市", "telework", "security", "セキュリティ", "FY2022-3.2.2-002", "セキュリティ対策が課題である。")])
    c = challenge_changes(before, after).set_index("code")
    assert dict(c["change"]) == {"budget": "persisted", "equipment": "resolved", "security": "appeared"}
    assert c.loc["budget", "statement_ids_before"] == "FY2021-3.2.2-003"
    assert c.loc["budget", "statement_ids_after"] == "FY2022-3.2.2-001"
    assert c.loc["security", "evidence_before"] == "" and c.loc["equipment", "change_ja"] == "挙がらなくなった"


def _tech(code, tech, label, status, sid, evidence, source=""):
    return {"municipality_code": code, "municipality": "八潮市", "technology": tech, "technology_label": label,
            "status": status, "status_label": "", "statement_id": sid, "evidence": evidence, "source": source}


def test_technologies_new_advanced_and_dropped_by_furthest_status():
    before = pd.DataFrame([
        _tech("112348", "ai_minutes", "会議録・議事録作成（音声テキスト化）", "pilot", "FY2021-5.3-001",
              "「音声テキスト化システムの実証実験」を行った。"),
        _tech("112348", "ai_minutes", "会議録・議事録作成（音声テキスト化）", "considering", "FY2021-5.3-003",
              "現在、導入に向けて検討を進めている。"),
        _tech("112348", "ai_chatbot", "AIチャットボット", "in_use", "FY2021-5.3-004", "…AIチャットボットを導入し…")])
    after = pd.DataFrame([
        _tech("112348", "ai_minutes", "会議録・議事録作成（音声テキスト化）", "in_use", "FY2022-5.3-004",
              "音声テキスト化システムを本格導入した。", "respondent"),
        _tech("112348", "other", "ドローン", "pilot", "FY2022-5.3-005", "ドローンを試行した。", "respondent")])
    t = technology_changes(before, after).set_index("technology")
    assert (t.loc["ai_minutes", "status_before"], t.loc["ai_minutes", "status_after"]) == ("pilot", "in_use")
    assert t.loc["ai_minutes", "change"] == "advanced"
    assert (t.loc["other", "technology_label"], t.loc["other", "change"]) == ("ドローン", "new")
    assert t.loc["ai_chatbot", "change"] == "dropped" and t.loc["ai_chatbot", "evidence_after"] == ""


def test_year_over_year_needs_the_previous_year(tmp_path):
    with pytest.raises(DxstudyError, match="FY2021"):
        year_over_year(2022, tmp_path)


def test_year_over_year_of_the_fy2021_report_and_a_fy2022_survey(tmp_path_factory, tmp_path):
    data = data_copy(tmp_path_factory, tmp_path)
    returned = returned_dir(tmp_path_factory, tmp_path, ["112224"])

    def respond(wb):
        wb[sheet_name("talent")]["B4"] = "0 未着手"  # stages of the fixture are 1; FY2021 rules gave 3
    edit(returned / "112224_越谷市_FY2022.xlsx", respond)
    ingest(returned, 2022, data)
    yoy = year_over_year(2022, data)
    st = yoy["stages"].set_index(["municipality", "theme"])
    talent = st.loc[("越谷市", "talent")]
    assert (talent["stage_before"], talent["stage_after"], talent["change"]) == (3, 0, "down")
    assert talent["source_before"] == "rules" and talent["source_after"] == "respondent"
    assert talent["statement_id_before"].startswith("FY2021-2.1.2-")
    assert st.loc[("草加市", "talent"), "change"] == "gone"  # no FY2022 workbook for 草加市
    techs = yoy["technologies"]
    assert set(techs.loc[techs["municipality"] == "越谷市", "change"]) <= {"same", "advanced", "regressed", "new", "dropped"}
    assert (techs.loc[techs["municipality"] == "越谷市", "change"] == "same").any()
    assert {"appeared", "persisted", "resolved"} & set(yoy["challenges"]["change"])
