# load_all_years: every processed fiscal year (report FY2021, survey FY2022) as one table per kind with
# a fiscal_year column; columns of one year only are "" in the other.
from __future__ import annotations

import pytest

from dxstudy.survey.intake import ingest
from dxstudy.paths import processed_years
from dxstudy.tables.years import load_all_years
from survey_fixtures import CODES, data_copy, returned_dir


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("years")
    data = data_copy(tmp_path_factory, tmp)
    ingest(returned_dir(tmp_path_factory, tmp, CODES[:2]), 2022, data)
    return data


def test_processed_years_lists_the_year_directories(two_years):
    assert processed_years(two_years) == [2021, 2022]


def test_statements_of_both_years_in_one_table(two_years):
    st = load_all_years(two_years)["statements"]
    assert st.columns[0] == "fiscal_year" and st["fiscal_year"].dtype == "int64"
    assert sorted(st["fiscal_year"].unique()) == [2021, 2022]
    assert st["statement_id"].is_unique
    fy21 = st[st["fiscal_year"] == 2021]
    assert (fy21["cell"] == "").all() and (st.loc[st["fiscal_year"] == 2022, "cell"] != "").all()


def test_codes_stay_text_across_years(two_years):
    tables = load_all_years(two_years)
    assert set(tables["stages"]["municipality_code"].map(type)) == {str}
    assert tables["municipalities"].groupby("fiscal_year").size().to_dict() == {2021: 6, 2022: 6}


def test_a_table_of_one_year_only_has_that_year(two_years):
    tables = load_all_years(two_years)
    assert set(tables["responses"]["fiscal_year"]) == {2022}
    assert set(tables["lines"]["fiscal_year"]) == {2021}


def test_years_argument_restricts_and_no_data_gives_nothing(two_years, tmp_path):
    assert set(load_all_years(two_years, years=[2021])["statements"]["fiscal_year"]) == {2021}
    assert load_all_years(tmp_path / "none") == {}
