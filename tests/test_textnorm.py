"""Normalization at the edges: NFKC, PDF letter-spacing, markup, sentence splitting."""
import pytest

from dxstudy.report.headings import classify, is_toc_line
from dxstudy.text.normalize import (is_terminated, join_spaced_letters, normalize, split_sentences, strip_bullet,
                              strip_inline_markup)


@pytest.mark.parametrize("raw,expected", [
    ("D X", "DX"),
    ("D Xの意識の醸成", "DXの意識の醸成"),
    ("A I－O C R", "AI-OCR"),
    ("L G W A N系", "LGWAN系"),
    ("自治体テレワークシステム for L G W A N", "自治体テレワークシステム for LGWAN"),
    ("A I・R P A導入事業", "AI・RPA導入事業"),
    ("ＩＣＴリテラシー（情報）", "ICTリテラシー(情報)"),
    ("ｱｲ", "アイ"),
    ("I T推進本部", "IT推進本部"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_real_words_are_not_glued():
    assert join_spaced_letters("for a test") == "for a test"
    assert join_spaced_letters("VDI method for LGWAN") == "VDI method for LGWAN"


def test_control_and_invisible_characters_are_removed():
    assert normalize("DX\u200b推進\x07\ufeff") == "DX推進"


def test_inline_markup_is_removed_but_japanese_brackets_stay():
    assert strip_inline_markup("<b>第1部 テーマ別</b> **参考**") == "第1部 テーマ別 参考"
    assert strip_inline_markup("<専門部会開催結果>") == "<専門部会開催結果>"


def test_bullets_are_removed():
    assert strip_bullet("- ・意識の醸成") == ("意識の醸成", True)
    assert strip_bullet("組織体制の整備") == ("組織体制の整備", False)


def test_sentences_split_at_maru_outside_brackets():
    text = "「A。B」を行った。次に、C。"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["「A。B」を行った。", "次に、C。"]


def test_unterminated_tail_is_its_own_sentence():
    text = "行った。財源確保が課題"
    assert [text[a:b] for a, b in split_sentences(text)] == ["行った。", "財源確保が課題"]


def test_terminated():
    assert is_terminated("である。") and is_terminated("「である。」")
    assert not is_terminated("財源確保が課題")


@pytest.mark.parametrize("line,level,number,title", [
    ("#### 1.1.3 八潮市", "section", "1.1.3", "八潮市"),
    ("## 1.2 課題", "section", "1.2", "課題"),
    ("第3章 テレワークの推進", "chapter", "3", "テレワークの推進"),
    ("4.2.6 松伏町", "section", "4.2.6", "松伏町"),
    ("# 第1部 テーマ別 現状と課題", "part", "1", "テーマ別 現状と課題"),
])
def test_headings_by_number_with_or_without_hash(line, level, number, title):
    ln = classify(1, line)
    assert (ln.kind, ln.level, ln.number_label, ln.title) == ("heading", level, number, title)


def test_toc_lines_are_not_headings():
    assert is_toc_line("3.1 現状.....\t11")
    assert classify(1, "第1章 意識の醸成.....\t4").kind == "toc"


def test_sentences_starting_with_numbers_are_not_headings():
    assert classify(1, "2.5 倍に増加した。").kind == "text"
    assert classify(1, "5.0%であるが、目標は30%以上である。").kind == "text"


def test_named_headings():
    assert classify(1, "## 結論").role == "conclusion"
    assert classify(1, "次年度に向けた提言（提案）").role == "proposals"
    assert classify(1, "<専門部会開催結果>").role == "subheading"
