# Executes every notebook with papermill (defaults, and the theme notebook once per theme) against the
# real FY2021 tables built once per session, and checks what the reader gets: no error, no missing glyph.
from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
THEMES = pd.read_csv(ROOT / "dxstudy/reference/themes.csv", dtype=str)["theme"].tolist()

pytestmark = pytest.mark.notebooks

# (run name, notebook, parameters). Defaults: no parameter at all, run from <project>/notebooks so that
# the default data_dir "../data" is the fixture's data directory.
RUNS = [("overview", "overview.ipynb", {}), ("conclusions", "conclusions.ipynb", {}),
        ("theme", "theme.ipynb", {}), ("appendix", "appendix.ipynb", {})] + [
    (f"theme-{theme}", "theme.ipynb", {"theme": theme}) for theme in THEMES if theme != "telework"
]


def _execute(args: tuple[str, str, str, dict]) -> tuple[str, str | None]:
    import papermill

    name, source, project, parameters = args
    out = Path(project) / "executed" / f"{name}.ipynb"
    try:
        papermill.execute_notebook(source, str(out), parameters=parameters, cwd=str(Path(project) / "notebooks"),
                                   progress_bar=False, log_output=False, kernel_name="python3",
                                   start_timeout=180)
    except Exception as exc:  # kept for the test that names the failing notebook
        return name, f"{type(exc).__name__}: {exc}"
    return name, None


def _glyph_probe(project: Path) -> Path:
    """A notebook that draws Japanese text with a font lacking CJK glyphs, as a chart would."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from matplotlib.figure import Figure\n"
        "from dxstudy.render import charts, views\n"
        "views.setup_notebook()\n"
        "fig = Figure(figsize=(3, 1))\n"
        "fig.text(0.1, 0.5, '松伏町', family='DejaVu Sans')\n"
        "charts.render(fig)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = project / "notebooks" / "glyph_probe.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Build the FY2021 tables once into <tmp>/data and execute every run, two at a time."""
    from dxstudy.tables.build import build_processed

    project = tmp_path_factory.mktemp("project")
    (project / "data" / "raw" / "FY2021").mkdir(parents=True)
    shutil.copy(ROOT / "data/raw/FY2021/report.md", project / "data/raw/FY2021/report.md")
    (project / "notebooks").mkdir()
    (project / "executed").mkdir()
    build_processed(2021, project / "data")
    jobs = [(name, str(NOTEBOOKS / nb), str(project), params) for name, nb, params in RUNS]
    jobs.append(("glyph-probe", str(_glyph_probe(project)), str(project), {}))
    with ProcessPoolExecutor(max_workers=2) as pool:
        errors = dict(pool.map(_execute, jobs))
    return {"project": project, "errors": errors}


def _cells(executed: dict, name: str) -> list:
    return nbformat.read(executed["project"] / "executed" / f"{name}.ipynb", as_version=4).cells


def _outputs(executed: dict, name: str) -> list[dict]:
    return [o for c in _cells(executed, name) if c.cell_type == "code" for o in c.get("outputs", [])]


def _html(executed: dict, name: str) -> str:
    return "\n".join(o["data"]["text/html"] for o in _outputs(executed, name) if "text/html" in o.get("data", {}))


def _processed(executed: dict, table: str) -> pd.DataFrame:
    from dxstudy import load_tables

    return load_tables(2021, executed["project"] / "data").tables.get(table, pd.DataFrame())


# --- the committed notebooks --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["overview", "theme", "conclusions", "appendix"])
def test_committed_notebook_has_no_outputs_and_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'fiscal_year = 2021\ndata_dir = "../data"' in tagged[0].source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_theme_notebook_defaults_to_telework():
    nb = nbformat.read(NOTEBOOKS / "theme.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])][0]
    assert 'theme = "telework"' in tagged.source


@pytest.mark.parametrize("name", ["overview", "theme", "conclusions", "appendix"])
def test_notebook_cells_are_thin(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 3, cell.source
            assert "for " not in cell.source and "if " not in cell.source and "def " not in cell.source


# --- executed -----------------------------------------------------------------------------------


def test_a_missing_glyph_fails_the_notebook(executed):
    assert executed["errors"]["glyph-probe"] is not None
    assert "MissingGlyphError" in executed["errors"]["glyph-probe"]


@pytest.mark.parametrize("name", [r[0] for r in RUNS])
def test_notebook_runs_without_error(executed, name):
    assert executed["errors"][name] is None, executed["errors"][name]


@pytest.mark.parametrize("name", [r[0] for r in RUNS])
def test_notebook_has_no_missing_glyph_warning_and_no_stderr(executed, name):
    for output in _outputs(executed, name):
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        assert "missing from font" not in json.dumps(output, ensure_ascii=False)
        assert output.get("name") != "stderr", text
        assert output.get("output_type") != "error"


@pytest.mark.parametrize("name", [r[0] for r in RUNS])
def test_notebook_shows_no_raw_dataframes(executed, name):
    html = _html(executed, name)
    assert 'class="dataframe"' not in html


def test_overview_shows_meetings_charts_and_national_comparison(executed):
    html = _html(executed, "overview")
    assert "2021年7月30日（金）" in html and "報告書に関する協議" in html
    pngs = [o for o in _outputs(executed, "overview") if "image/png" in o.get("data", {})]
    assert len(pngs) >= 6
    assert "49.3%" in html and "定義" in html


@pytest.mark.parametrize("name,theme", [("theme", "telework")] + [(f"theme-{t}", t) for t in THEMES if t != "telework"])
def test_theme_notebook_shows_every_sentence_of_its_theme(executed, name, theme):
    from dxstudy.render.views import esc

    statements = _processed(executed, "statements")
    html = _html(executed, name)
    mine = statements[statements["theme"] == theme]
    assert len(mine) > 0
    missing = [s for s in mine["text"] if esc(s) not in html]
    assert missing == []


def test_theme_notebook_runs_for_the_requested_theme(executed):
    assert "第2章 デジタル人材の確保・育成" in _html(executed, "theme-talent")
    assert "第3章 テレワークの推進" in _html(executed, "theme")


def test_conclusions_contain_the_reports_two_proposals_derived_from_data(executed):
    if _processed(executed, "challenges").empty or _processed(executed, "stages").empty:
        pytest.skip("stages/challenges tables are not produced by dxstudy parse yet")
    html = _html(executed, "conclusions")
    assert "情報共有の場としてのDX専門部会の継続" in html
    assert "5市1町共同の階層別研修" in html
    assert "dx-evidence" in html  # evidence quotes are shown


def test_analyst_charts_are_in_the_appendix_not_in_the_theme_reports(executed):
    """Term lists and co-occurrence networks are for analysts: one pair per theme in the appendix, and
    none in the members' theme reports."""
    def pngs(name: str) -> int:
        return sum("image/png" in o.get("data", {}) for o in _outputs(executed, name))

    appendix = _html(executed, "appendix") + "".join(c.source for c in _cells(executed, "appendix"))
    assert pngs("appendix") == 2 * len(THEMES)
    assert all(label in appendix for label in pd.read_csv(ROOT / "dxstudy/reference/themes.csv")["label_ja"])
    for name in ["theme"] + [f"theme-{t}" for t in THEMES if t != "telework"]:
        assert "共起ネットワーク" not in "".join(c.source for c in _cells(executed, name))
