"""The batch's HTML in a real browser (Debian's headless Chromium via Playwright) with the network
blocked: index.html and every report open with no request leaving file:// and data:, no console
error, every image decoded and the Japanese headings present. Screenshots go to tests/_artifacts/
(JPEG, full page)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from batch_helpers import real_batch, real_notebooks_present, run_synthetic, write_data_dir, write_synthetic_notebooks

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed "
                                "(apt-get install chromium); .ci/run installs it")


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    """The real batch's output (the project's notebooks); synthetic notebooks until they exist."""
    if real_notebooks_present():
        result, _base = real_batch()
        return result.output_dir
    base = tmp_path_factory.mktemp("browser")
    nb_dir = write_synthetic_notebooks(base / "notebooks")
    return run_synthetic(write_data_dir(base / "data"), nb_dir, base / "outputs").output_dir


@pytest.fixture(scope="module")
def visits(output_dir) -> dict[str, dict]:
    """index.html and every report opened once in Chromium; what each visit saw, by file stem."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
        try:
            return {path.stem: open_offline(context, path) for path in
                    [output_dir / "index.html", *report_pages(output_dir)]}
        finally:
            context.close()
            browser.close()


def open_offline(context, path: Path) -> dict:
    """Open ``path`` with every non-file/data request aborted; return what happened."""
    page = context.new_page()
    seen = {"blocked": [], "failed": [], "console_errors": [], "page_errors": []}

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            seen["blocked"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: seen["failed"].append(f"{req.url} {req.failure}"))
    page.on("console", lambda msg: msg.type == "error" and seen["console_errors"].append(msg.text))
    page.on("pageerror", lambda exc: seen["page_errors"].append(str(exc)))
    page.goto(path.as_uri(), wait_until="load")  # images are data: URIs, decoded before "load"
    seen["images"] = page.evaluate(
        "Array.from(document.images).map(i => ({src: i.src.slice(0, 40), complete: i.complete,"
        " width: i.naturalWidth}))")
    seen["headings"] = page.evaluate(
        "Array.from(document.querySelectorAll('h1, h2, h3')).map(h => h.innerText)")
    seen["lang"] = page.evaluate("document.documentElement.lang")
    seen["links"] = page.evaluate(
        "Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path.stem}.jpg"), full_page=True, type="jpeg", quality=70)
    page.close()
    return seen


def report_pages(output_dir: Path) -> list[Path]:
    return sorted(p for p in output_dir.glob("*.html") if p.name != "index.html")


def test_index_opens_offline_and_links_every_report(visits, output_dir):
    seen = visits["index"]
    assert seen["blocked"] == [] and seen["failed"] == []
    assert seen["console_errors"] == [] and seen["page_errors"] == []
    assert seen["lang"] == "ja"
    assert any(JAPANESE.search(h) for h in seen["headings"])
    for report in report_pages(output_dir):
        assert report.name in seen["links"]


def test_every_report_opens_offline_with_decoded_images_and_japanese_headings(visits, output_dir):
    reports = report_pages(output_dir)
    assert reports
    problems = [p for report in reports for p in page_problems(report.name, visits[report.stem])]
    assert problems == []


def page_problems(name: str, seen: dict) -> list[str]:
    """What is wrong with one visited page: network requests, console errors, undecoded images, no
    Japanese headings."""
    problems = []
    if seen["blocked"] or seen["failed"]:
        problems.append(f"{name}: network requests {seen['blocked'] + seen['failed']}")
    if seen["console_errors"] or seen["page_errors"]:
        problems.append(f"{name}: console errors {seen['console_errors'] + seen['page_errors']}")
    bad_images = [i for i in seen["images"] if not i["complete"] or i["width"] == 0]
    if bad_images:
        problems.append(f"{name}: images not decoded {bad_images}")
    if seen["lang"] != "ja" or not any(JAPANESE.search(h) for h in seen["headings"]):
        problems.append(f"{name}: no Japanese headings ({seen['headings'][:3]})")
    return problems


def test_reports_show_charts(visits):
    assert [i for i in visits["overview"]["images"] if i["src"].startswith("data:image/png")]


def test_screenshots_are_written(visits):
    for stem in visits:
        assert (ARTIFACTS / f"{stem}.jpg").stat().st_size > 0
