"""Challenge codes: for every code a FY2021 sentence it catches and one it must not; and which
statements the challenge table codes."""
from __future__ import annotations

import pytest

from _coding_data import make_statements
from dxstudy.coding import code_statements, explain_sentence, load_rules

# code → (a sentence it catches, a sentence it must not catch), both from the FY2021 report
CASES = {
    "training": (
        "また、育成については、より効果的な研修体系を含め、整備に向けた検討が必要である。",  # 八潮市 2.2.3
        "DXに対する当事者意識を情報部門や政策部門などの一部の職員だけでなく、いかに全職員に持ってもらうかが課題である。"),
    "recruitment": (
        "職員採用試験については、応募者を増やすための効果的な方策の検討が必要である。",  # 吉川市 2.2.5
        "デジタル人材の育成に関して、継続的に研修に参加する時間の確保が必要である。"),  # 確保 of time
    "staff_shortage": (
        "職員のDXに対する意識の醸成が必要であるが、情報部門の人材が不足していることもあり、外部人材の活用を検討しているところである。",
        "また、全庁的な課題として、基本的な知識不足が挙げられる。"),  # knowledge, not people
    "budget": (
        "また、端末に対し、テレワーク利用設定を行うにあたっては、回線事業者等による設定作業が必要となり、定期的な費用負担が発生するため、財源確保が課題である。",
        "なお、各部にテレワーク用端末を配分しているが、利用頻度に偏りがあり、有効利用するために適正な台数の算出を行う必要がある。"),
    "organization": (
        "DXの取組みを全庁的に推進していくためには、計画策定に加え、全庁的な推進体制の構築についても検討していく必要がある。",
        "また、DXの各種施策は全庁での取組みが必須となるため、全職員が行革意識と同様、DX意識についても持つ必要があり、意識を醸成させるための仕組み作りを行うことが課題である。"),
    "rules": (
        "職員に対する労務管理のルールを整備することが必要である。",  # 松伏町 3.2.6
        "今後、「地域情報化アドバイザー派遣制度」を活用し、意識の醸成を図っていきたいと考えている。"),  # 制度 = a programme
    "security": (
        "また、テレワーク導入方針が未作成であり、情報セキュリティの確保など、制度面での課題がある。",
        "職員のDXに対する意識の醸成が必要であるが、情報部門の人材が不足していることもあり、外部人材の活用を検討しているところである。"),
    "adoption": (
        "2つのテレワーク事業ともに利用率が低いため、さらに利用してもらえるような方策が必要である。",  # 八潮市 3.2.3
        "しかし、テレワーク端末81台について、回線費用が固定費として発生し、回線費用は3年間の利用想定となるため、柔軟な台数の変更ができない。"),
    "scope": (
        "テレワーク可能な業務や部署の選定に苦慮している。",  # 草加市 3.2.1
        "さらに、活用にあたっては、講義内容や対象職員などについても併せて検討していく必要があると考えている。"),
    "understanding": (
        "まずは、職員のDXに対する理解を得ることが喫緊の課題となる。",  # 八潮市 1.2.3
        "意識の醸成については、研修等の開催が有効であると考えているが、継続的な研修機会の確保や講師の確保などが課題として挙げられる。"),
    "time": (
        "情報部門等以外の職員にとっては、身近に感じる機会が少なく、業務繁忙等により、DXに関する情報収集や自己啓発に時間を割くことができていない状況である。",
        "実証実験の結果では、会議録等の作成に際して、従来の手入力による文字起こしと比較して、作業時間が半減するなどの効果があり、有用性が確認された。"),
    "information": (
        "計画の策定にあたり、国の動向等を注視する必要があるが、技術革新が速い中で、どのような内容にし、何を記載すべきかを決定することが課題である。",
        "職員のDXに対する意識の醸成が必要であるが、情報部門の人材が不足していることもあり、外部人材の活用を検討しているところである。"),
    "usability": (
        "また、「自治体テレワーク推進実証実験」に関して、庁内アンケートを実施したところ、クライアント・サーバ間の接続手順が難しいとの意見があり、利便性向上のため改善が必要である。",
        "具体的には、令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに、11月には、「草加市CFT推進委員会(副部長級会議)」内で、情報推進課から「自治体DX推進手順書」の内容を説明し、情報共有を行った。"),
    "evaluation": (
        "今後は、計画の進捗管理・見直しの方法及び推進に伴って増大する事務負担への対応方法が課題である。",  # 越谷市 4.2.2
        "各職員の保有知識や業務において求められる知識が異なるため、効果的な研修の実施について、苦慮しているところである。"),
    "equipment": (
        "テキスト化率を上げるために、本格的なマイクセットが必要になるなどの課題がある。",  # 草加市 5.1
        "窓口対応がある課など、業務上テレワークを実施できない部署があることが課題として挙げられる。"),
}


def test_every_shipped_code_has_a_case_and_the_issue_codes_are_there():
    shipped = [c.code_id for c in load_rules().codes]
    issue = ["training", "recruitment", "staff_shortage", "budget", "organization", "rules",
             "security", "adoption", "scope", "understanding", "time", "information",
             "usability", "evaluation"]
    assert set(issue) <= set(shipped)
    assert sorted(CASES) == sorted(shipped)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_catches_its_sentence(code):
    assert code in explain_sentence(CASES[code][0])["codes"]


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_does_not_catch_the_near_miss(code):
    assert code not in explain_sentence(CASES[code][1])["codes"]


def test_labels_are_japanese():
    labels = {c.code_id: c.label for c in load_rules().codes}
    assert labels["training"] == "研修・育成の体系"
    assert labels["adoption"] == "利用率・利用の偏り"


def _table():
    statements = make_statements([
        ("", "telework", "challenge", "5市1町に共通する課題として、テレワーク可能な業務範囲の選定が挙げられる。"),
        ("112224", "telework", "status", "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"),
        ("112348", "telework", "challenge", "2つのテレワーク事業ともに利用率が低いため、さらに利用してもらえるような方策が必要である。"),
        ("112216", "own_initiatives", "", "テキスト化率を上げるために、本格的なマイクセットが必要になるなどの課題がある。"),
        ("112216", "own_initiatives", "", "AI翻訳機は、20台導入し、窓口や保育園及び学校等で利用している。"),
    ])
    return code_statements(statements, fiscal_year=2021)["challenges"]


def test_challenges_come_from_challenge_sentences_and_chapter5_stated_challenges():
    table = _table()
    assert table["statement_id"].tolist() == ["FY2021-3.2-001", "FY2021-3.2.3-001", "FY2021-5.1-001"]


def test_status_sentences_are_not_coded_even_when_the_words_fit():
    # 稼働率 would be adoption, but it is a 現状 sentence
    assert "FY2021-3.1.2-001" not in set(_table()["statement_id"])


def test_region_wide_summary_rows_have_an_empty_municipality():
    table = _table()
    region = table[table["statement_id"] == "FY2021-3.2-001"]
    assert region["municipality_code"].tolist() == [""] and region["code"].tolist() == ["scope"]


def test_challenge_rows_carry_label_and_evidence():
    row = _table().set_index("statement_id").loc["FY2021-3.2.3-001"]
    assert (row["code"], row["code_label"], row["municipality"]) == ("adoption", "利用率・利用の偏り", "八潮市")
    assert row["evidence"].startswith("2つのテレワーク事業ともに利用率が低い")


def test_challenge_columns_are_stable():
    assert _table().columns.tolist() == ["fiscal_year", "municipality_code", "municipality", "theme",
                                         "aspect", "code", "code_label", "statement_id", "evidence"]
