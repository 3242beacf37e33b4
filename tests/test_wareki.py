"""Japanese date parsing: era conversion, precision, ranges, context months, fiscal years, validation."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxstudy.text.era import era_to_year, era_year_label, fiscal_year_label_ja
from dxstudy.text.dates import (
    InvalidDateError, find_dates, find_dates_in_paragraphs, find_invalid_dates,
    fiscal_year_from_text, parse_as_of, parse_date, parse_publication_month,
)


def isos(text, **kw):
    return [r.iso for r in find_dates(text, **kw)]


# --- era conversion --------------------------------------------------------------------------

def test_reiwa_year_is_2018_plus_n():
    assert era_to_year("令和", 3) == 2021


def test_reiwa_gannen_is_2019():
    assert parse_date("令和元年度に実証実験を行い").iso == "FY2019"


def test_heisei_year_is_1988_plus_n():
    assert parse_date("平成24年12月に策定された「草加市情報化指針」").iso == "2012-12"


def test_heisei_gannen_is_1989():
    assert parse_date("平成元年").iso == "1989"


@pytest.mark.parametrize("fiscal_year, label", [
    (2021, "令和3年度"), (2019, "令和元年度"), (2018, "平成30年度"), (1989, "平成元年度"), (1988, "昭和63年度"),
])
def test_fiscal_year_label_ja_names_the_era_that_began_in_or_before_the_year(fiscal_year, label):
    assert fiscal_year_label_ja(fiscal_year) == label


@pytest.mark.parametrize("year", [1989, 2012, 2019, 2021, 2035])
def test_era_year_label_reads_back_to_the_same_year(year):
    assert parse_date(era_year_label(year)).iso == str(year)


def test_showa_is_converted():
    assert parse_date("昭和64年1月7日").iso == "1989-01-07"


def test_kanji_numerals_are_read():
    assert parse_date("令和三年十一月三十日").iso == "2021-11-30"


def test_fullwidth_digits_are_nfkc_normalized():
    assert parse_date("令和３年４月").iso == "2021-04"


def test_reiwa_square_glyph_is_nfkc_normalized():
    assert parse_date("㋿3年4月").iso == "2021-04"


# --- Western forms ---------------------------------------------------------------------------

def test_western_year_month():
    assert parse_date("2021年4月").iso == "2021-04"


def test_western_slash_date():
    assert parse_date("2021/4/1").iso == "2021-04-01"


def test_western_hyphen_date():
    assert parse_date("2021-04-01").iso == "2021-04-01"


def test_phone_number_is_not_a_date():
    assert find_dates("電話 048-963-9112") == []


def test_year_label_in_a_plan_name_is_not_a_date():
    assert find_dates("令和3年4月に「越谷市情報化推進計画(2021)」を策定した。")[1:] == []


# --- precision -------------------------------------------------------------------------------

def test_year_month_day_has_day_precision():
    ref = parse_date("令和3年11月11日(木)")
    assert (ref.iso, ref.precision) == ("2021-11-11", "day")


def test_year_month_has_month_precision():
    ref = parse_date("令和3年1月から庁内LANに接続できるパソコン81台を整備し")
    assert (ref.iso, ref.precision) == ("2021-01", "month")


def test_end_of_month_is_the_last_day():
    ref = parse_date("※本報告書の内容は、令和3年11月末時点のものである。")
    assert (ref.iso, ref.precision, ref.note) == ("2021-11-30", "day", "end_of_month")


def test_end_of_february_in_a_leap_year():
    assert parse_date("令和6年2月末").iso == "2024-02-29"


def test_fiscal_year_stays_a_fiscal_year():
    ref = parse_date("令和3年度から情報卒の職員採用試験を新設した。")
    assert (ref.iso, ref.precision, ref.month) == ("FY2021", "fiscal_year", None)


def test_fiscal_year_knows_it_spans_april_to_march():
    ref = parse_date("令和3年度")
    assert ref.event_fiscal_year == 2021 and ref.year is None


def test_january_belongs_to_the_previous_fiscal_year():
    assert parse_date("令和3年1月").event_fiscal_year == 2020


def test_end_of_fiscal_year_is_not_an_invented_date():
    ref = parse_date("「自治体DX推進計画」の期間が令和7年度末となっていることから")
    assert (ref.iso, ref.note) == ("FY2025", "end_of_fiscal_year")


# --- ranges and roles ------------------------------------------------------------------------

def test_range_gives_start_and_end():
    refs = find_dates("令和2年4月から令和3年3月にかけて、コンサルタントへの委託により策定作業を行った。")
    assert [(r.iso, r.role) for r in refs] == [("2020-04", "start"), ("2021-03", "end")]


def test_range_keeps_text_as_written():
    refs = find_dates("令和2年4月から令和3年3月にかけて")
    assert [r.era_text for r in refs] == ["令和2年4月", "令和3年3月"]


def test_spans_point_at_the_expression():
    text = "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"
    ref = find_dates(text)[0]
    assert text[ref.start:ref.end] == "令和5年度"


def test_fiscal_year_with_made_is_a_deadline():
    ref = find_dates("現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。")[0]
    assert (ref.iso, ref.precision, ref.role) == ("FY2023", "fiscal_year", "deadline")


def test_fiscal_year_naka_with_target_is_a_target():
    ref = find_dates("現在のところ、計画は未策定であるが、令和3年度中の策定を目標としている。")[0]
    assert (ref.iso, ref.role) == ("FY2021", "target")


def test_kara_makes_a_start():
    ref = find_dates("令和3年8月から「自治体テレワーク推進実証実験」に参加し")[0]
    assert ref.role == "start"


def test_ikou_after_a_bracket_makes_a_start():
    refs = find_dates("次年度(令和4年度)以降も5市1町で", report_fiscal_year=2021)
    assert [(r.iso, r.role) for r in refs] == [("FY2022", "start")]


def test_same_year_end_of_range_takes_the_year_of_the_start():
    refs = find_dates("令和3年4月1日から同年6月30日まで")
    assert [(r.iso, r.role) for r in refs] == [("2021-04-01", "start"), ("2021-06-30", "end")]


# --- months without a year, relative and recurring expressions ------------------------------

def test_month_only_takes_the_year_of_the_previous_date_in_the_sentence():
    refs = find_dates("具体的には、令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに、"
                      "11月には、「草加市CFT推進委員会(副部長級会議)」内で、情報推進課から説明した。")
    assert [r.iso for r in refs] == ["2021-09", "2021-11"]


def test_month_only_takes_the_year_from_the_context_parameter():
    context = parse_date("令和3年9月")
    assert parse_date("11月には", context=context).iso == "2021-11"


def test_month_only_after_a_fiscal_year_context_uses_the_fiscal_year_calendar():
    context = parse_date("令和3年度")
    assert isos("2月には", context=context) == ["2022-02"]


def test_month_only_without_context_is_left_unresolved():
    ref = parse_date("11月には")
    assert (ref.iso, ref.month, ref.note) == ("", 11, "unresolved_year")


def test_context_carries_across_sentences_of_a_paragraph_only():
    texts = ["令和3年9月に報告した。", "11月には説明した。", "11月には説明した。"]
    refs = find_dates_in_paragraphs(texts, [1, 1, 2], [2021, 2021, 2021])
    assert [r[0].iso for r in refs] == ["2021-09", "2021-11", ""]


def test_nendonai_takes_the_fiscal_year_of_the_previous_date():
    refs = find_dates("令和3年度に、組織を立ち上げ、年度内に計画の完成を目指している")
    assert [(r.iso, r.role) for r in refs] == [("FY2021", "point"), ("FY2021", "target")]


def test_nendonai_without_context_falls_back_to_the_report_fiscal_year():
    ref = parse_date("年度内に2~3回程度会議を開催し", report_fiscal_year=2021)
    assert (ref.iso, ref.note) == ("FY2021", "relative;fiscal_year_from_report")


def test_nendonai_without_any_year_is_unresolved():
    assert parse_date("年度内に2~3回程度会議を開催し").iso == ""


def test_jinendo_is_the_report_fiscal_year_plus_one():
    assert parse_date("次年度の研修", report_fiscal_year=2021).iso == "FY2022"


def test_nendo_alone_is_not_a_date():
    assert find_dates("年度単位の取組みとなってしまっていることから") == []


def test_reinen_is_flagged_recurring():
    ref = parse_date("例年4月に新規採用職員を対象とした情報セキュリティ研修を行っている。")
    assert (ref.iso, ref.precision, ref.month, ref.role) == ("", "recurring", 4, "recurring")


def test_durations_in_months_are_not_dates():
    assert find_dates("3か月間の試行") == [] and find_dates("6ヶ月") == []


def test_years_of_duration_are_not_dates():
    assert find_dates("回線費用は3年間の利用想定となるため") == []


# --- validation ------------------------------------------------------------------------------

def test_february_30_is_not_a_date():
    assert find_dates("令和3年2月30日") == []


def test_february_30_is_reported_as_invalid():
    (invalid,) = find_invalid_dates("令和3年2月30日に開催")
    assert (invalid.era_text, invalid.reason) == ("令和3年2月30日", "day 30 does not exist in 2021-02")


def test_month_13_is_not_a_date_and_not_a_year_either():
    assert find_dates("令和3年13月") == [] and find_invalid_dates("令和3年13月")[0].reason == "month 13 is not 1-12"


def test_reiwa_zero_is_invalid():
    assert find_dates("令和0年") == [] and len(find_invalid_dates("令和0年")) == 1


def test_date_before_the_era_began_is_invalid():
    assert find_dates("令和元年4月") == []


def test_strict_parse_raises_a_domain_error():
    with pytest.raises(InvalidDateError, match="令和3年2月30日"):
        parse_date("令和3年2月30日", strict=True)


def test_lenient_parse_returns_none_for_an_impossible_date():
    assert parse_date("令和3年2月30日") is None


# --- document helpers ------------------------------------------------------------------------

def test_publication_month():
    assert parse_publication_month("令和4年2月") == "2022-02"


def test_as_of_date():
    assert parse_as_of("令和3年11月末") == "2021-11-30"


def test_fiscal_year_from_title():
    assert fiscal_year_from_text("令和3年度 DX(デジタルトランスフォーメーション)に関する調査研究") == 2021


def test_fiscal_year_from_text_without_one_is_none():
    assert fiscal_year_from_text("報告書") is None


# --- robustness ------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("令和平成元年度月日末中内から~〜()0123456789十一二三 /-、。次同例毎間か"))


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=60))
def test_any_text_gives_dates_whose_span_is_the_era_text(text):
    for ref in find_dates(text, report_fiscal_year=2021):
        assert text[ref.start:ref.end] == ref.era_text


def test_long_adversarial_input_is_scanned():
    text = ("令和" * 5000) + ("1" * 5000) + ("年度" * 5000) + ("、11月" * 2000)
    refs = find_dates(text)
    assert all(r.form == "month_only" for r in refs) and len(refs) == 2000
