"""The batch for a prefecture-wide working group: 63 synthetic members (tests/synthetic.py; every
municipality of 埼玉県 is 63) in a data folder of its own, the project's notebooks run once; every
report made and opened offline in Chromium, and the display stays readable at 63 members: charts
grow with the members and no tick labels overlap, the stage heatmap is sorted, per-member tables
are folded into <details> sections."""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from batch_helpers import ROOT, real_notebooks_present
from dxstudy.batch.run import run_batch
from synthetic import synthetic_municipalities, write_synthetic_report

import test_browser

N_MEMBERS = 63
#: Readability floors: a matrix row at least this tall on the page (CSS px), labels at least this big.
MIN_ROW_PX = 20
MIN_LABEL_PT = 7.5

pytestmark = [
    pytest.mark.skipif(not real_notebooks_present(), reason="the project's notebooks are not there yet"),
    pytest.mark.skipif(not test_browser.CHROMIUM.exists(), reason="chromium is not installed"),
]


@pytest.fixture(scope="module")
def scale_run(tmp_path_factory):
    """A data folder with reference/municipalities.csv (63 synthetic members) and
    raw/FY2021/report.md generated for them; the real batch run once into outputs/."""
    base = tmp_path_factory.mktemp("scale63")
    data = base / "data"
    members = synthetic_municipalities(N_MEMBERS)
    (data / "reference").mkdir(parents=True)
    members.to_csv(data / "reference" / "municipalities.csv", index=False)
    write_synthetic_report(data / "raw" / "FY2021" / "report.md", members)
    if (ROOT / "data" / "external").is_dir():
        shutil.copytree(ROOT / "data" / "external", data / "external")
    result = run_batch(2021, data_dir=data, out=base / "outputs", progress=False)
    return result, data, members


@pytest.fixture(scope="module")
def visits(scale_run) -> dict[str, dict]:
    """index.html and every report opened once in Chromium, network blocked (the helpers of
    test_browser.py; screenshots to tests/_artifacts/scale63/), plus what readability needs."""
    from playwright.sync_api import sync_playwright

    result = scale_run[0]
    saved = test_browser.ARTIFACTS
    test_browser.ARTIFACTS = saved / "scale63"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(test_browser.CHROMIUM),
                                         args=test_browser.LAUNCH_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
            try:
                out = {}
                for path in [result.output_dir / "index.html", *test_browser.report_pages(result.output_dir)]:
                    out[path.stem] = test_browser.open_offline(context, path)
                    out[path.stem].update(_layout(context, path))
                return out
            finally:
                context.close()
                browser.close()
    finally:
        test_browser.ARTIFACTS = saved


def _layout(context, path: Path) -> dict:
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    info = page.evaluate("""() => ({
        images: Array.from(document.images).map(i => ({natural: i.naturalHeight, shown: i.height})),
        long_open_tables: Array.from(document.querySelectorAll('table.dx-table'))
            .filter(t => t.tHead && t.tHead.rows[0].cells[0].innerText.trim() === '市町')
            .filter(t => t.tBodies.length && t.tBodies[0].rows.length > 12 && !t.closest('details')).length,
        wide_tables: Array.from(document.querySelectorAll('table.dx-table'))
            .filter(t => t.tHead && t.tHead.rows[0].cells.length > 14).length,
        long_open_cells: Array.from(document.querySelectorAll('table.dx-table td'))
            .filter(td => td.querySelectorAll(':scope > p').length > 12).length,
        details: document.querySelectorAll('details.dx-details').length,
        height: document.body.scrollHeight,
    })""")
    page.close()
    return {"layout": info}


def test_63_member_batch_succeeds(scale_run):
    result, _data, _members = scale_run
    assert result.status == "ok", result.summary()
    assert {r.name for r in result.reports} >= {"overview", "conclusions"}


def test_63_member_tables_hold_every_member(scale_run):
    import pandas as pd

    _result, data, members = scale_run
    statements = pd.read_csv(data / "processed" / "FY2021" / "statements.csv", dtype=str,
                             keep_default_na=False, encoding="utf-8-sig")
    assert set(members["code"]) <= set(statements["municipality_code"])


def test_63_member_pages_open_offline_without_errors(visits):
    problems = [p for stem, seen in visits.items() for p in test_browser.page_problems(stem, seen)]
    assert problems == []


def test_63_member_overview_shows_charts(visits):
    assert [i for i in visits["overview"]["images"] if i["src"].startswith("data:image/png")]


