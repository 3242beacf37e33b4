"""The document row, the meetings table and the reference tables of the FY2021 report."""
from dxstudy.reference import check_digit, is_valid_code
from reader_fixtures import fy2021


def test_four_meetings_with_iso_dates_and_agendas():
    m = fy2021().meetings
    assert list(m["number"]) == [1, 2, 3, 4]
    assert list(m["date"]) == ["2021-07-30", "2021-08-27", "2021-10-07", "2021-11-11"]
    assert m["agenda"].iloc[0] == "部会長の選出; 調査研究テーマの選定"
    assert list(m["weekday_ja"]) == ["金", "金", "木", "木"]


def test_document_row_describes_the_report():
    d = fy2021().document.iloc[0]
    assert d["title"] == "令和3年度 DX(デジタルトランスフォーメーション)に関する調査研究報告書"
    assert d["fiscal_year"] == 2021
    assert d["published"] == "2022-02"
    assert d["as_of"] == "2021-11-30" and d["as_of_era_text"] == "令和3年11月末"
    assert d["publisher"] == "埼玉県東南部都市連絡調整会議"
    assert d["secretariat"] == "越谷市総合政策部政策課内"
    assert d["address"] == "埼玉県越谷市越ヶ谷四丁目2番1号"
    assert d["phone"] == "048-963-9112"
    assert len(d["sha256"]) == 64 and d["encoding"] == "utf-8"


def test_fiscal_year_comes_from_the_title_unless_given():
    assert fy2021().fiscal_year == 2021


def test_the_six_members_with_their_codes():
    m = fy2021().municipalities
    assert dict(zip(m["name_ja"], m["code"])) == {
        "草加市": "112216", "越谷市": "112224", "八潮市": "112348",
        "三郷市": "112372", "吉川市": "112437", "松伏町": "114651"}
    assert dict(zip(m["name_ja"], m["kind"]))["松伏町"] == "town"


def test_member_codes_have_valid_check_digits():
    assert all(is_valid_code(code) for code in fy2021().municipalities["code"])


def test_check_digit_rejects_a_wrong_code():
    assert check_digit("11221") == 6
    assert not is_valid_code("112217")
    assert not is_valid_code("11221")


def test_themes_table():
    t = fy2021().themes
    assert list(t["theme"]) == ["awareness", "talent", "telework", "planning", "own_initiatives"]
    assert list(t["chapter"]) == [1, 2, 3, 4, 5]
    assert t.set_index("theme").loc["telework", "label_ja"] == "テレワークの推進"


def test_a_data_directory_can_name_its_own_members(tmp_path):
    import pytest
    from dxstudy.errors import DxstudyError
    from dxstudy.reference import municipalities

    (tmp_path / "reference").mkdir()
    path = tmp_path / "reference" / "municipalities.csv"
    path.write_text("code,name_ja,name_en,kind,order\n112216,草加市,Soka,city,1\n112224,越谷市,Koshigaya,city,2\n",
                    encoding="utf-8")
    assert list(municipalities(tmp_path)["code"]) == ["112216", "112224"]
    assert len(municipalities()) == 6
    path.write_text("code,name_ja,name_en,kind,order\n112216,草加市,Soka,city,1\n112225,越谷市,Koshigaya,city,2\n",
                    encoding="utf-8")
    with pytest.raises(DxstudyError, match=r"municipalities.csv:3: expected a 6-digit .* found '112225'"):
        municipalities(tmp_path)
