"""Maturity stages: the decision-list rules on real FY2021 sentences (negation, tense,
discontinued), dimensions, the topic-sentence principle, and analyst overrides."""
from __future__ import annotations

import pytest

from _coding_data import make_statements
from dxstudy.coding import OverrideError, code_statements, explain_sentence, read_overrides


def stage_of(text: str) -> tuple[str | None, int | None]:
    info = explain_sentence(text)
    return info["stage_rule"], info["stage"]


@pytest.mark.parametrize("text, rule, stage", [
    # 行っていない is not 行っている
    ("現在のところ、計画の策定は行っていない。", "not_done", 0),
    ("職員の働き方改革の一環として、テレワークを推進している。", "in_operation", 3),
    # 未策定であるが…目標 is not 策定した
    ("現在のところ、計画は未策定であるが、令和3年度中の策定を目標としている。", "target_with_deadline", 2),
    ("令和3年4月に「越谷市情報化推進計画(2021)」を策定した。", "in_operation", 3),
    # 一時的に利用したが、現在、…行っていない is 0, discontinued
    ("緊急事態宣言発出に伴い、令和3年1月から「自治体テレワークシステム for LGWAN」を一時的に利用したが、"
     "現在、テレワークは行っていない。", "discontinued", 0),
    # not now, but intended: 1
    ("現在のところ、デジタル人材の確保・育成に関する取組みは行っていないが、今後外部から人材を確保したいと考えている。",
     "considering", 1),
    ("現在のところ、計画の策定については検討中である。", "considering", 1),
    ("実施時期については未定であるが、自治体DX推進を目的とした計画策定の必要性を認識している。", "considering", 1),
    # a pilot, a part of the staff, just begun: 2
    ("テレワークにおける課題等を検証するため、令和3年8月から「自治体テレワーク推進実証実験」に参加し、"
     "一部の部署の職員が自宅からテストを行っている。", "started_or_partial", 2),
    ("デジタル人材の育成としては、新規採用職員向けに情報セキュリティ研修を実施し、知識の習得を図っているところである。",
     "started_or_partial", 2),
    ("首長及び一般職員に対する意識の醸成に関する取組みとして、「自治体DX推進手順書」内全体手順書に示された"
     "「ステップ0」に令和3年9月から着手し始めたところである。", "started_or_partial", 2),
    # a body set up, but the main verb is 検討: 1
    ("全庁への意識の醸成を図るとともに今後の変化に対応できるようにするため、「デジタル化推進担当組織(情報政策課)」"
     "を設置し、DX推進に関する取組みを現在検討している。", "considering", 1),
    # no predicate about doing anything
    ("取組みの目的は、DXを推進していくにあたり、情報担当の専門スキルの不足を補うこと及びデジタル化の各種施策展開に"
     "対応することである。", None, None),
])
def test_sentence_stage(text, rule, stage):
    assert stage_of(text) == (rule, stage)


def test_not_even_considered_is_zero_not_considering():
    assert stage_of("現在のところ、計画の策定は検討していない。") == ("not_even_considered", 0)


def test_talent_sentence_dimensions():
    dims = explain_sentence("デジタル人材の育成としては、新規採用職員向けに情報セキュリティ研修を実施し、"
                            "知識の習得を図っているところである。")["dimensions"]["talent"]
    assert dims == ["training"]  # 新規採用職員 is the audience, not recruitment


STATEMENTS = make_statements([
    # 草加市 awareness: the opening sentence (just started) decides, not the detail after it
    ("112216", "awareness", "status", "首長及び一般職員に対する意識の醸成に関する取組みとして、「自治体DX推進手順書」内"
     "全体手順書に示された「ステップ0」に令和3年9月から着手し始めたところである。", 1),
    ("112216", "awareness", "status", "具体的には、令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに、"
     "11月には、「草加市CFT推進委員会(副部長級会議)」内で、情報推進課から「自治体DX推進手順書」の内容を説明し、"
     "情報共有を行った。", 2),
    # 八潮市 talent: hiring 1, training 2 → 2 (the higher dimension)
    ("112348", "talent", "status", "デジタル人材の確保としては、効果的な方策について、国や他自治体の取組みの状況を注視して"
     "いるところである。", 3),
    ("112348", "talent", "status", "デジタル人材の育成としては、新規採用職員向けに情報セキュリティ研修を実施し、知識の"
     "習得を図っているところである。", 4),
    ("114651", "telework", "status", "緊急事態宣言発出に伴い、令和3年1月から「自治体テレワークシステム for LGWAN」を"
     "一時的に利用したが、現在、テレワークは行っていない。", 5),
    ("114651", "telework", "challenge", "職員に対する労務管理のルールを整備することが必要である。", 6),
])


@pytest.fixture(scope="module")
def coded():
    return code_statements(STATEMENTS, fiscal_year=2021)


def _stage(coded, code, theme):
    stages = coded["stages"]
    return stages[(stages["municipality_code"] == code) & (stages["theme"] == theme)].iloc[0]


