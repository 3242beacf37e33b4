# Tests for dxstudy.render.charts: Japanese glyphs, the matrices behind the heatmaps, events in time,
# and that figures stay readable as the number of members grows.
from __future__ import annotations

import matplotlib.text
import networkx as nx
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import handbuilt_tables as hb
from dxstudy.render import charts


@pytest.fixture(scope="module")
def t():
    return hb.tables()


def _texts(fig: Figure) -> list[str]:
    return [x.get_text() for x in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontfamily"))]


def _labels_top_to_bottom(ax) -> list[str]:
    """The y tick labels as a reader sees them, from the top of the chart down."""
    ticks = zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()))
    return [label for _, label in sorted(ticks, reverse=not ax.yaxis_inverted())]


# --- glyph check --------------------------------------------------------------------------------


def test_missing_glyph_raises_with_a_font_lacking_cjk():
    charts.setup()
    fig = Figure(figsize=(3, 1))
    fig.text(0.1, 0.5, "越谷市のテレワーク（未検証の字形）", family="DejaVu Sans")
    with pytest.raises(charts.MissingGlyphError, match="missing from"):
        charts.render(fig)


def test_japanese_text_renders_with_fontja():
    charts.setup()
    fig = Figure(figsize=(3, 1))
    fig.text(0.1, 0.5, "越谷市のテレワーク（未検証の字形）")
    assert charts.render(fig) is fig


def test_setup_makes_ipaexgothic_the_default_and_sans_serif_font():
    import matplotlib

    charts.setup()
    assert matplotlib.rcParams["font.family"] == ["IPAexGothic"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "IPAexGothic"


def test_glyph_warning_is_an_error_even_outside_render():
    charts.setup()
    fig = Figure(figsize=(3, 1))
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "松伏町", family="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from"):
        fig.canvas.draw()


# --- stages -------------------------------------------------------------------------------------


def test_stage_matrix_has_members_in_order_and_theme_labels(t):
    wide = charts.stage_matrix(t.stages, t.municipalities, t.themes)
    assert list(wide.index) == ["草加市", "越谷市", "八潮市", "三郷市", "吉川市", "松伏町"]
    assert list(wide.columns) == ["意識の醸成", "デジタル人材の確保・育成", "テレワークの推進", "計画の策定"]
    assert wide.at["越谷市", "計画の策定"] == 3
    assert wide.at["松伏町", "テレワークの推進"] == 0
    assert pd.isna(wide.at["八潮市", "計画の策定"])


def test_stage_heatmap_labels_cells_with_stage_names(t):
    fig = charts.stage_heatmap(t.stages, t.municipalities, t.themes)
    texts = _texts(fig)
    assert "3\n実施中" in texts
    assert "0\n未着手" in texts
    ticks = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert ticks == ["意識の醸成", "デジタル人材の\n確保・育成", "テレワークの推進", "計画の策定"]


def test_stage_heatmap_marks_override_cells(t):
    stages = t.stages.copy()
    stages.loc[stages["municipality"] == "吉川市", "source"] = "override"
    texts = _texts(charts.stage_heatmap(stages, t.municipalities, t.themes))
    assert "2\n試行・一部実施＊" in texts


def test_stage_heatmap_marks_cells_without_a_stage_with_a_dash(t):
    fig = charts.stage_heatmap(t.stages, t.municipalities, t.themes)
    assert "—" in _texts(fig)  # 八潮市 has no 計画の策定 stage


def test_heatmap_text_is_white_on_dark_cells_and_dark_on_light_ones(t):
    from matplotlib.colors import to_rgb

    fig = charts.stage_heatmap(t.stages, t.municipalities, t.themes)
    colors = {x.get_text(): to_rgb(x.get_color()) for x in fig.axes[0].texts}
    assert colors["3\n実施中"] == (1.0, 1.0, 1.0)
    assert max(colors["1\n検討中"]) < 0.5


@pytest.mark.parametrize("chart", ["stage_heatmap", "technology_heatmap", "challenge_heatmap"])
def test_heatmap_labels_stay_horizontal(t, chart):
    """Member names and column headers read left to right (seaborn turns crowded labels vertical)."""
    args = {"stage_heatmap": (t.stages, t.municipalities, t.themes),
            "technology_heatmap": (t.technologies, t.municipalities),
            "challenge_heatmap": (t.challenges, t.municipalities)}[chart]
    ax = getattr(charts, chart)(*args).axes[0]
    assert {x.get_rotation() for x in [*ax.get_xticklabels(), *ax.get_yticklabels()]} == {0.0}


