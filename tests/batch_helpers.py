"""Shared helpers for the batch tests: small synthetic notebooks and data folders in tmp dirs, and
one real batch run (the project's notebooks on a copy of the FY2021 data) shared by the test modules."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from dxstudy.batch.run import BatchResult, run_batch

ROOT = Path(__file__).resolve().parents[1]
FY2021_REPORT = ROOT / "data" / "raw" / "FY2021" / "report.md"
NOTEBOOKS = ROOT / "notebooks"
REAL_NOTEBOOKS = ("overview.ipynb", "theme.ipynb", "conclusions.ipynb")

# A real sentence of the FY2021 report (3.1 テレワークの推進 / 現状), used as an evidence quote.
QUOTE = "第1回会議において、調査研究の対象とするテーマについて協議を行った結果、最も多くの市町が「デジタル人材の確保・育成」を、次に「テレワークの推進」を課題として挙げた。"


def _nb(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"  # fixed ids: the same notebook written twice is the same file
    nb.cells = cells
    return nb


def _params(theme: bool = False) -> nbformat.NotebookNode:
    src = 'fiscal_year = 2021\ndata_dir = "../data"'
    if theme:
        src += '\ntheme = "telework"'
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = ["parameters"]
    return cell


def write_synthetic_notebooks(nb_dir: Path) -> Path:
    """overview.ipynb (headings, a chart with Japanese labels, a table, a quote), theme.ipynb and
    conclusions.ipynb, each with a ``parameters`` cell. theme.ipynb raises for the theme named in
    ``<data_dir>/fail_theme.txt`` when that file exists (see :func:`write_data_dir`), and sleeps for
    the seconds in ``<data_dir>/sleep.txt`` when that exists."""
    nb_dir.mkdir(parents=True, exist_ok=True)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    overview = _nb([
        md("# 概要\n\n本レポートは試験用の概要です。"),
        _params(),
        md("## 会議の開催状況\n\n令和3年度の会議の記録です。"),
        code("import sys\nprint('kernel:', sys.executable)\nprint('年度:', fiscal_year)\n"
             "print('debugger loaded:', sys.modules.get('debugpy') is not None)"),
        md("### テレワーク導入状況の図"),
        code("import matplotlib\nimport matplotlib.pyplot as plt\nimport matplotlib_fontja\n"
             "fig, ax = plt.subplots(figsize=(4, 2.5))\n"
             "ax.bar(['草加市', '越谷市', '八潮市'], [1, 3, 2])\nax.set_title('テレワークの推進')\n"
             "plt.show()"),
        md(f"## 課題\n\n> {QUOTE}（本調査研究の概要）"),
        code("from IPython.display import HTML\n"
             "HTML('<table><thead><tr><th>市町</th><th>段階</th></tr></thead>"
             "<tbody><tr><td>草加市</td><td>1</td></tr><tr><td>越谷市</td><td>3</td></tr></tbody></table>')"),
    ])
    theme_cells = [
        md("# テーマ別分析\n\nテーマごとの現状と課題です。"),
        _params(theme=True),
        md("## 現状"),
        code("print('テーマ:', theme)"),
    ]
    theme_cells.append(code(
        "import time\n"
        "from pathlib import Path\n"
        "if (Path(data_dir) / 'sleep.txt').exists():\n"
        "    time.sleep(float((Path(data_dir) / 'sleep.txt').read_text()))\n"
        "_marker = Path(data_dir) / 'fail_theme.txt'\n"
        "if _marker.exists() and _marker.read_text(encoding='utf-8').strip() == theme:\n"
        "    raise RuntimeError('テスト用の失敗: ' + theme)"))
    theme_cells += [md("## 課題"), code("print('課題の一覧:', theme)")]
    conclusions = _nb([
        md("# 結論・次年度に向けた提言（案）"),
        _params(),
        md("## 提言\n\n- DX専門部会の継続\n- 5市1町共同の研修"),
        code("print('提言の数:', 2)"),
    ])
    nbformat.write(overview, nb_dir / "overview.ipynb")
    nbformat.write(_nb(theme_cells), nb_dir / "theme.ipynb")
    nbformat.write(conclusions, nb_dir / "conclusions.ipynb")
    return nb_dir


def write_yoy_notebook(nb_dir: Path) -> Path:
    """A small year_over_year.ipynb (前年度比較) next to the other synthetic notebooks."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = _nb([md("# 前年度比較"), _params(), md("## 要旨"),
              code("print('比較:', fiscal_year - 1, '→', fiscal_year)")])
    nbformat.write(nb, nb_dir / "year_over_year.ipynb")
    return nb_dir


