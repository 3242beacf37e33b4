"""Synthetic members and reports: valid, unique, clearly fake codes and names; a generated report of the
FY2021 shape reads with every part present and every line placed, for 63 members as for six."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from dxstudy import DxstudyError, read_report
from dxstudy.report.reader import parse_report
from dxstudy import reference
from dxstudy.report.structure import walk
from synthetic import (SYNTHETIC_MARK, synthetic_municipalities, synthetic_report,
                               write_synthetic_report)
from reader_fixtures import fy2021

REAL_CODES = set(reference.municipalities()["code"])


def test_codes_are_six_digits_with_a_correct_check_digit():
    codes = synthetic_municipalities(1741)["code"]
    assert all(reference.is_valid_code(code) for code in codes)


def test_codes_and_names_are_unique_for_every_municipality_of_japan():
    members = synthetic_municipalities(1741)
    assert members["code"].is_unique and members["name_ja"].is_unique
    assert list(members["order"]) == list(range(1, 1742))


def test_codes_are_not_real_and_cannot_pass_for_a_prefecture():
    codes = synthetic_municipalities(1741)["code"]
    assert not set(codes) & REAL_CODES
    assert all(int(code[:2]) >= 90 for code in codes)        # prefectures are numbered 01–47


def test_names_say_they_are_fictional():
    members = synthetic_municipalities(63)
    assert members["name_ja"].str.fullmatch(r"(架空市|試験町)\d{3}").all()
    assert members.loc[members["kind"] == "town", "name_ja"].str.startswith("試験町").all()
    assert set(members["kind"]) == {"city", "town"}


def test_same_seed_same_members_and_report():
    assert synthetic_municipalities(63, seed=4).equals(synthetic_municipalities(63, seed=4))
    members = synthetic_municipalities(6)
    assert synthetic_report(members, seed=2) == synthetic_report(members, seed=2)
    assert synthetic_report(members, seed=2) != synthetic_report(members, seed=3)


def test_too_many_members_is_refused():
    with pytest.raises(DxstudyError, match="expected 1 to"):
        synthetic_municipalities(100_000)


@lru_cache(maxsize=1)
def report63(tmp_dir: str):
    members = synthetic_municipalities(63)
    path = write_synthetic_report(f"{tmp_dir}/synthetic63/report.md", members)
    return members, parse_report(path, municipalities=members)


@pytest.fixture(scope="module")
def read63(tmp_path_factory):
    return report63(str(tmp_path_factory.mktemp("synthetic")))


def test_63_member_report_is_marked_synthetic_in_its_title(read63):
    _, report = read63
    title = report.document["title"].iloc[0]
    assert title.startswith(SYNTHETIC_MARK) and report.fiscal_year == 2021


def test_63_member_report_places_every_line(read63):
    _, report = read63
    assert "unplaced" not in set(report.lines["kind"])
    assert report.statements["statement_id"].is_unique


def test_63_member_report_has_every_part_for_every_member(read63):
    members, report = read63
    st = report.statements
    sections = set(st["section"])
    for chapter in (1, 2, 3, 4):
        for part in (1, 2):
            assert {f"{chapter}.{part}.{i}" for i in range(1, 64)} <= sections
    assert {f"5.{i}" for i in range(1, 64)} <= sections
    assert {"O.1", "O.2", "O.3", "C", "P.1", "P.2"} <= sections
    assert set(st["municipality_code"]) - {""} == set(members["code"])


def test_63_member_report_has_meetings_and_colophon(read63):
    _, report = read63
    assert len(report.meetings) == 4
    document = report.document.iloc[0]
    assert document["published"] == "2022-02" and document["phone"] == "000-000-0000"


def test_member_texts_are_real_fy2021_sentences_with_the_member_named(read63):
    members, report = read63
    st = report.statements
    real = set(fy2021().statements["text"])
    yashio = st[(st["municipality"] == "架空市003") & (st["kind"] == "sentence")]
    assert len(yashio) >= 9
    assert yashio["text"].isin(real).mean() > 0.5     # the rest name the member instead of a real one
    assert not st["text"].str.contains("草加市|越谷市|八潮市|三郷市|吉川市|松伏町|5市1町").any()


def test_meeting_dates_follow_the_fiscal_year_with_correct_weekdays(tmp_path):
    members = synthetic_municipalities(6)
    path = write_synthetic_report(tmp_path / "report.md", members, fiscal_year=2023)
    report = parse_report(path, municipalities=members)
    assert report.fiscal_year == 2023
    assert list(report.meetings["date"]) == ["2023-07-30", "2023-08-27", "2023-10-07", "2023-11-11"]
    assert list(report.meetings["weekday_ja"]) == ["日", "日", "土", "土"]


def test_63_member_report_is_coded(tmp_path):
    members = synthetic_municipalities(63)
    path = write_synthetic_report(tmp_path / "report.md", members)
    report = read_report(path, municipalities=members)
    ids = set(report.statements["statement_id"])
    assert len(report.stages) == 63 * 4 and set(report.stages["municipality_code"]) == set(members["code"])
    assert len(report.metrics) > 63 and set(report.metrics["statement_id"]) <= ids
    assert len(report.challenges) > 63 and set(report.challenges["statement_id"]) <= ids


class CountingName(str):
    """A member name that counts how often it is compared."""

    comparisons = 0

    def __eq__(self, other):
        CountingName.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_walk_compares_member_names_a_constant_number_of_times_per_section():
    """The members seen in a part were a list: 1,741 members cost 1.5 s of comparisons in the walk."""
    members = synthetic_municipalities(200)
    counting = members.astype({"name_ja": object})
    counting["name_ja"] = pd.Series([CountingName(n) for n in members["name_ja"]], dtype=object)
    lines = synthetic_report(members).split("\n")
    CountingName.comparisons = 0
    skeleton = walk("synthetic.md", lines, counting, reference.themes(), reference.aspects())
    assert len(skeleton.sections) > 9 * 200
    assert CountingName.comparisons < 4 * 9 * 200


def test_a_synthetic_data_dir_is_read_like_a_real_year(tmp_path):
    from dxstudy.report.reader import parse_report_dir
    from synthetic import write_synthetic_data_dir

    members = write_synthetic_data_dir(tmp_path / "data", 12)
    assert reference.municipalities(tmp_path / "data").equals(members)
    report = parse_report_dir(tmp_path / "data" / "raw" / "FY2021")
    assert set(report.statements["municipality_code"]) - {""} == set(members["code"])
    assert "unplaced" not in set(report.lines["kind"])