def _many_members(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    members = pd.DataFrame({"code": [f"{110000 + i:06d}" for i in range(n)],
                            "name_ja": [f"市{i:02d}" for i in range(n)], "kind": "city"})
    stages = pd.DataFrame({"municipality_code": members["code"], "municipality": members["name_ja"],
                           "theme": "telework", "stage": [i % 4 for i in range(n)],
                           "statement_id": [f"FY2021-3.1.{i}-001" for i in range(n)], "source": "rules"})
    return members, stages


def test_stage_heatmap_grows_with_the_number_of_members():
    small = charts.stage_heatmap(*reversed(_many_members(6)))
    large = charts.stage_heatmap(*reversed(_many_members(63)))
    assert large.get_figheight() > 4 * small.get_figheight()
    assert large.get_figheight() / 63 >= 0.3  # at least 0.3 inch per row


# --- technologies and challenges ----------------------------------------------------------------


def test_technology_matrix_keeps_the_most_advanced_status(t):
    tech = pd.concat([t.technologies, t.technologies.iloc[[0]].assign(status="considering")])
    wide = charts.technology_matrix(tech, t.municipalities)
    assert wide.at["草加市", "RPA"] == "in_use"
    assert wide.at["草加市", "VDI（仮想端末）"] == "pilot"
    assert wide.at["松伏町", "RPA"] == ""
    assert list(wide.columns)[0] == "RPA"  # most members in use first


def test_technology_heatmap_for_a_theme_shows_only_that_themes_technologies(t):
    fig = charts.technology_heatmap(t.technologies, t.municipalities, t.statements, theme="telework")
    labels = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert labels == ["VPN", "VDI（仮想\n端末）"] or set(labels) == {"VPN", "VDI（仮想\n端末）"}


def test_challenge_matrix_sorts_codes_by_members_sharing_them(t):
    wide = charts.challenge_matrix(t.challenges, t.municipalities)
    assert list(wide.columns[:2]) == ["研修・育成の体系", "推進体制・組織"]
    assert wide.at["松伏町", "研修・育成の体系"] == 1
    assert wide.at["吉川市", "研修・育成の体系"] == 0


def test_challenge_heatmap_headers_say_how_many_members_share(t):
    fig = charts.challenge_heatmap(t.challenges, t.municipalities)
    labels = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert labels[0].endswith("（5）")


def test_challenge_matrix_for_one_theme(t):
    wide = charts.challenge_matrix(t.challenges, t.municipalities, theme="telework")
    assert set(wide.columns) == {"対象業務・部署の選定", "利用率・利用の偏り", "制度・ルール・方針の整備"}


# --- metrics ------------------------------------------------------------------------------------


def test_target_pairs_match_actual_and_target_ids():
    metrics = pd.DataFrame({"metric": ["telework_pc_utilization_pct", "telework_pc_utilization_target_pct",
                                       "telework_pcs"]})
    assert charts.target_pairs(metrics) == [("telework_pc_utilization_pct", "telework_pc_utilization_target_pct")]


def test_target_chart_shows_actual_target_and_deadline(t):
    metrics = t.metrics.assign(
        metric=t.metrics["metric"].str.replace("utilization", "utilization_pct").str.replace(
            "utilization_pct_target", "utilization_target_pct"),
        label_ja="テレワーク用端末の稼働率", target_fiscal_year="")
    metrics.loc[metrics["metric"] == "telework_pc_utilization_target_pct", "target_fiscal_year"] = "2023"
    texts = _texts(charts.theme_targets(metrics, "telework"))
    assert " 現状 5%" in texts  # value_text absent: the value with its unit
    assert "目標 30%（2023年度まで）" in texts


def test_metric_bars_leave_out_targets_and_label_values(t):
    fig = charts.metric_bars(t.metrics, municipalities=t.municipalities, theme="telework")
    texts = _texts(fig)
    assert " 81台" in texts and " 72人" in texts
    assert not any("30%" in x for x in texts)


def test_bars_have_the_colour_of_their_legend(t):
    """seaborn would desaturate the bars; the legend's 現状 patch and the bars must match."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    ax = charts.theme_targets(t.metrics, "telework").axes[0]
    legend = {p.get_label(): to_hex(p.get_facecolor()) for p in ax.get_legend().get_patches()}
    bars = {to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0}
    assert bars == {legend["現状"]}


# --- events -------------------------------------------------------------------------------------


def test_event_dates_reads_months_and_fiscal_years_and_numbers_in_order(t):
    placed = charts.event_dates(t.events)
    assert placed["no"].tolist() == list(range(1, len(placed) + 1))
    assert placed.iloc[0]["era_text"] == "平成24年12月"
    fy = placed[placed["date"] == "FY2023"].iloc[0]
    assert (fy["start"], fy["end"]) == (pd.Timestamp(2023, 4, 1), pd.Timestamp(2024, 3, 31))
    assert fy["precision"] == "fiscal_year"


def test_event_dates_marks_targets_and_skips_undated_and_as_of():
    events = pd.DataFrame({
        "municipality_code": ["112224", "", "112372", ""],
        "date": ["FY2023", "2021-11-30", "", "2021-07-30"],
        "role": ["deadline", "as_of", "recurring", "point"],
        "era_text": ["令和5年度", "令和3年11月末", "例年4月", "令和3年7月30日"],
    })
    placed = charts.event_dates(events)
    assert placed["era_text"].tolist() == ["令和3年7月30日", "令和5年度"]
    assert placed["is_target"].tolist() == [False, True]
    assert placed["precision"].tolist() == ["day", "fiscal_year"]


def test_events_timeline_cuts_a_long_empty_stretch(t):
    fig = charts.events_timeline(t.events, t.municipalities)
    assert len(fig.axes) == 2  # 2012 on its own, then 2021-2024
    assert [x.get_text() for x in fig.axes[0].get_yticklabels()] == ["草加市", "越谷市", "松伏町"]


def test_events_timeline_for_a_theme_without_events_is_an_explicit_empty_figure(t):
    fig = charts.events_timeline(t.events, t.municipalities, theme="awareness")
    assert charts.EMPTY_MESSAGE in _texts(fig)


# --- text analytics -----------------------------------------------------------------------------


def test_term_bars_sum_counts_over_groups_and_keep_the_top():
    freq = pd.DataFrame({"term": ["研修", "研修", "職員", "予算"], "count": [3, 2, 4, 1],
                         "municipality": ["草加市", "越谷市", "草加市", "松伏町"]})
    fig = charts.term_bars(freq, top=2)
    assert _labels_top_to_bottom(fig.axes[0]) == ["研修", "職員"]


def test_network_figure_draws_japanese_labels_and_is_reproducible():
    g = nx.Graph()
    g.add_edge("研修", "職員", weight=0.5)
    g.add_edge("研修", "体系", weight=0.3)
    g.add_edge("予算", "確保", weight=0.2)
    for node in g.nodes:
        g.nodes[node]["count"] = 2
    a = charts.to_png(charts.network_figure(g))
    b = charts.to_png(charts.network_figure(g))
    assert a == b


def test_png_has_no_timestamp_metadata(t):
    png = charts.to_png(charts.empty_figure("テスト"))
    assert b"Software" not in png and b"Creation" not in png


def _visible_text_sizes(fig: Figure) -> list[tuple[str, float]]:
    fig.canvas.draw()
    return [(x.get_text(), x.get_fontsize()) for x in fig.findobj(matplotlib.text.Text)
            if x.get_text().strip() and x.get_visible()]


@pytest.mark.parametrize("draw", [
    lambda t: charts.stage_heatmap(t.stages, t.municipalities, t.themes),
    lambda t: charts.events_timeline(t.events, t.municipalities),
], ids=["stage_heatmap", "events_timeline"])
def test_no_chart_text_is_under_9_pt(t, draw):
    small = [(text, size) for text, size in _visible_text_sizes(draw(t)) if size < 9]
    assert small == []


def test_charts_are_drawn_at_display_resolution():
    assert 96 <= charts.figure.PNG_DPI <= 110