def write_data_dir(data_dir: Path, fail_theme: str | None = None) -> Path:
    """A data folder laid out like data/: raw/FY2021/report.md (a copy of the real report), and
    ``fail_theme.txt`` naming the theme the synthetic theme notebook should fail for."""
    raw = data_dir / "raw" / "FY2021"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copy(FY2021_REPORT, raw / "report.md")
    if fail_theme:
        (data_dir / "fail_theme.txt").write_text(fail_theme, encoding="utf-8")
    return data_dir


def run_synthetic(data_dir: Path, nb_dir: Path, out: Path, jobs: int = 2, **kw) -> BatchResult:
    """A batch on the synthetic notebooks (kernels without pre-imports, to keep tests quick)."""
    kw.setdefault("progress", False)
    return run_batch(2021, data_dir=data_dir, out=out, jobs=jobs, notebooks_dir=nb_dir,
                     preload=(), **kw)


def stub_tables(fiscal_year: int, data_dir: Path) -> dict:
    """A stand-in for dxstudy.tables.build.build_processed where the tables do not matter."""
    report = Path(data_dir) / "raw" / f"FY{fiscal_year}" / "report.md"
    import hashlib

    return {"tables": [], "inputs": [{"path": str(report),
                                      "sha256": hashlib.sha256(report.read_bytes()).hexdigest()}]}


def real_notebooks_present() -> bool:
    return all((NOTEBOOKS / name).is_file() for name in REAL_NOTEBOOKS)


@lru_cache(maxsize=1)
def real_batch() -> tuple[BatchResult, Path]:
    """The project's notebooks run once per test session on a copy of the FY2021 data (with the
    project's data/external/), into a temporary output folder. Returns (result, base dir)."""
    base = Path(tempfile.mkdtemp(prefix="dxstudy-real-batch-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    data = write_data_dir(base / "data")
    if (ROOT / "data" / "external").is_dir():
        shutil.copytree(ROOT / "data" / "external", data / "external")
    result = run_batch(2021, data_dir=data, out=base / "outputs", progress=False)
    return result, base


class PageScan(HTMLParser):
    """Collects what the offline checks look at: network references, code cells, headings, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.external: list[str] = []
        self.styles: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.classes: list[str] = []
        self.text: list[str] = []
        self._in_style = False
        self._heading: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        self.classes.extend((a.get("class") or "").split())
        for name in ("src", "href", "data", "srcset", "poster"):
            value = (a.get(name) or "").strip()
            if tag == "a" and name == "href":
                continue  # plain hyperlinks are allowed
            if value.lower().startswith(("http:", "https:", "//", "ftp:")):
                self.external.append(f"<{tag} {name}={value}>")
        if "style" in a:
            self.styles.append(a["style"] or "")
        if tag == "style":
            self._in_style = True
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if self._heading is not None and tag == self._heading[0]:
            self.headings.append((tag, self._heading[1].replace("¶", "").strip()))
            self._heading = None

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        else:
            self.text.append(data)
        if self._heading is not None:
            self._heading[1] += data


def scan_page(path: Path) -> PageScan:
    scan = PageScan()
    scan.feed(path.read_text(encoding="utf-8"))
    scan.close()
    return scan


def css_network_refs(css: str) -> list[str]:
    """``@import`` rules and ``url(...)`` references to the network in CSS text."""
    import re

    refs = re.findall(r"@import[^;]*;", css, flags=re.I)
    for m in re.finditer(r"url\(\s*['\"]?([^'\")]+)", css, flags=re.I):
        target = m.group(1).strip().lower()
        if not target.startswith(("data:", "#")):
            refs.append(f"url({m.group(1)[:80]})")
    return refs
