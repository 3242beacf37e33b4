# What the previous year adds, on hand-built frames: persistent challenges, the year comparison and its
# summary, trend points of the conclusions (2年続けて検討中, persistent shared challenges), the two charts.
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import handbuilt_tables as hb
from dxstudy.render import charts, loading, yoy_views
from dxstudy import reference
from dxstudy.analysis import yoy
from dxstudy.analysis import evidence, joint_actions, trends
from dxstudy.analysis import proposals as pr
from dxstudy.tables.build import ensure_processed
from dxstudy.tables.store import load_tables, write_tables

C = hb.CODES  # name -> code
LABELS = {0: "未着手", 1: "検討中", 2: "試行・一部実施", 3: "実施中"}
S21_UTILIZATION = "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"
S21_SOKA_PLANNING = "実施時期については未定であるが、自治体DX推進を目的とした計画策定の必要性を認識している。"
S21_KOSHIGAYA_PLANNING = "令和3年4月に「越谷市情報化推進計画（2021）」を策定した。"
S21_MISATO_PLANNING = "現在のところ、計画の策定については検討中である。"
NO_TECHNOLOGIES = pd.DataFrame(columns=["municipality_code", "municipality", "technology", "technology_label", "status",
                                        "status_label", "statement_id", "evidence"])


def _statement(sid, theme, aspect, name, text, kind="sentence"):
    return {"statement_id": sid, "fiscal_year": int(sid[2:6]), "section": sid.split("-")[1], "theme": theme,
            "aspect": aspect, "municipality_code": C.get(name, ""), "municipality": name, "kind": kind, "text": text}


def _stage(name, theme, stage, sid, evidence, source):
    return {"municipality_code": C[name], "municipality": name, "theme": theme, "stage": stage,
            "stage_label": LABELS[stage], "source": source, "statement_id": sid, "evidence": evidence}


def _challenge(name, theme, code, sid, evidence=""):
    return {"municipality_code": C.get(name, ""), "municipality": name, "theme": theme, "code": code,
            "code_label": hb.CHALLENGE_LABELS.get(code, code), "statement_id": sid, "evidence": evidence}


def fy2021() -> SimpleNamespace:
    """The report year: 草加市 and 三郷市 at 検討中 for planning, 越谷市 at 実施中; training raised by four
    members, budget by one; 越谷市's telework utilization 5.0% against 30% by FY2023."""
    statements = pd.DataFrame([
        _statement("FY2021-4.1.1-001", "planning", "status", "草加市", S21_SOKA_PLANNING),
        _statement("FY2021-4.1.2-001", "planning", "status", "越谷市", S21_KOSHIGAYA_PLANNING),
        _statement("FY2021-4.1.4-001", "planning", "status", "三郷市", S21_MISATO_PLANNING),
        _statement("FY2021-3.1.2-003", "telework", "status", "越谷市", S21_UTILIZATION),
        *[_statement(f"FY2021-2.2.{i}-001", "talent", "challenge", n, f"{n}の研修に関する課題（2021）。")
          for i, n in ((1, "草加市"), (2, "越谷市"), (3, "八潮市"), (4, "三郷市"))],
        _statement("FY2021-3.2.2-003", "telework", "challenge", "越谷市", "財源確保が課題である。"),
        _statement("FY2021-2.2-001", "talent", "challenge", "", "5市1町に共通する研修の課題。"),
    ])
    stages = pd.DataFrame([
        _stage("草加市", "planning", 1, "FY2021-4.1.1-001", S21_SOKA_PLANNING, "rules"),
        _stage("越谷市", "planning", 3, "FY2021-4.1.2-001", S21_KOSHIGAYA_PLANNING, "rules"),
        _stage("三郷市", "planning", 1, "FY2021-4.1.4-001", S21_MISATO_PLANNING, "rules"),
    ])
    challenges = pd.DataFrame([
        *[_challenge(n, "talent", "training", f"FY2021-2.2.{i}-001") for i, n in
          ((1, "草加市"), (2, "越谷市"), (3, "八潮市"), (4, "三郷市"))],
        _challenge("越谷市", "telework", "budget", "FY2021-3.2.2-003"),
        _challenge("", "talent", "training", "FY2021-2.2-001"),
    ])
    metrics = pd.DataFrame([
        {"municipality_code": C["越谷市"], "municipality": "越谷市", "theme": "telework",
         "metric": "telework_pc_utilization_pct", "label_ja": "テレワーク用端末の稼働率", "value": 5.0, "value_text": "5.0%",
         "unit": "%", "period": "", "target_fiscal_year": None, "statement_id": "FY2021-3.1.2-003",
         "evidence": S21_UTILIZATION},
        {"municipality_code": C["越谷市"], "municipality": "越谷市", "theme": "telework",
         "metric": "telework_pc_utilization_target_pct", "label_ja": "テレワーク用端末の稼働率の目標", "value": 30.0,
         "value_text": "30%以上", "unit": "%", "period": "FY2023", "target_fiscal_year": 2023,
         "statement_id": "FY2021-3.1.2-003", "evidence": S21_UTILIZATION}])
    document = pd.DataFrame([{"title": "令和3年度 DXに関する調査研究報告書", "as_of": "2021-11-30", "source_file": "report.md"}])
    return SimpleNamespace(statements=statements, stages=stages, challenges=challenges, metrics=metrics,
                           technologies=NO_TECHNOLOGIES, document=document, municipalities=hb.municipalities(),
                           themes=reference.themes())


