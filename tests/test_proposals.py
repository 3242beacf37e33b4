# Tests for dxstudy.analysis.proposals: leaders and 横展開 from stages, joint actions from shared challenges
# (the report's own two proposals must come out of the data), national figures, safe rendering.
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import handbuilt_tables as hb
from dxstudy.reference import labels as lb
from dxstudy import external
from dxstudy.analysis import evidence, joint_actions, leaders, national
from dxstudy.analysis import proposals as pr
from dxstudy.analysis.members import short_member_names
from dxstudy.render import proposal_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def t():
    return hb.tables()


# --- leaders and horizontal deployment ----------------------------------------------------------


def test_leader_point_names_stage_3_members_with_their_deciding_sentence(t):
    lead = leaders.leader_points(t.stages, t.statements, t.themes, t.municipalities)
    planning = lead[lead["theme"] == "planning"].iloc[0]
    assert planning["title_ja"] == "計画の策定：越谷市が実施中（段階3）"
    assert "「令和3年4月に「越谷市情報化推進計画（2021）」を策定した。」" in planning["body_ja"]
    assert "FY2021-4.1.2-001" in planning["statement_ids"].split(";")


def test_leader_point_quotes_further_status_sentences_of_the_leader(t):
    lead = leaders.leader_points(t.stages, t.statements, t.themes, t.municipalities)
    telework = lead[lead["theme"] == "telework"].iloc[0]
    assert "稼働率は5.0%" in telework["evidence"]  # 越谷市's second 現状 sentence


def test_horizontal_pairs_a_stage_3_member_with_members_at_stage_0_or_1_only(t):
    horiz = leaders.horizontal_points(t.stages, t.statements, t.themes, t.municipalities)
    planning = horiz[horiz["theme"] == "planning"]
    assert len(planning) == 1
    row = planning.iloc[0]
    assert row["title_ja"] == "計画の策定：越谷市の取組みを草加市・松伏町へ"
    assert "草加市（段階1・検討中）・松伏町（段階0・未着手）" in row["body_ja"]
    assert "・越谷市：「令和3年4月に「越谷市情報化推進計画（2021）」を策定した。」" in row["body_ja"]
    telework = horiz[horiz["theme"] == "telework"].iloc[0]
    assert telework["title_ja"] == "テレワークの推進：草加市・越谷市・三郷市の取組みを松伏町へ"
    assert "八潮市" not in telework["body_ja"]  # stage 2 is neither leader nor target


def test_horizontal_title_stays_short_with_many_members():
    codes = [f"{110000 + i:06d}" for i in range(12)]
    members = pd.DataFrame({"code": codes, "name_ja": [f"市{i}" for i in range(12)], "kind": "city"})
    assert short_member_names(codes, members) == "市0・市1・市2ほか9市町"


def test_no_horizontal_point_without_a_member_at_stage_3(t):
    stages = t.stages[~((t.stages["theme"] == "planning") & (t.stages["stage"] == 3))]
    horiz = leaders.horizontal_points(stages, t.statements, t.themes, t.municipalities)
    assert "planning" not in set(horiz["theme"])
    lead = leaders.leader_points(stages, t.statements, t.themes, t.municipalities)
    assert lead[lead["theme"] == "planning"].iloc[0]["title_ja"] == "計画の策定：実施中（段階3）の市町はまだない"


# --- shared challenges and joint actions --------------------------------------------------------


def test_shared_challenges_count_members_not_sentences(t):
    shared = joint_actions.shared_challenges(t.challenges, t.municipalities).set_index("code")
    assert shared.at["training", "n_members"] == 5
    assert shared.at["training", "shared"]
    assert shared.at["organization", "n_members"] == 3 and shared.at["organization", "shared"]  # 3 of 6 = half
    assert not shared.at["information", "shared"]
    assert shared.at["training", "members"] == "草加市・越谷市・八潮市・三郷市・松伏町"


