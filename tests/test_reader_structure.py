"""The FY2021 report lands in the right rows: every (theme, aspect, municipality) part, concrete
sentences, page-break joins, the heading without '#', captions, ids and line ranges."""
import re

import pytest

from dxstudy.reference import aspects, municipalities, themes
from reader_fixtures import fy2021, report_lines

MEMBERS = municipalities()


def statements_of(section: str):
    st = fy2021().statements
    return st[st["section"] == section]


def test_each_of_the_54_parts_has_statements_of_its_municipality():
    st = fy2021().statements
    parts = 0
    for theme in themes().itertuples():
        for aspect_number, aspect in enumerate(aspects()["aspect"] if theme.has_aspects else [""], start=1):
            for member in MEMBERS.itertuples():
                section = (f"{theme.chapter}.{aspect_number}.{member.order}" if theme.has_aspects
                           else f"{theme.chapter}.{member.order}")
                rows = st[st["section"] == section]
                assert len(rows) > 0, section
                assert set(rows["municipality"]) == {member.name_ja}, section
                assert set(rows["municipality_code"]) == {member.code}, section
                assert set(rows["theme"]) == {theme.theme}, section
                assert set(rows["aspect"]) == {aspect}, section
                parts += 1
    assert parts == 54


def test_region_wide_summaries_have_no_municipality():
    rows = statements_of("3.1")
    assert rows["text"].iloc[0].startswith("5市1町においては、「自治体テレワーク推進実証実験(J-LIS提供)」")
    assert set(rows["municipality"]) == {""} and set(rows["municipality_code"]) == {""}
    assert set(rows["aspect"]) == {"status"} and set(rows["theme"]) == {"telework"}


def test_paragraph_split_by_a_page_break_is_one_sentence():
    first = statements_of("1.1.3").iloc[0]
    assert first["text"] == "標準化システムに向けた取組みの中で、基幹系システムに携わる職員への意識の醸成を行っている。"
    assert (first["line_start"], first["line_end"]) == (130, 132)


def test_page_break_before_desu_is_joined():
    texts = list(statements_of("3.2.2")["text"])
    assert any(t.endswith("定期的な費用負担が発生するため、財源確保が課題である。") for t in texts)
    assert "である。" not in texts


def test_page_break_in_yoshikawa_planning_is_joined():
    last = statements_of("4.1.5").iloc[-1]
    assert last["text"].endswith("DX推進計画の策定を目指すしている。")
    assert (last["line_start"], last["line_end"]) == (396, 398)


def test_heading_without_hash_starts_matsubushi_planning_challenges():
    rows = statements_of("4.2.6")
    assert list(rows["text"]) == ["推進体制の整備、システム担当職員の確保・育成、予算の確保、情報セキュリティポリシーの改定などが、課題として挙げられる。"]
    assert set(rows["municipality"]) == {"松伏町"} and set(rows["aspect"]) == {"challenge"}


def test_figure_placeholder_is_not_a_statement_of_yoshikawa():
    texts = list(statements_of("4.2.5")["text"])
    assert len(texts) == 1 and "【参考】" not in "".join(texts)
    assert fy2021().lines.set_index("line").loc[433, "kind"] == "figure"


def test_photo_captions_are_captions():
    st = fy2021().statements
    captions = st[st["kind"] == "caption"].set_index("line_start")["text"]
    assert captions[148] == "外部講師によるDX推進に関する講義"
    assert captions[302] == "テレワーク開始に係る庁内説明会"


def test_spaced_letters_are_joined_without_gluing_words():
    st = fy2021().statements
    telework = st[st["section"] == "3.1.6"]["text"].iloc[0]
    assert "「自治体テレワークシステム for LGWAN」" in telework
    soka = " ".join(st[st["section"] == "5.1"]["text"])
    assert "AI-OCRとの組合せ" in soka and "LGWAN系とマイナンバー系" in soka
    assert not any(re.search(r"\b[A-Z] [A-Z]\b", t) for t in st["text"])


def test_text_raw_keeps_what_was_written():
    row = fy2021().statements.query("section == '5.1'").iloc[3]
    assert "A I－O C R" in row["text_raw"] and "AI-OCR" in row["text"]


def test_no_markup_leaks_into_statements():
    for text in fy2021().statements["text"]:
        assert not re.search(r"</?b>|\*\*|^#|^- |^・|^【参考】$", text), text


def test_lists_are_list_items_without_bullets():
    rows = statements_of("O.3")
    items = list(rows[rows["kind"] == "list_item"]["text"])
    assert items[:5] == ["意識の醸成", "デジタル人材の確保・育成", "テレワークの推進", "計画の策定", "各市町独自の取組み"]


def test_statement_ids_are_unique_and_follow_section_order():
    st = fy2021().statements
    assert st["statement_id"].is_unique
    assert st.iloc[0]["statement_id"] == "FY2021-O.1-001"
    assert "FY2021-3.1.2-002" in set(st["statement_id"])
    for sid, section in zip(st["statement_id"], st["section"]):
        assert re.fullmatch(rf"FY2021-{re.escape(section)}-\d{{3}}", sid)


def test_line_ranges_point_at_the_sentence_in_the_raw_file():
    lines = report_lines()
    for row in fy2021().statements.itertuples():
        first_words = row.text_raw[:6]
        assert first_words in lines[row.line_start - 1], (row.statement_id, first_words)


def test_conclusion_and_proposals_have_their_themes():
    st = fy2021().statements
    assert set(st[st["section"] == "C"]["theme"]) == {"conclusion"}
    proposals = st[st["section"].str.startswith("P.")]
    assert set(proposals["theme"]) == {"proposal"}
    assert set(proposals["section_title"]) == {"DX専門部会の継続", "5市1町による「協働」"}


def test_chapter_five_intro_is_region_wide_own_initiatives():
    rows = statements_of("5")
    assert set(rows["theme"]) == {"own_initiatives"} and set(rows["municipality"]) == {""}
    assert rows["text"].iloc[0].startswith("効果的に予算を投入し")


@pytest.mark.parametrize("column", ["statement_id", "section", "theme", "aspect", "municipality_code",
                                    "municipality", "kind", "text", "text_raw"])
def test_text_columns_have_no_missing_values(column):
    assert fy2021().statements[column].map(type).eq(str).all()
