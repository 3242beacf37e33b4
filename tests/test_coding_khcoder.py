"""The KH Coder rule parser: headings, syntax errors that name the line, and the meaning of
words, 'strings', and/or/not and parentheses on real FY2021 sentences."""
from __future__ import annotations

import pytest

from dxstudy.coding.errors import RuleSyntaxError
from dxstudy.coding.khcoder import And, CodeRef, Not, Or, String, Word, parse_condition, parse_rules, read_rules, to_khcoder
from dxstudy.coding.matcher import TextIndex, words_of
from dxstudy.coding.rulesets import check_words

# 松伏町 3.1.6, 越谷市 3.1.2, 八潮市 3.2.3
DISCONTINUED = ("緊急事態宣言発出に伴い、令和3年1月から「自治体テレワークシステム for LGWAN」を"
                "一時的に利用したが、現在、テレワークは行っていない。")
ONGOING = "職員の働き方改革の一環として、テレワークを推進している。"
USABILITY = ("また、「自治体テレワーク推進実証実験」に関して、庁内アンケートを実施したところ、"
             "クライアント・サーバ間の接続手順が難しいとの意見があり、利便性向上のため改善が必要である。")
MANUAL = ("具体的には、令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに、11月には、"
          "「草加市CFT推進委員会(副部長級会議)」内で、情報推進課から「自治体DX推進手順書」の内容を"
          "説明し、情報共有を行った。")
TEXTS = [DISCONTINUED, ONGOING, USABILITY, MANUAL]


def matches(condition: str) -> list[bool]:
    node = parse_condition(condition)
    index = TextIndex(TEXTS, words_of([node]))
    return index.evaluate(node).tolist()


def test_heading_gives_id_and_japanese_label():
    codes = parse_rules("＊training 研修・育成の体系\n研修 or 育成\n")
    assert (codes[0].code_id, codes[0].label) == ("training", "研修・育成の体系")


def test_condition_may_span_lines_and_skip_comments():
    codes = parse_rules("# rules\n＊a ラベル\n研修\n# between\nor 育成\n\n＊b 二つ目\n'予算'\n")
    assert [c.code_id for c in codes] == ["a", "b"]
    assert codes[0].condition == Or((Word("研修"), Word("育成")))


def test_not_binds_tighter_than_and_tighter_than_or():
    node = parse_condition("a or b and not c")
    assert node == Or((Word("a"), And((Word("b"), Not(Word("c"))))))


def test_parentheses_group():
    node = parse_condition("( a or b ) and c")
    assert node == And((Or((Word("a"), Word("b"))), Word("c")))


def test_full_width_syntax_is_normalized():
    node = parse_condition("（ＤＸ　ｏｒ　'ＡＩ' ）")
    assert node == Or((Word("DX"), String("AI")))


def test_pos_restriction_and_code_reference_parse():
    codes = parse_rules("＊x 語\n行う-->動詞\n＊y 参照\n<＊x> and not '研修'\n")
    assert codes[0].condition == Word("行う", "動詞")
    assert codes[1].condition == And((CodeRef("x"), Not(String("研修"))))


@pytest.mark.parametrize("text, line, expected", [
    ("＊a ラベル\n( 研修 or 育成\n", 2, "')'"),
    ("＊a ラベル\n研修 育成\n", 2, "'and', 'or'"),
    ("＊a ラベル\n研修 or\n", 2, "a word"),
    ("＊a ラベル\n研修 and ) 育成\n", 2, "a word"),
    ("＊a ラベル\n研修\n＊b 二つ目\n'予算\n", 4, "closing quote"),
    ("研修 or 育成\n＊a ラベル\n研修\n", 1, "heading"),
    ("＊a ラベル\n研修\n＊a また\n育成\n", 3, "code id not used"),
    ("＊a ラベル\n\n＊b 二つ目\n研修\n", 1, "a condition under"),
    ("＊a ラベル\n<＊zzz> or 研修\n", 2, "a code defined above"),
    ("＊a ラベル\n研修-->\n", 2, "WORD-->POS"),
])
def test_syntax_errors_name_file_and_line(text, line, expected):
    with pytest.raises(RuleSyntaxError) as err:
        parse_rules(text, "rules/challenge_codes.txt")
    assert err.value.line == line
    assert err.value.path == "rules/challenge_codes.txt"
    assert expected in err.value.expected
    assert str(err.value).startswith(f"rules/challenge_codes.txt:{line}: expected")


