# Tests for dxstudy.render.views: parameter checks and the Japanese-labelled, escaped display tables.
from __future__ import annotations

import pandas as pd
import pytest

import handbuilt_tables as hb
from dxstudy.render import charts, views


@pytest.fixture(scope="module")
def t():
    return hb.tables()


@pytest.fixture()
def data_dir(tmp_path):
    (tmp_path / "processed" / "FY2021").mkdir(parents=True)
    return tmp_path


# --- parameters ---------------------------------------------------------------------------------


def test_validate_parameters_returns_an_absolute_data_dir_and_int_year(data_dir, monkeypatch):
    monkeypatch.chdir(data_dir.parent)
    params = views.validate_parameters("2021", data_dir.name, "telework")
    assert params == {"fiscal_year": 2021, "data_dir": str(data_dir.resolve()), "theme": "telework"}


def test_validate_parameters_rejects_an_unknown_theme(data_dir):
    with pytest.raises(ValueError, match=r"unknown theme 'remote'.*awareness, talent, telework"):
        views.validate_parameters(2021, data_dir, "remote")


def test_validate_parameters_requires_a_theme_for_the_theme_notebook(data_dir):
    with pytest.raises(ValueError, match="unknown theme None"):
        views.validate_parameters(2021, data_dir, None, need_theme=True)


def test_validate_parameters_names_the_missing_processed_directory(data_dir):
    with pytest.raises(ValueError, match=r"no processed tables for fiscal year 2022: expected .*FY2022"):
        views.validate_parameters(2022, data_dir)


def test_validate_parameters_rejects_a_year_that_is_not_a_number(data_dir):
    with pytest.raises(ValueError, match="fiscal_year must be a year"):
        views.validate_parameters("令和3年度", data_dir)


def test_validate_parameters_rejects_a_missing_data_dir(tmp_path):
    with pytest.raises(ValueError, match="data_dir is not a directory"):
        views.validate_parameters(2021, tmp_path / "nowhere")


# --- tables -------------------------------------------------------------------------------------


def test_html_table_escapes_cells_and_uses_japanese_headers():
    df = pd.DataFrame({"who": ["越谷市"], "text": ["<img src=x> と $5$ と *強調*"]})
    out = views.html_table(df, {"who": "市町", "text": "記述"})._repr_html_()
    assert "<th>市町</th><th>記述</th>" in out
    assert "&lt;img src=x&gt;" in out and "<img" not in out
    assert "tex2jax_ignore" in out


def test_status_challenge_table_shows_every_sentence_of_the_theme_in_full(t):
    block = views.status_challenge_table(t.statements, "telework", t.municipalities)
    out = block._repr_html_()
    mine = t.statements[(t.statements["theme"] == "telework") & (t.statements["municipality_code"] != "")]
    for text in mine["text"]:
        assert views.esc(text) in out
    assert "<th>現状</th><th>課題</th>" in out
    assert out.index("草加市") < out.index("松伏町")


def test_status_challenge_table_for_own_initiatives_has_one_column(t):
    out = views.status_challenge_table(t.statements, "own_initiatives", t.municipalities)._repr_html_()
    assert "<th>取組み</th>" in out and "<th>課題</th>" not in out
    assert "記述なし" in out  # 三郷市 has no sentence in the hand-built table


def test_stage_table_quotes_the_deciding_sentence_with_section(t):
    out = views.stage_table(t.stages, "planning", t.statements, t.municipalities, t.themes)._repr_html_()
    assert "3 実施中" in out
    assert "「令和3年4月に「越谷市情報化推進計画（2021）」を策定した。」" in out
    assert "4.1.2・FY2021-4.1.2-001" in out


def test_stage_table_says_own_initiatives_has_no_stage(t):
    block = views.stage_table(t.stages, "own_initiatives", t.statements, t.municipalities, t.themes)
    assert "取組み段階の判定対象ではありません" in str(block)


def test_events_table_numbers_match_the_timeline(t):
    block = views.events_table(t.events)
    placed = charts.event_dates(t.events)
    first = placed.iloc[0]
    assert first["era_text"] == "平成24年12月"
    assert "<td class=\"dx-num\">1</td><td class=\"dx-narrow\">平成24年12月（2012-12）</td><td class=\"dx-narrow\">草加市</td>" in block._repr_html_()
    assert "令和5年度（FY2023）" in block._repr_html_()


def test_shared_challenges_table_lists_who_shares_what(t):
    out = views.shared_challenges_table(t.challenges, None, t.municipalities, t.themes)._repr_html_()
    assert "研修・育成の体系" in out and "5/6" in out and "共通（半数以上）" in out
    assert "松伏町：「デジタル人材の育成に関して、継続的に研修に参加する時間の確保が必要である。」" in out


def test_metrics_table_shows_value_and_unit_and_the_sentence(t):
    out = views.metrics_table(t.metrics, "telework", t.municipalities)._repr_html_()
    assert "81台" in out and "72人" in out
    assert "在宅勤務によるテレワークを行っている。" in out


def test_national_table_shows_both_definitions(t):
    from dxstudy.analysis import national

    out = views.national_table(national.national_comparison(t), t.municipalities)._repr_html_()
    assert "5市1町の判定方法" in out and "全国の定義・時点・出典" in out
    assert "83.3%（5/6）" in out and "49.3%" in out


def test_empty_input_gives_an_explicit_message(t):
    block = views.metrics_table(t.metrics.iloc[0:0])
    assert str(block) == charts.EMPTY_MESSAGE


def test_proposals_block_is_escaped_html(t):
    from dxstudy.analysis import proposals as pr

    block = views.proposals_block(pr.build_proposals(t), "joint_action")
    assert "5市1町共同の階層別研修" in block._repr_html_()
    assert "<h" not in block._repr_html_()
