"""HTML export of executed notebooks: Japanese, offline, no code, table of contents, stamp, failure
banner; checked on notebooks with hand-made outputs (no kernel needed)."""
from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest

from batch_helpers import QUOTE, css_network_refs, scan_page
from dxstudy.render.html_export import (
    Stamp,
    add_toc,
    export_report,
    fiscal_year_label,
    make_exporter,
    notebook_title,
    prepare_for_html,
    strip_stamp,
)

SHA = "e4775e7c6332ad2a0b622167c3e289d3b6c13818bac6ac3ab37a33c0c4257a8d"
CODE = "secret_variable_name = compute_stage_table(statements)"


def _png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def executed_notebook() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: parameters, injected parameters, outputs, timings."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code("fiscal_year = 2021")
    params.metadata["tags"] = ["parameters"]
    injected = code("# Parameters\nfiscal_year = 2021\n")
    injected.metadata["tags"] = ["injected-parameters"]
    injected.id = "a1b2c3d4"  # papermill draws a random one each run
    chart = code(CODE, execution_count=3)
    chart.outputs = [nbformat.v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"})]
    chart.metadata["papermill"] = {"start_time": "2021-01-01T00:00:00", "duration": 1.25}
    table = code("show_table()", execution_count=4)
    table.outputs = [nbformat.v4.new_output("execute_result", execution_count=4, data={
        "text/html": "<table><thead><tr><th>市町</th><th>段階</th></tr></thead>"
                     "<tbody><tr><td>草加市</td><td>1</td></tr></tbody></table>",
        "text/plain": "table"})]
    nb = nbformat.v4.new_notebook(cells=[
        md("# テレワークの推進\n\nテーマ別の分析です。"),
        params, injected,
        md("## 現状\n\n各市町の現状です。"),
        chart,
        md(f"### 越谷市\n\n> {QUOTE}（3.1）"),
        md("## 課題"),
        table,
        md("## 課題"),  # the same heading twice
    ])
    for i, cell in enumerate(nb.cells):
        if cell is not injected:
            cell.id = f"cell-{i}"
    nb.metadata["papermill"] = {"start_time": "2021-01-01T00:00:00", "duration": 3.5}
    return nb


STAMP = Stamp(fiscal_year=2021, inputs=[{"path": "raw/FY2021/report.md", "sha256": SHA}],
              rules_version="rules-1", dxstudy_version="0.1.0", run_started="2022-02-01 10:00:00 +0900")


@pytest.fixture(scope="module")
def exporter():
    return make_exporter()


@pytest.fixture(scope="module")
def page(exporter, tmp_path_factory):
    html = export_report(executed_notebook(), exporter, stamp=STAMP, notebook="theme.ipynb",
                         parameters_label="fiscal_year=2021, theme=telework", title="テーマ別: テレワークの推進")
    path = tmp_path_factory.mktemp("html") / "theme-telework.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_page_is_japanese(page):
    assert scan_page(page).html_lang == "ja"


def test_page_loads_nothing_from_the_network(page):
    scan = scan_page(page)
    assert scan.external == []
    assert css_network_refs("\n".join(scan.styles)) == []


def test_page_has_no_script_at_all(page):
    assert "<script" not in page.read_text(encoding="utf-8")


def test_page_shows_no_code_and_no_prompts(page):
    body = page.read_text(encoding="utf-8").split("<body", 1)[1]
    assert "compute_stage_table" not in body
    assert "fiscal_year = 2021" not in body
    assert "In&nbsp;[" not in body and "Out[" not in body
    classes = set(scan_page(page).classes)
    assert not classes & {"jp-InputPrompt", "jp-OutputPrompt", "jp-InputArea-editor", "highlight"}


def test_page_uses_a_japanese_font_stack(page):
    css = "\n".join(scan_page(page).styles)
    assert re.search(r'"IPAexGothic",.*"Noto Sans CJK JP",.*"Hiragino Sans",.*"Yu Gothic",.*"Meiryo",\s*sans-serif', css, re.S)


def test_page_has_print_rules_for_a4_and_uncut_figures(page):
    css = "\n".join(scan_page(page).styles)
    assert "size: A4" in css
    print_css = css[css.index("@media print"):]
    assert re.search(r"\bimg\s*{\s*max-width: 100% !important", print_css)
    assert "break-inside: avoid" in css


def test_chart_is_embedded_as_data_uri(page):
    text = page.read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="data:image/png;base64,', text)
    assert 'alt="図"' in text


def test_table_of_contents_lists_h2_and_h3_in_order(page):
    text = page.read_text(encoding="utf-8")
    nav = re.search(r'<nav class="dx-toc".*?</nav>', text, re.S).group(0)
    assert re.findall(r">([^<]+)</a>", nav) == ["現状", "越谷市", "課題", "課題"]


def test_table_of_contents_links_point_at_existing_unique_ids(page):
    text = page.read_text(encoding="utf-8")
    nav = re.search(r'<nav class="dx-toc".*?</nav>', text, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(set(targets)) == len(targets) == 4
    for target in targets:
        assert text.count(f'id="{target}"') == 1, target


def test_table_of_contents_follows_the_title(page):
    text = page.read_text(encoding="utf-8")
    assert text.index("</h1>") < text.index('<nav class="dx-toc"') < text.index("<h2")


def test_sections_are_numbered_by_css_counters(page):
    css = "\n".join(scan_page(page).styles)
    assert "main h2::before { content: counter(dx-h2)" in css
    assert 'content: counter(dx-h2) "." counter(dx-h3)' in css


def test_evidence_quote_is_visible(page):
    assert QUOTE in "".join(scan_page(page).text)


def test_stamp_names_year_inputs_and_versions(page):
    text = "".join(scan_page(page).text)
    for fact in ("令和3年度（FY2021）", "raw/FY2021/report.md", SHA, "rules-1", "0.1.0",
                 "2022-02-01 10:00:00 +0900", "theme=telework"):
        assert fact in text


def test_strip_stamp_removes_only_the_stamp(page):
    text = page.read_text(encoding="utf-8")
    stripped = strip_stamp(text)
    assert SHA not in stripped and "2022-02-01" not in stripped
    assert "越谷市" in stripped


def test_title_is_the_report_title_and_year(page):
    assert "<title>テーマ別: テレワークの推進 — 令和3年度（FY2021）</title>" in page.read_text(encoding="utf-8")


def test_failed_report_carries_a_banner_with_the_error(exporter):
    html = export_report(executed_notebook(), exporter, stamp=STAMP, notebook="theme.ipynb",
                         error="KeyError: 'telework'（セル 5）")
    assert "このレポートは実行に失敗しました" in html
    assert "KeyError: &#39;telework&#39;（セル 5）" in html or "KeyError: 'telework'（セル 5）" in html


def test_same_notebook_exports_to_the_same_html(exporter):
    a = export_report(executed_notebook(), exporter, stamp=STAMP, notebook="theme.ipynb")
    b_nb = executed_notebook()
    b_nb.cells[2].id = "ffff0000"  # another random id for the injected parameters
    b_nb.metadata["papermill"]["duration"] = 9.9
    b = export_report(b_nb, exporter, stamp=STAMP, notebook="theme.ipynb")
    assert a == b


def test_prepare_for_html_drops_papermill_error_cells_and_timings():
    nb = executed_notebook()
    banner = nbformat.v4.new_markdown_cell("<span>An Exception was encountered</span>")
    banner.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(0, banner)
    clean = prepare_for_html(nb)
    assert len(clean.cells) == len(nb.cells) - 1
    assert all("papermill" not in c.metadata for c in clean.cells)
    assert "papermill" not in clean.metadata
    assert clean.cells[2].id == "injected-parameters"
    assert nb.cells[0] is banner  # the input is not modified


def test_notebook_title_is_the_first_level_one_heading():
    assert notebook_title(executed_notebook()) == "テレワークの推進"


def test_toc_gives_ids_to_headings_without_one():
    page = "<body><main>\n<!-- dx-toc -->\n<h2>はじめに</h2><p>x</p><h3 class='k'>詳細</h3></main></body>"
    out = add_toc(page)
    assert '<h2 id="dx-sec-1">はじめに</h2>' in out
    assert '<h3 id="dx-sec-2" class="k">詳細</h3>' in out
    assert '<a href="#dx-sec-2">詳細</a>' in out


@pytest.mark.parametrize("year, label", [(2021, "令和3年度（FY2021）"), (2019, "令和元年度（FY2019）"),
                                         (2018, "平成30年度（FY2018）")])
def test_fiscal_year_label(year, label):
    assert fiscal_year_label(year) == label


def test_cells_tagged_remove_cell_or_remove_output_are_left_out(exporter):
    nb = executed_notebook()
    hidden = nbformat.v4.new_markdown_cell("分析者向けのメモ")
    hidden.metadata["tags"] = ["remove-cell"]
    quiet = nbformat.v4.new_code_cell("x", execution_count=9)
    quiet.outputs = [nbformat.v4.new_output("stream", name="stdout", text="デバッグ出力\n")]
    quiet.metadata["tags"] = ["remove-output"]
    nb.cells += [hidden, quiet]
    html = export_report(nb, exporter, stamp=STAMP, notebook="theme.ipynb")
    assert "分析者向けのメモ" not in html and "デバッグ出力" not in html


def test_navigation_links_are_shown_at_top_and_bottom(exporter):
    nav = [{"rel": "index", "href": "index.html", "label": "一覧へ"},
           {"rel": "prev", "href": "overview.html", "label": "前：概要"},
           {"rel": "next", "href": "theme-talent.html", "label": "次：デジタル人材"}]
    stamp = Stamp(fiscal_year=2021, nav=nav)
    html = export_report(executed_notebook(), exporter, stamp=stamp, notebook="theme.ipynb")
    nav_re = r'<nav [^>]*class="dx-nav"[^>]*>(.*?)</nav>'
    navs = [(m.start(), m.group(1)) for m in re.finditer(nav_re, html, flags=re.S)]
    assert len(navs) == 2
    assert navs[0][0] < html.index("<main>") < html.index("</main>") < navs[1][0]
    for _start, block in navs:
        links = {tuple(sorted(re.findall(r'(\w+)="([^"]*)"', attrs))): label
                 for attrs, label in re.findall(r"<a ([^>]*)>(.*?)</a>", block)}
        assert links == {(("href", link["href"]), ("rel", link["rel"])): link["label"] for link in nav}


def test_no_navigation_without_links(page):
    assert 'class="dx-nav"' not in page.read_text(encoding="utf-8")