def test_error_line_counts_comment_lines_inside_a_condition():
    with pytest.raises(RuleSyntaxError) as err:
        parse_rules("＊a ラベル\n研修 or\n# comment\n\nor 育成\n", "f.txt")
    assert err.value.line == 5


def test_read_rules_names_a_missing_file(tmp_path):
    with pytest.raises(RuleSyntaxError) as err:
        read_rules(tmp_path / "none.txt")
    assert err.value.line == 0 and "none.txt" in str(err.value)


def test_word_is_matched_on_tokens_not_on_text():
    # 手順 is a token of 手順書 (手順 / 書) but 'ている' never a token: words see tokens
    assert matches("手順") == [False, False, True, True]
    assert matches("推進") == [False, True, True, True]


def test_quoted_string_is_matched_on_text():
    assert matches("'ている'") == [False, True, False, False]


def test_negation_in_japanese_is_not_the_affirmative():
    # 行っていない contains 行って but not 'ている'
    assert matches("'ていない'") == [True, False, False, False]
    assert matches("'ている' and not 'ていない'") == [False, True, False, False]


def test_and_requires_both():
    assert matches("手順 and 難しい") == [False, False, True, False]


def test_word_matches_conjugated_forms_through_the_dictionary_form():
    # 情報共有を行った: the token 行っ has the dictionary form 行う
    assert matches("行う") == [False, False, False, True]


def test_pos_restricted_word():
    assert matches("テレワーク-->名詞") == [True, True, True, False]
    assert matches("テレワーク-->動詞") == [False, False, False, False]


def test_code_reference_uses_the_earlier_code():
    codes = parse_rules("＊tw テレワーク\nテレワーク\n＊tw_now 継続\n<＊tw> and not '一時的'\n")
    index = TextIndex(TEXTS, words_of([c.condition for c in codes]))
    first = index.evaluate(codes[0].condition)
    assert index.evaluate(codes[1].condition, {"tw": first}).tolist() == [False, True, True, False]


def test_compound_word_is_rejected_with_advice():
    with pytest.raises(RuleSyntaxError) as err:
        check_words(parse_condition("業務範囲 or 選定"), "rules/x.txt", 7)
    assert err.value.line == 7 and "業務 / 範囲" in err.value.found and "'string'" in err.value.expected


def test_to_khcoder_round_trips():
    text = "＊scope 対象業務・部署の選定\n選定 or ( 部署 and ( 困難 or 'できない' ) ) or not 手順-->名詞\n"
    codes = parse_rules(text)
    again = parse_rules(to_khcoder(codes))
    assert [(c.code_id, c.label, c.condition) for c in again] == \
        [(c.code_id, c.label, c.condition) for c in codes]


# --- property: writing codes back for KH Coder and reading them again gives the same conditions

from hypothesis import given, settings, strategies as st

_words = st.text(alphabet="研修予算abcxyz", min_size=1, max_size=3).filter(
    lambda w: w.lower() not in {"and", "or", "not"})
_atoms = st.one_of(_words.map(Word), _words.map(String),
                   st.tuples(_words, st.sampled_from(["名詞", "動詞"])).map(lambda t: Word(*t)))


def _flat(kind, items):
    out = []
    for item in items:
        out.extend(item.operands if isinstance(item, kind) else [item])
    return kind(tuple(out))


_trees = st.recursive(_atoms, lambda inner: st.one_of(
    inner.map(Not),
    st.lists(inner, min_size=2, max_size=3).map(lambda xs: _flat(And, xs)),
    st.lists(inner, min_size=2, max_size=3).map(lambda xs: _flat(Or, xs))), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(_trees)
def test_to_khcoder_then_parse_is_identity(tree):
    from dxstudy.coding.khcoder import Code
    text = to_khcoder([Code("c", "ラベル", tree, "", 1)])
    assert parse_rules(text)[0].condition == tree
