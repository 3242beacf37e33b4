"""The hostile batch's HTML (tests/injection_fixtures.py) in headless Chromium with every request
other than the page itself and data: URIs aborted and recorded: no injected script ran (the globals
the payloads would set stay undefined), no request left the page, the DOM holds no script, frame or
event handler, MathJax is absent, and the payloads read as text. A control page with the payloads
pasted raw shows that the harness would see them run."""
from __future__ import annotations

from pathlib import Path

import pytest

import injection_fixtures as hx
from test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed "
                                "(apt-get install chromium); .ci/run installs it")

#: The globals the payloads set (the report reader drops "__" as emphasis markup: "window.pwned").
PWNED = ("__pwned", "pwned")

DOM_CHECK = """() => ({
  pwned: [window.__pwned, window.pwned].map(v => typeof v),
  mathjax: typeof window.MathJax,
  mathjax_nodes: document.querySelectorAll('mjx-container, .MathJax, .MathJax_Display, .katex').length,
  scripts: document.scripts.length,
  frames: document.querySelectorAll('iframe, frame, object, embed').length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap(
      e => Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  script_urls: Array.from(document.querySelectorAll('[href], [src], [action], [formaction]')).map(
      e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')
      .filter(u => /^\\s*(javascript|vbscript):/i.test(u)),
  non_data_images: Array.from(document.images).map(i => i.getAttribute('src') || '')
      .filter(s => !s.startsWith('data:image/')),
  text: document.body ? document.body.innerText : '',
})"""


def visit(context, path: Path) -> dict:
    """Open ``path``; every request except the page itself and data: URIs is aborted and recorded."""
    page = context.new_page()
    seen = {"requests": [], "blocked": [], "page_errors": [], "dialogs": []}
    own = path.as_uri()

    def route(r):
        url = r.request.url
        if url == own or url.startswith("data:"):
            r.continue_()
        else:
            seen["blocked"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: req.url.startswith("data:") or seen["requests"].append(req.url))
    page.on("pageerror", lambda exc: seen["page_errors"].append(str(exc)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(own, wait_until="load")
    page.wait_for_timeout(200)  # let an onerror handler of a failed image fire, were there one
    seen.update(page.evaluate(DOM_CHECK))
    page.close()
    return seen


@pytest.fixture(scope="module")
def browser_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="module")
def visits(browser_context) -> dict[str, dict]:
    result, _ = hx.hostile_batch()
    pages = [result.output_dir / "index.html",
             *sorted(p for p in result.output_dir.glob("*.html") if p.name != "index.html")]
    return {p.name: visit(browser_context, p) for p in pages}


def test_the_harness_sees_raw_payloads_run_and_reach_out(browser_context, tmp_path):
    """Control: the same payloads pasted raw into a page do run and do request the network."""
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><html><body>" + "".join(f"<p>{p}</p>" for p in hx.PAYLOADS)
                       + "</body></html>", encoding="utf-8")
    seen = visit(browser_context, control)
    assert seen["pwned"][0] == "number"
    assert any("example.invalid" in u for u in seen["blocked"])
    assert seen["scripts"] >= 2 and seen["handlers"] and seen["script_urls"]


def test_every_page_was_opened(visits):
    result, _ = hx.hostile_batch()
    assert len(visits) == len(result.reports) + 1 and "year_over_year.html" in visits


def test_no_injected_script_ran(visits):
    ran = {name: v["pwned"] for name, v in visits.items() if v["pwned"] != ["undefined", "undefined"]}
    assert ran == {}
    assert {name: v["dialogs"] + v["page_errors"] for name, v in visits.items()
            if v["dialogs"] or v["page_errors"]} == {}


def test_no_request_left_the_page(visits):
    for name, v in visits.items():
        assert v["blocked"] == [], name
        assert [u for u in v["requests"] if not u.endswith("/" + name)] == [], name


def test_the_dom_holds_no_script_frame_handler_or_script_url(visits):
    for name, v in visits.items():
        assert (v["scripts"], v["frames"], v["handlers"], v["script_urls"], v["non_data_images"]) == \
            (0, 0, [], [], []), name


def test_mathjax_is_absent_and_math_stays_as_typed(visits):
    for name, v in visits.items():
        assert v["mathjax"] == "undefined" and v["mathjax_nodes"] == 0, name
    for theme in ("awareness", "talent", "telework", "planning"):
        text = visits[f"theme-{theme}.html"]["text"]
        for p in (hx.TEX_INLINE, hx.TEX_DISPLAY, hx.TEX_PAREN):
            assert p in text, (theme, p)


def test_payloads_read_as_text(visits):
    for theme in ("awareness", "talent", "telework", "planning"):
        text = visits[f"theme-{theme}.html"]["text"]
        for p in (hx.SCRIPT, hx.IMG_ONERROR, hx.MD_JS_LINK, hx.A_JS, hx.STYLE_BREAK, hx.IFRAME, hx.MD_BOLD,
                  hx.MD_IMAGE):
            assert p in text, (theme, p)
    assert hx.SCRIPT.replace("__", "") in visits["year_over_year.html"]["text"]