def fy2022() -> SimpleNamespace:
    """The survey year: 草加市 stays 検討中 (stage cell answer + its 現状 text), 三郷市 moves to 3, 越谷市
    stays 3; training raised again by three of the four (八潮市 no longer), budget gone, security new;
    越谷市's utilization answered as 12.5%."""
    statements = pd.DataFrame([
        _statement("FY2022-4.1.1-001", "planning", "status", "草加市", "取組みの段階: 1 検討中", "table_row"),
        _statement("FY2022-4.1.1-002", "planning", "status", "草加市", S21_SOKA_PLANNING),
        _statement("FY2022-4.1.2-001", "planning", "status", "越谷市", "取組みの段階: 3 実施中", "table_row"),
        _statement("FY2022-4.1.2-002", "planning", "status", "越谷市", S21_KOSHIGAYA_PLANNING),
        _statement("FY2022-4.1.4-001", "planning", "status", "三郷市", "取組みの段階: 3 実施中", "table_row"),
        _statement("FY2022-4.1.4-002", "planning", "status", "三郷市", "令和4年10月に三郷市DX推進計画を策定した。"),
        _statement("FY2022-3.1.2-010", "telework", "status", "越谷市", "テレワーク用端末の稼働率: 12.5%", "table_row"),
        *[_statement(f"FY2022-2.2.{i}-001", "talent", "challenge", n, f"{n}の研修に関する課題（2022）。")
          for i, n in ((1, "草加市"), (2, "越谷市"), (4, "三郷市"))],
        _statement("FY2022-3.2.2-001", "telework", "challenge", "越谷市", "情報セキュリティ対策が課題である。"),
    ])
    stages = pd.DataFrame([
        _stage("草加市", "planning", 1, "FY2022-4.1.1-001", "取組みの段階: 1 検討中", "respondent"),
        _stage("越谷市", "planning", 3, "FY2022-4.1.2-001", "取組みの段階: 3 実施中", "respondent"),
        _stage("三郷市", "planning", 3, "FY2022-4.1.4-001", "取組みの段階: 3 実施中", "respondent"),
    ])
    challenges = pd.DataFrame([
        *[_challenge(n, "talent", "training", f"FY2022-2.2.{i}-001") for i, n in
          ((1, "草加市"), (2, "越谷市"), (4, "三郷市"))],
        _challenge("越谷市", "telework", "security", "FY2022-3.2.2-001"),
    ])
    metrics = pd.DataFrame([
        {"municipality_code": C["越谷市"], "municipality": "越谷市", "theme": "telework",
         "metric": "telework_pc_utilization_pct", "label_ja": "テレワーク用端末の稼働率", "value": 12.5,
         "value_text": "12.5%", "unit": "%", "period": "2022-11-30", "target_fiscal_year": None,
         "statement_id": "FY2022-3.1.2-010", "evidence": "テレワーク用端末の稼働率: 12.5%", "source": "respondent"}])
    document = pd.DataFrame([{"title": "令和4年度 DXに関する調査 回答", "as_of": "", "source_file": "112216_草加市_FY2022.xlsx"}])
    responses = pd.DataFrame([{"municipality_code": C["草加市"], "test_data": "テスト用データ"}])
    return SimpleNamespace(statements=statements, stages=stages, challenges=challenges, metrics=metrics,
                           technologies=NO_TECHNOLOGIES, document=document, responses=responses,
                           municipalities=hb.municipalities(), themes=reference.themes())