def test_per_member_tables_are_folded_into_details(visits):
    """No per-member table (first column 市町) longer than 12 rows is open on the page; each is in a
    <details> section."""
    for stem, seen in visits.items():
        assert seen["layout"]["long_open_tables"] == 0, stem
        assert seen["layout"]["long_open_cells"] == 0, stem  # e.g. 63 quotes of a shared challenge
    assert visits["overview"]["layout"]["details"] >= 1
    assert all(seen["layout"]["details"] >= 1 for stem, seen in visits.items() if stem.startswith("theme-"))


def test_overview_stage_heatmap_gives_each_member_a_readable_row(visits):
    """The first chart of the overview (the stage heatmap, a row per member) is shown at least
    MIN_ROW_PX CSS pixels per member: the figure grows with the members instead of squeezing them."""
    first = visits["overview"]["layout"]["images"][0]
    assert first["shown"] >= MIN_ROW_PX * N_MEMBERS


def test_no_table_has_a_column_per_member(visits):
    """テーマ・市町別の文の数 turns to a row per member above 12 members (no 63-column table)."""
    assert {stem: seen["layout"]["wide_tables"] for stem, seen in visits.items()
            if seen["layout"]["wide_tables"]} == {}


# --- the charts themselves, on the 63-member tables --------------------------------------------

@pytest.fixture(scope="module")
def tables63(scale_run):
    from dxstudy.render import views

    _result, data, _members = scale_run
    return views.load(2021, data)


def _labels_readable(fig) -> list[str]:
    """Problems with the tick labels of a drawn figure: too small, or overlapping a neighbour."""
    problems = []
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for axis in ("x", "y"):
            labels = [t for t in getattr(ax, f"get_{axis}ticklabels")() if t.get_visible() and t.get_text()]
            for t in labels:
                if t.get_fontsize() < MIN_LABEL_PT:
                    problems.append(f"{t.get_text()!r} at {t.get_fontsize()} pt")
            boxes = [t.get_window_extent(renderer) for t in labels]
            for (a, ta), (b, tb) in itertools.pairwise(zip(boxes, labels)):
                if a.overlaps(b) and a.intersection(a, b).height > 1 and a.intersection(a, b).width > 1:
                    problems.append(f"{ta.get_text()!r} overlaps {tb.get_text()!r}")
    return problems


def _row_px(fig, nrows: int) -> float:
    """Height of one matrix row in CSS px, the figure shown at most 960 px wide as in the reports."""
    width_in, height_in = fig.get_size_inches()
    scale = min(1.0, 960 / (width_in * 96))
    return fig.axes[0].get_position().height * height_in * 96 * scale / nrows


@pytest.mark.parametrize("chart", ["stage_heatmap", "technology_heatmap", "challenge_heatmap"])
def test_63_member_heatmap_rows_are_tall_enough_and_labels_do_not_overlap(tables63, chart):
    from dxstudy.render import charts

    t = tables63
    args = {"stage_heatmap": (t.stages, t.municipalities, t.themes),
            "technology_heatmap": (t.technologies, t.municipalities),
            "challenge_heatmap": (t.challenges, t.municipalities)}[chart]
    fig = getattr(charts, chart)(*args)
    rows = len(fig.axes[0].get_yticklabels())
    assert rows >= 40  # a row per member that has data
    assert _row_px(fig, rows) >= MIN_ROW_PX
    assert _labels_readable(fig) == []


def test_63_member_stage_heatmap_is_sorted_most_advanced_first(tables63):
    from dxstudy.render import charts

    t = tables63
    fig = charts.stage_heatmap(t.stages, t.municipalities, t.themes)
    wide = charts.stage_matrix(t.stages, t.municipalities, t.themes)
    shown = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    totals = wide.fillna(-1).sum(axis=1)
    assert [totals[name] for name in shown] == sorted(totals, reverse=True)
    assert "高い順" in fig.axes[0].get_title(loc="left")


@pytest.mark.parametrize("chart", ["metric_bars", "events_timeline"])
def test_63_member_bar_and_timeline_labels_do_not_overlap(tables63, chart):
    from dxstudy.render import charts

    t = tables63
    fig = (charts.metric_bars(t.metrics, charts.key_metric_ids(), t.municipalities) if chart == "metric_bars"
           else charts.events_timeline(t.events, t.municipalities))
    assert _labels_readable(fig) == []
