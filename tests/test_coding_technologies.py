"""Technologies: which one a sentence names, how far it got (in use, pilot, considering), and
sentences whose subject is left out."""
from __future__ import annotations

import pytest

from _coding_data import make_statements
from dxstudy.coding import code_statements, explain_sentence, technology_matrix


@pytest.mark.parametrize("text, technologies, status", [
    ("RPAについては、令和2年度に実証実験を行い、令和3年6月から本格導入している。", ["rpa"], "in_use"),
    ("また、AI議事録は、令和3年度に実証実験を行い、令和4年度導入を検討している。", ["ai_minutes"], "pilot"),
    ("なお、チャットボットについては、導入に向け調査を行っている。", ["ai_chatbot"], "considering"),
    ("AI-OCRは、県内共同利用のものであり、LGWAN系とマイナンバー系で2つ契約しており、LGWAN系は全職員が随時"
     "利用することができる。", ["ai_ocr"], "in_use"),
    ("AI翻訳機は、20台導入し、窓口や保育園及び学校等で利用している。", ["ai_translation"], "in_use"),
    ("ペーパーレス化及び事務処理の効率化を目的に、生活保護システムに電子決裁を導入し、起案文書等の電子化を行った。",
     ["e_approval"], "in_use"),
    ("VPN回線を使用したテレワーク環境を構築し、令和3年1月からテレワーク用ノートパソコンの貸出を行っている。",
     ["vpn"], "in_use"),
    ("このシステムでは埼玉県市町村共同クラウドを利用したVDI(仮想デスクトップ)方式を採用しており、同方式の"
     "テレワークシステムの導入は、当市が県内初である。", ["vdi"], "in_use"),
    # 制度を利用し、…研修の実施を検討: considering, not in use
    ("また、「デジタル・ガバメント実行計画」中の「オープンデータの推進」に関し、現在、「地域情報化アドバイザー"
     "派遣制度」を利用し、オープンデータ利活用に関する職員研修の実施を検討している。", ["open_data"], "considering"),
    ("市町によっては、電子決裁が未導入で業務範囲が限られることもあり", ["e_approval"], "absent"),
])
def test_sentence_technology_and_status(text, technologies, status):
    info = explain_sentence(text)
    assert (info["technologies"], info["technology_status"]) == (technologies, status)


def test_named_without_a_status_word_counts_as_in_use():
    info = explain_sentence("また、AIについては、AI翻訳機やAI-OCR、AI会議録作成などがある。")
    assert info["technologies"] == ["ai_ocr", "ai_translation", "ai_minutes"]
    assert (info["technology_rule"], info["technology_status"]) == ("mentioned", "in_use")


STATEMENTS = make_statements([
    ("112348", "own_initiatives", "", "「音声テキスト化システムの実証実験」を行った。", 1),
    ("112348", "own_initiatives", "", "実証実験の結果では、会議録等の作成に際して、従来の手入力による文字起こしと比較して、"
     "作業時間が半減するなどの効果があり、有用性が確認された。", 1),
    ("112348", "own_initiatives", "", "現在、導入に向けて検討を進めている。", 1),
    ("112224", "own_initiatives", "", "なお、チャットボットについては、導入に向け調査を行っている。", 2),
    ("112224", "own_initiatives", "", "引き続き、AIを活用したサービス等の導入に向け、実証実験による効果検証、運用体制の構築、"
     "保守、効果測定を行う予定である。", 2),
    ("112224", "own_initiatives", "", "現在、導入に向けて検討を進めている。", 3),  # another paragraph
    ("", "own_initiatives", "", "効果的に予算を投入し、業務の効率化を進めるため、RPAの導入を検討している。", 4),
])


@pytest.fixture(scope="module")
def coded():
    return code_statements(STATEMENTS, fiscal_year=2021)


def test_left_out_subject_inherits_the_technology_of_the_paragraph(coded):
    mentions = coded["technology_mentions"]
    inherited = mentions[mentions["statement_id"] == "FY2021-5.3-003"]
    assert inherited[["technology", "status"]].values.tolist() == [["ai_minutes", "considering"]]
    assert inherited["inherited"].tolist() == [True]


def test_generic_ai_sentence_does_not_inherit(coded):
    assert "FY2021-5.2-002" not in set(coded["technology_mentions"]["statement_id"])


def test_no_inheritance_across_paragraphs(coded):
    assert "FY2021-5.2-003" not in set(coded["technology_mentions"]["statement_id"])


def test_region_wide_sentences_are_not_a_municipality_technology(coded):
    assert (coded["technologies"]["municipality_code"] != "").all()


def test_one_row_per_status_in_report_order(coded):
    techs = coded["technologies"]
    yashio = techs[techs["municipality_code"] == "112348"]
    assert yashio["status"].tolist() == ["pilot", "considering"]
    assert yashio["statement_id"].tolist() == ["FY2021-5.3-001", "FY2021-5.3-003"]


def test_matrix_shows_the_furthest_status(coded):
    matrix = technology_matrix(coded["technologies"])
    assert matrix.loc["八潮市", "ai_minutes"] == "pilot"
    assert matrix.loc["越谷市", "ai_chatbot"] == "considering"


def test_technology_columns_are_stable(coded):
    assert coded["technologies"].columns.tolist() == [
        "fiscal_year", "municipality_code", "municipality", "technology", "technology_label",
        "status", "status_label", "rule", "statement_id", "evidence"]