@pytest.fixture()
def comparison() -> yoy.Comparison:
    return yoy.comparison_of(fy2021(), fy2022(), 2022)


# --- dxstudy.analysis.yoy --------------------------------------------------------------------------------


def test_persistent_challenges_count_members_with_the_code_in_both_years():
    p = yoy.persistent_challenges(fy2021().challenges, fy2022().challenges, hb.municipalities()).set_index("code")
    assert list(p.index) == ["training"]  # budget only in 2021, security only in 2022
    assert (p.at["training", "n_members"], p.at["training", "members"]) == (3, "草加市・越谷市・三郷市")
    assert p.at["training", "shared"]  # 3 of 6 is half
    assert p.at["training", "statement_ids_before"] == "FY2021-2.2.1-001;FY2021-2.2.2-001;FY2021-2.2.4-001"
    assert p.at["training", "statement_ids_after"].split(";")[0] == "FY2022-2.2.1-001"


def test_persistent_challenges_need_half_of_the_members_to_be_shared():
    before = fy2021().challenges
    after = fy2022().challenges[fy2022().challenges["municipality"] != "三郷市"]
    p = yoy.persistent_challenges(before, after, hb.municipalities()).set_index("code")
    assert p.at["training", "n_members"] == 2 and not p.at["training", "shared"]


def test_region_wide_codes_are_left_out_of_the_member_view(comparison):
    assert (comparison.challenges["municipality_code"] == "").any()  # the region's 研修 sentence of 2021
    assert set(yoy.member_rows(comparison.challenges)["municipality_code"]) == {C["草加市"], C["越谷市"], C["八潮市"],
                                                                              C["三郷市"]}


def test_survey_stage_is_backed_by_the_members_first_status_sentence(comparison):
    t = yoy.with_status_sentences(comparison.stages, comparison.statements).set_index("municipality")
    assert t.at["草加市", "status_id_after"] == "FY2022-4.1.1-002"
    assert t.at["草加市", "status_id_before"] == ""  # the 2021 stage's evidence is that sentence already


def test_year_sources_tell_report_from_survey_and_carry_the_test_label(comparison):
    src = yoy.year_sources(comparison).set_index("role")
    assert (src.at["前年度", "form"], src.at["前年度", "form_detail"]) == ("報告書", "report.md")
    assert (src.at["今年度", "form"], src.at["今年度", "form_detail"]) == ("調査票", "Excelの調査票 1件")
    assert src.at["今年度", "stage_source"] == "回答者の選択 3件" and src.at["今年度", "test_data"] == "テスト用データ"
    assert src.at["前年度", "test_data"] == ""


def test_summary_sentences_come_from_the_tables(comparison):
    points = yoy.summary_points(comparison)
    assert points[0] == "2021年度（報告書）と2022年度（調査票）を比較した。"
    assert ("両年度に段階がある3件（市町×テーマ）のうち、段階が上がったのは1件、下がったのは0件、変わらなかったのは2件である。"
            "上がったのは三郷市の計画の策定（1→3）。") in points
    assert "2年続けて検討中（段階1）なのは1件：草加市（計画の策定）。" in points
    assert "越谷市のテレワーク用端末の稼働率は5.0%から12.5%になった（2023年度までの目標30%まであと17.5%）。" in points
    assert "2年続けて半数以上の市町が挙げた課題は「研修・育成の体系」（3市町）である。" in points


def test_load_comparison_without_the_previous_year_says_so_in_japanese(tmp_path):
    (tmp_path / "processed" / "FY2022").mkdir(parents=True)
    with pytest.raises(ValueError, match="前年度（2021年度）の処理済みテーブルがない") as err:
        loading.load_comparison(2022, tmp_path)
    assert "FY2021" in str(err.value)


def test_previous_tables_are_found_beside_a_loaded_year_only(tmp_path):
    for year, tables in ((2021, fy2021()), (2022, fy2022())):
        write_tables({"statements": tables.statements, "stages": tables.stages},
                     tmp_path / "processed" / f"FY{year}")
    previous = loading.previous_tables(load_tables(2022, tmp_path))
    assert previous.fiscal_year == 2021 and list(previous.stages["statement_id"])[0] == "FY2021-4.1.1-001"
    assert loading.previous_tables(load_tables(2021, tmp_path)) is None  # no FY2020
    assert loading.previous_tables(fy2022()) is None  # hand-built: no directory to look beside


# --- proposals ----------------------------------------------------------------------------------