def test_joint_training_comes_from_the_shared_training_code(t):
    joint = joint_actions.joint_action_points(t.challenges, t.stages, t.statements, t.municipalities, t.themes)
    titles = joint["title_ja"].tolist()
    assert titles[0] == "5市1町共同の階層別研修"
    training = joint.iloc[0]
    assert "課題「研修・育成の体系」：5/6市町" in training["body_ja"]
    assert training["evidence"].count("\n") == 4  # one quote per member


def test_joint_training_disappears_when_few_members_name_training(t):
    few = t.challenges[~((t.challenges["code"] == "training") & (t.challenges["municipality"] != "草加市"))]
    joint = joint_actions.joint_action_points(few, t.stages, t.statements, t.municipalities, t.themes)
    assert "5市1町共同の階層別研修" not in joint["title_ja"].tolist()


def test_working_group_comes_from_stage_gaps_even_without_shared_codes(t):
    joint = joint_actions.joint_action_points(t.challenges.iloc[0:0], t.stages, t.statements, t.municipalities, t.themes)
    assert joint["title_ja"].tolist() == ["情報共有の場としてのDX専門部会の継続"]
    assert "計画の策定：実施中（段階3）の越谷市と、未着手・検討中（段階0–1）の草加市・松伏町がある" in joint.iloc[0]["body_ja"]


def test_no_joint_action_without_shared_codes_or_stage_gaps(t):
    flat = t.stages.assign(stage=2)
    joint = joint_actions.joint_action_points(t.challenges.iloc[0:0], flat, t.statements, t.municipalities, t.themes)
    assert joint.empty


def test_region_label_counts_cities_and_towns(t):
    assert lb.region_label(t.municipalities) == "5市1町"
    assert lb.region_label(t.municipalities.assign(kind="city")) == "6市"


def test_joint_actions_mapping_file_maps_every_issue3_code():
    mapping = external.load_joint_actions()
    issue3 = {"training", "recruitment", "staff_shortage", "budget", "organization", "rules", "security",
              "adoption", "scope", "understanding", "time", "information", "usability", "evaluation"}
    assert issue3 <= set(mapping["code"])
    assert mapping.set_index("code").at["information", "action_ja"] == "情報共有の場としてのDX専門部会の継続"


def test_joint_actions_mapping_with_a_duplicate_code_names_the_line(tmp_path):
    path = tmp_path / "joint.csv"
    path.write_text("code,action_id,action_ja,description_ja\ntraining,a,研修,x\ntraining,b,研修2,y\n",
                    encoding="utf-8")
    with pytest.raises(external.ProposalDataError, match=r"joint.csv, line 3: expected each code once"):
        external.load_joint_actions(path)


# --- national figures ---------------------------------------------------------------------------


def test_benchmarks_file_holds_the_three_given_facts_and_no_invented_urls():
    bm = external.load_benchmarks(ROOT / "data/external/national_benchmarks.csv").set_index("benchmark_id")
    assert bm.at["telework_introduced", "value"] == 49.3
    assert bm.at["telework_introduced", "as_of"] == "2021-10-01"
    assert "地方公共団体におけるテレワークの取組状況" in bm.at["telework_introduced", "source_ja"]
    assert (bm.at["dx_overall_policy", "numerator"], bm.at["dx_overall_policy", "denominator"]) == ("219", "1741")
    assert bm.at["dx_overall_policy", "published"] == "2022-03-29"
    assert bm.at["rpa_introduced", "value"] == 19
    assert bm.at["rpa_introduced", "population"] == "その他の市区町村"
    assert bm.at["rpa_introduced", "as_of"] == "2020-12-31"
    assert (bm["source_url"] == "").all()