def test_one_row_per_municipality_and_theme(coded):
    stages = coded["stages"]
    assert len(stages) == 3 * 4
    assert stages.groupby(["municipality_code", "theme"]).size().max() == 1


def test_opening_sentence_decides_over_the_details(coded):
    row = _stage(coded, "112216", "awareness")
    assert (row["stage"], row["rule"], row["statement_id"]) == (2, "started_or_partial", "FY2021-1.1.1-001")


def test_theme_takes_the_highest_dimension(coded):
    row = _stage(coded, "112348", "talent")
    assert (row["stage"], row["dimension"]) == (2, "training")
    details = coded["stage_details"]
    yashio = details[(details["municipality_code"] == "112348") & (details["theme"] == "talent")]
    assert dict(zip(yashio["dimension"], yashio["stage"])) == {"hiring": 1, "training": 2}


def test_discontinued_is_flagged(coded):
    row = _stage(coded, "114651", "telework")
    assert (row["stage"], bool(row["discontinued"]), row["stage_label"]) == (0, True, "未着手")


def test_every_decided_stage_quotes_its_sentence_from_the_rules(coded):
    decided = coded["stages"].dropna(subset=["stage"])
    assert (decided["source"] == "rules").all()
    texts = dict(zip(STATEMENTS["statement_id"], STATEMENTS["text"]))
    assert all(texts[s] == e for s, e in zip(decided["statement_id"], decided["evidence"]))


def test_theme_without_status_sentences_is_na_and_says_why(coded):
    row = _stage(coded, "114651", "planning")
    assert row["stage"] is __import__("pandas").NA and row["rule"] == "no_status_statements"


def test_stage_columns_are_stable(coded):
    assert coded["stages"].columns.tolist() == [
        "fiscal_year", "municipality_code", "municipality", "theme", "stage", "stage_label",
        "discontinued", "source", "rule", "dimension", "statement_id", "evidence", "note"]


def test_stage_sentences_say_which_sentence_decided(coded):
    sentences = coded["stage_sentences"].set_index("statement_id")
    assert sentences.loc["FY2021-1.1.1-001", "decides"] == "overall"
    assert sentences.loc["FY2021-1.1.1-002", "decides"] == ""
    assert sentences.loc["FY2021-1.1.1-002", "rule"] == "in_operation"


# --- overrides --------------------------------------------------------------------------------

HEADER = "municipality_code,theme,stage,reason,statement_id,discontinued\n"


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "stages.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_override_wins_and_is_marked(tmp_path):
    path = write(tmp_path, "112348,talent,1,研修は新規採用職員のみで確保策は注視段階と読む,FY2021-2.1.3-001,false\n")
    out = code_statements(STATEMENTS, fiscal_year=2021, overrides_path=path)
    row = _stage(out, "112348", "talent")
    assert (row["stage"], row["source"], row["rule"]) == (1, "override", "override")
    assert row["note"].startswith("研修は新規採用職員のみ") and row["statement_id"] == "FY2021-2.1.3-001"
    assert row["evidence"].startswith("デジタル人材の確保としては")


def test_override_without_statement_keeps_the_rules_evidence(tmp_path):
    path = write(tmp_path, "112216,awareness,3,首長への報告と全庁説明を実施済みと読む,,\n")
    row = _stage(code_statements(STATEMENTS, fiscal_year=2021, overrides_path=path), "112216", "awareness")
    assert (row["stage"], row["statement_id"]) == (3, "FY2021-1.1.1-001")


def test_header_only_override_file_changes_nothing(tmp_path):
    path = write(tmp_path, "")
    out = code_statements(STATEMENTS, fiscal_year=2021, overrides_path=path)
    assert (out["stages"]["source"] == "rules").all()


@pytest.mark.parametrize("body, line, expected", [
    ("112216,awareness,1,ok,,\n999999,talent,1,理由,,\n", 3, "municipality_code of this report"),
    ("112216,plans,1,理由,,\n", 2, "a theme among"),
    ("112216,talent,4,理由,,\n", 2, "a stage 0, 1, 2 or 3"),
    ("112216,talent,two,理由,,\n", 2, "a stage 0, 1, 2 or 3"),
    ("112216,talent,1,,,\n", 2, "a reason"),
    ("112216,talent,1,理由,,\n112216,talent,2,理由,,\n", 3, "one override per municipality"),
    ("112216,talent,1,理由,FY2021-3.1.6-001,\n", 2, "a statement_id of municipality 112216"),
    ("112216,talent,1,理由,,maybe\n", 2, "discontinued true or false"),
])
def test_bad_override_names_file_and_line(tmp_path, body, line, expected):
    path = write(tmp_path, body)
    with pytest.raises(OverrideError) as err:
        read_overrides(path, STATEMENTS)
    assert (err.value.line, err.value.path) == (line, str(path))
    assert expected in err.value.expected
    assert isinstance(err.value, ValueError)


def test_override_file_without_required_columns(tmp_path):
    path = write(tmp_path, "112216,1\n", header="municipality_code,stage\n")
    with pytest.raises(OverrideError) as err:
        read_overrides(path, STATEMENTS)
    assert err.value.line == 1 and "theme" in err.value.expected

