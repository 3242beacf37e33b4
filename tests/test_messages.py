# Tests of the message catalogue (dxstudy.reference.messages): Japanese by default, English for logs,
# every entry well formed, unknown keys and missing fields fail loudly.
import string

import pytest

from dxstudy.reference.messages import catalogue, message


def test_japanese_by_default_and_english_for_logs():
    ja = message("survey.csv_returned", file="114651_松伏町_FY2022.csv")
    assert ja.startswith("114651_松伏町_FY2022.csv") and "CSV形式" in ja
    assert "returned as CSV" in message("survey.csv_returned", lang="en", file="x.csv")


def test_every_entry_has_both_forms_with_the_same_fields():
    fields = lambda t: {f for _, f, _, _ in string.Formatter().parse(t) if f}
    for key, entry in catalogue().items():
        assert entry["ja"], key
        assert fields(entry["en"]) <= fields(entry["ja"]), key


def test_unknown_key_and_missing_field_fail():
    with pytest.raises(KeyError, match="no.such"):
        message("no.such")
    with pytest.raises(KeyError, match="file"):
        message("survey.csv_returned")