def test_stalled_member_gets_a_horizontal_point_from_this_years_stage_3_members():
    points = trends.stalled_points(fy2021(), fy2022(), reference.themes(), hb.municipalities())
    assert len(points) == 1
    p = points.iloc[0]
    assert (p["kind"], p["theme"]) == ("horizontal", "planning")
    assert p["title_ja"] == "計画の策定：草加市は2年続けて検討中 — 越谷市・三郷市の支援による横展開を"
    assert "草加市は、2021年度・2022年度とも検討中（段階1）" in p["body_ja"]
    assert "・三郷市：「令和4年10月に三郷市DX推進計画を策定した。」" in p["body_ja"]  # its practice, not the stage cell
    ids = p["statement_ids"].split(";")
    assert ids[:3] == ["FY2021-4.1.1-001", "FY2022-4.1.1-001", "FY2022-4.1.1-002"]  # both years of 草加市
    assert f"「{S21_SOKA_PLANNING}」（4.1.1・草加市・FY2021-4.1.1-001）" in p["evidence"]


def test_stalled_member_without_anyone_further_gets_a_joint_study():
    after = fy2022()
    after.stages = after.stages[after.stages["municipality"] == "草加市"]
    p = trends.stalled_points(fy2021(), after, reference.themes(), hb.municipalities()).iloc[0]
    assert p["title_ja"] == "計画の策定：草加市は2年続けて検討中 — 5市1町での共同検討を"


def test_no_stalled_point_when_nobody_stayed_at_kentouchuu():
    after = fy2022()
    after.stages = after.stages.assign(stage=3, stage_label="実施中")
    assert trends.stalled_points(fy2021(), after, reference.themes(), hb.municipalities()).empty


def test_persistent_shared_challenge_marks_its_joint_action_and_moves_it_first():
    after = fy2022()
    joint = joint_actions.joint_action_points(after.challenges, after.stages, after.statements, hb.municipalities(), reference.themes())
    out = trends.emphasise_persistent(joint, fy2021(), after, hb.municipalities())
    first = out.iloc[0]
    assert first["title_ja"] == "【前年度から継続】5市1町共同の階層別研修"
    assert first["body_ja"].startswith("【前年度から継続している共通の課題】\n・課題「研修・育成の体系」：2021年度・2022年度とも3/6市町")
    assert first["rationale_ja"].startswith("課題コード「研修・育成の体系」が2021年度と2022年度の両方で6市町中3市町")
    assert first["statement_ids"].split(";")[0] == "FY2021-2.2.1-001"  # the previous year is quoted first
    assert len(out) == len(joint)


def test_persistent_code_without_a_joint_action_gets_its_own_point():
    mapping = pd.DataFrame([{"code": "budget", "action_id": "x", "action_ja": "共同調達", "description_ja": "…"}])
    after = fy2022()
    out = trends.emphasise_persistent(pd.DataFrame(columns=evidence.PROPOSAL_COLUMNS[1:]), fy2021(), after,
                                  hb.municipalities(), mapping)
    assert list(out["title_ja"]) == ["【前年度から継続】課題「研修・育成の体系」への5市1町共同の対応"]


def test_build_proposals_without_a_previous_year_is_the_single_year_draft():
    t = hb.tables()
    assert pr.build_proposals(t).equals(pr.build_proposals(t, previous=None))
    assert pr.conclusion_points(t) == pr.conclusion_points(t, previous=None)


def test_build_proposals_with_the_previous_year_adds_the_trend_points():
    after = fy2022()
    draft = pr.build_proposals(after, previous=fy2021())
    plain = pr.build_proposals(after, previous=None)
    assert len(draft) == len(plain) + 1
    horizontal = draft[draft["kind"] == "horizontal"]["title_ja"].tolist()
    assert horizontal[-1] == "計画の策定：草加市は2年続けて検討中 — 越谷市・三郷市の支援による横展開を"
    joint = draft[draft["kind"] == "joint_action"]
    assert joint.iloc[0]["title_ja"].startswith("【前年度から継続】")
    assert list(draft["proposal_id"]) == [f"P{i:02d}" for i in range(1, len(draft) + 1)]


def test_conclusion_points_mention_the_trend_with_a_previous_year():
    points = pr.conclusion_points(fy2022(), previous=fy2021())
    assert "前年度（2021年度）と比べ、取組み段階が上がったのは1件、下がったのは0件、変わらなかったのは2件（市町×テーマ）である。" in points
    assert "2年続けて検討中（段階1）なのは草加市（計画の策定）であり、横展開による支援を提案する。" in points