def test_benchmarks_with_a_non_numeric_value_name_file_and_line(tmp_path):
    src = (ROOT / "data/external/national_benchmarks.csv").read_text(encoding="utf-8")
    path = tmp_path / "bm.csv"
    path.write_text(src.replace(",49.3,", ",約5割,"), encoding="utf-8")
    with pytest.raises(external.ProposalDataError, match=r"bm.csv, line 2: expected a number in column 'value'"):
        external.load_benchmarks(path)


def test_national_comparison_computes_the_region_share_from_the_tables(t):
    comp = national.national_comparison(t).set_index("benchmark_id")
    assert (comp.at["telework_introduced", "region_numerator"], comp.at["telework_introduced", "region_denominator"]) == (5, 6)
    assert comp.at["telework_introduced", "region_members"] == "草加市・越谷市・八潮市・三郷市・吉川市"
    assert comp.at["dx_overall_policy", "region_members"] == "越谷市"
    assert comp.at["dx_overall_policy", "national_pct"] == 12.6  # 219 / 1741
    assert comp.at["rpa_introduced", "region_pct"] == 33.3


def test_national_comparison_says_definitions_differ(t):
    comp = national.national_comparison(t)
    assert comp["note_ja"].str.contains("定義が異なる").all()
    assert comp["region_definition_ja"].str.len().gt(10).all()


def test_national_telework_excludes_a_member_that_stopped(t):
    comp = national.national_comparison(t).set_index("benchmark_id")
    assert "松伏町" not in comp.at["telework_introduced", "region_members"]


# --- the whole draft ----------------------------------------------------------------------------


def test_build_proposals_has_the_documented_columns_and_evidence_for_every_point(t):
    draft = pr.build_proposals(t)
    assert list(draft.columns) == pr.PROPOSAL_COLUMNS
    assert draft["proposal_id"].tolist()[:2] == ["P01", "P02"]
    assert (draft["statement_ids"] != "").all()
    for ids, evidence in zip(draft["statement_ids"], draft["evidence"]):
        assert len(ids.split(";")) == len(evidence.split("\n"))


def test_build_proposals_contains_both_proposals_of_the_report(t):
    titles = pr.build_proposals(t)["title_ja"].tolist()
    assert "情報共有の場としてのDX専門部会の継続" in titles
    assert "5市1町共同の階層別研修" in titles


def test_conclusion_points_state_the_spread_and_the_shared_challenges(t):
    points = pr.conclusion_points(t)
    assert points[0].startswith("4テーマのうち2テーマで")
    assert "「研修・育成の体系」（5市町）" in points[1]


# --- rendering ----------------------------------------------------------------------------------


def _tricky():
    return pd.DataFrame([{
        "proposal_id": "P01", "kind": "leader", "theme": "telework",
        "title_ja": "<script>alert(1)</script> *強調*",
        "body_ja": "費用は$100と$200\n二行目",
        "rationale_ja": "a < b & c",
        "statement_ids": "FY2021-3.1.2-001",
        "evidence": "「稼働率は5.0%で<b>目標</b>は$30$」（3.1.2・越谷市・FY2021-3.1.2-001）",
    }])


def test_render_html_escapes_text_and_ignores_math():
    out = proposal_text.render_html(_tricky())
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&lt;b&gt;目標&lt;/b&gt;" in out
    assert "tex2jax_ignore" in out and "mathjax_ignore" in out
    assert "二行目" in out and "<br>" in out
    assert "3.1.2・越谷市・FY2021-3.1.2-001" in out


def test_render_markdown_escapes_emphasis_math_and_tags():
    out = proposal_text.render_markdown(_tricky())
    assert r"\*強調\*" in out
    assert r"\$100" in out and r"\$30\$" in out
    assert "&lt;script&gt;" in out and "<script>" not in out


def test_split_evidence_keeps_brackets_inside_the_sentence():
    line = evidence.quote("FY2021-4.1.2-001", hb.statements())
    assert evidence.split_evidence(line) == [("令和3年4月に「越谷市情報化推進計画（2021）」を策定した。", "4.1.2・越谷市・FY2021-4.1.2-001")]
