"""The batch on the project's own notebooks and a copy of the FY2021 data (one run per session,
shared with the browser test): every report made, offline, Japanese, without code, with charts."""
from __future__ import annotations

import hashlib
import re

import pytest

from batch_helpers import FY2021_REPORT, css_network_refs, real_batch, real_notebooks_present, scan_page

pytestmark = pytest.mark.skipif(not real_notebooks_present(),
                                reason="notebooks/overview.ipynb, theme.ipynb, conclusions.ipynb not in the repository yet")

NAMES = ["overview", "theme-awareness", "theme-talent", "theme-telework", "theme-planning",
         "theme-own_initiatives", "conclusions"]


@pytest.fixture(scope="module")
def result():
    return real_batch()[0]


def test_real_batch_succeeds(result):
    assert result.status == "ok", result.summary()


def test_real_batch_writes_every_report_and_the_index(result):
    files = {p.name for p in result.output_dir.iterdir()}
    for name in NAMES:
        assert {f"{name}.html", f"{name}.ipynb"} <= files
    assert {"index.html", "run.json"} <= files


@pytest.mark.parametrize("name", NAMES + ["index"])
def test_real_page_is_japanese_and_offline(result, name):
    scan = scan_page(result.output_dir / f"{name}.html")
    assert scan.html_lang == "ja"
    assert scan.external == []
    assert css_network_refs("\n".join(scan.styles)) == []


@pytest.mark.parametrize("name", NAMES)
def test_real_report_has_no_code_and_a_table_of_contents(result, name):
    page = (result.output_dir / f"{name}.html").read_text(encoding="utf-8")
    body = page.split("<body", 1)[1]
    assert not re.search(r"\b(import |views\.|charts\.|proposals\.)", strip_tags(body))
    assert '<nav class="dx-toc"' in body
    assert "<script" not in page


@pytest.mark.parametrize("name", [n for n in NAMES if n != "conclusions"])
def test_real_report_embeds_its_charts(result, name):
    page = (result.output_dir / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page)


def test_real_reports_are_stamped_with_the_input_hash(result):
    sha = hashlib.sha256(FY2021_REPORT.read_bytes()).hexdigest()
    for name in NAMES:
        assert sha in (result.output_dir / f"{name}.html").read_text(encoding="utf-8"), name


def test_conclusions_quote_evidence_with_statement_ids(result):
    text = "".join(scan_page(result.output_dir / "conclusions.html").text)
    assert "提言" in text
    assert re.search(r"FY2021-[0-9A-Z.]+-\d{3}", text)


def strip_tags(html: str) -> str:
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_real_rerun_gives_the_same_reports_apart_from_the_stamp(result, tmp_path):
    """A second run on the same inputs (its own copy of the data, its own output folder)."""
    import shutil

    from batch_helpers import ROOT, write_data_dir
    from dxstudy.batch.run import run_batch
    from dxstudy.render.html_export import strip_stamp

    data = write_data_dir(tmp_path / "data")
    if (ROOT / "data" / "external").is_dir():
        shutil.copytree(ROOT / "data" / "external", data / "external")
    second = run_batch(2021, data_dir=data, out=tmp_path / "outputs", progress=False)
    assert second.status == "ok", second.summary()
    differing = [name for name in NAMES
                 if strip_stamp((result.output_dir / f"{name}.html").read_text(encoding="utf-8"))
                 != strip_stamp((second.output_dir / f"{name}.html").read_text(encoding="utf-8"))]
    assert differing == []
    first_tables = {p.name: p.read_bytes() for p in (result.output_dir.parents[1] / "data/processed/FY2021").glob("*.csv")}
    second_tables = {p.name: p.read_bytes() for p in (data / "processed/FY2021").glob("*.csv")}
    assert first_tables and second_tables == first_tables