def test_trend_points_are_numbered_on_their_own(comparison):
    points = trends.trend_points(comparison.before, comparison.after, comparison.themes, comparison.municipalities)
    assert list(points["proposal_id"]) == ["T01", "T02"]
    assert list(points["kind"]) == ["horizontal", "joint_action"]


# --- charts and views ---------------------------------------------------------------------------


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontfamily"))]


def test_transition_chart_marks_each_cell_with_both_stages(comparison):
    fig = charts.stage_transition_chart(comparison.stages, comparison.municipalities, comparison.themes, 2021, 2022)
    texts = _texts(fig)
    assert {"1→1 ＝", "3→3 ＝", "1→3 ▲"} <= set(texts)
    assert "取組み段階の変化（2021年度→2022年度）" in texts
    assert "2年続けて検討中" in texts


def test_transition_chart_without_rows_says_there_is_nothing():
    fig = charts.stage_transition_chart(yoy.stage_transitions(pd.DataFrame(), pd.DataFrame()))
    assert charts.EMPTY_MESSAGE in _texts(fig)


def test_metric_change_chart_draws_the_move_and_the_target(comparison):
    texts = _texts(charts.metric_change_chart(comparison.metrics))
    assert "5.0% → 12.5%（+7.5%）" in texts and "目標 30%（2023年度）" in texts
    assert "テレワーク用端末の稼働率" in texts


def test_metric_change_chart_leaves_out_unchanged_metrics_without_target(comparison):
    unchanged = comparison.metrics.assign(target_value=float("nan"), change="unchanged")
    assert "前年度から値が変わった指標・目標のある指標はありません" in _texts(charts.metric_change_chart(unchanged))


def test_views_escape_the_quoted_text(comparison):
    after = fy2022()
    after.statements.loc[after.statements["statement_id"] == "FY2022-4.1.1-002", "text"] = "<b>計画</b>を検討している。"
    c = yoy.comparison_of(fy2021(), after, 2022)
    html = yoy_views.stage_transition_table(c).html
    assert "&lt;b&gt;計画&lt;/b&gt;を検討している。" in html and "<b>計画</b>" not in html


def test_sources_table_names_the_test_data(comparison):
    assert "「テスト用データ」の印があります" in yoy_views.sources_table(comparison).html


def test_ensure_processed_builds_it_from_raw_when_only_raw_is_there(tmp_path):
    import shutil
    from pathlib import Path

    raw = Path(__file__).resolve().parents[1] / "data" / "raw" / "FY2021" / "report.md"
    (tmp_path / "raw" / "FY2021").mkdir(parents=True)
    shutil.copy(raw, tmp_path / "raw" / "FY2021" / "report.md")
    assert not loading.has_previous_year(2022, tmp_path)
    assert ensure_processed(2021, tmp_path)
    assert (tmp_path / "processed" / "FY2021" / "stages.csv").is_file()


def test_ensure_processed_without_any_data_is_false(tmp_path):
    assert not ensure_processed(2021, tmp_path)
    assert not (tmp_path / "processed").exists()


def test_rules_verdicts_are_read_from_the_survey_note():
    stages = fy2022().stages.assign(note=["rules: 1 検討中 (considering)", "rules: 3 実施中 (in_operation)",
                                          "rules: 1 検討中 (considering)"])
    assert yoy.rules_verdicts(stages) == {(C["草加市"], "planning"): 1, (C["越谷市"], "planning"): 3,
                                          (C["三郷市"], "planning"): 1}
    assert yoy.rules_verdicts(fy2021().stages) == {}  # a report year has no respondent answers


def test_answer_contradicted_by_its_own_text_is_flagged_everywhere():
    after = fy2022()
    after.stages = after.stages.assign(note=["rules: 1 検討中 (considering)", "rules: 3 実施中 (in_operation)",
                                             "rules: 1 検討中 (considering)"])
    c = yoy.comparison_of(fy2021(), after, 2022)
    differ = yoy.disagreements(c)
    assert list(zip(differ["municipality"], differ["stage"], differ["rules_stage"])) == [("三郷市", 3, 1)]
    assert "※ 現状の記述からの自動判定は 1 検討中（回答と異なるため確認が必要）" in yoy_views.stage_transition_table(c).html
    point = trends.stalled_points(fy2021(), after, reference.themes(), hb.municipalities()).iloc[0]
    assert "※三郷市の現状の記述からの自動判定は段階1（検討中）で、回答の段階と異なる。事前に確認が必要。" in point["body_ja"]
