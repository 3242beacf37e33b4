"""Nothing a respondent types can run (issue 6, point 2): the real batch over a hostile FY2021 report
and hostile FY2022 workbooks (tests/injection_fixtures.py) writes HTML in which every payload is
plain text — no script, no event handler, no javascript: link, no network reference, no math
typesetting — while the statements tables keep the payloads as written."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import injection_fixtures as hx
from batch_helpers import run_synthetic, write_data_dir, write_synthetic_notebooks

from dxstudy.render import charts, views
from dxstudy.tables.store import read_tables

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr"}
#: Elements a report never needs and that could run code or load something.
FORBIDDEN = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "link",
             "svg", "math", "template", "noscript", "audio", "video", "source", "portal"}
URL_ATTRS = {"src", "href", "data", "srcset", "action", "formaction", "poster", "background", "xlink:href",
             "ping", "cite", "longdesc", "manifest"}
NO_MATH = {"tex2jax_ignore", "mathjax_ignore"}
MATH_TEXT = re.compile(r"\$|\\\(|\\\[")


class Scan(HTMLParser):
    """What an HTML page would do in a browser: elements, attributes, and text with its ancestors."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.math_outside_ignore: list[str] = []  # math-like text under no tex2jax_ignore at all
        self.math_outside_block: list[str] = []  # … in <main>, under none below <body> (the blocks' own class)
        self.body_classes: set[str] = set()
        self.seen_tags: set[str] = set()
        self._stack: list[tuple[str, set[str]]] = []

    def _check(self, tag: str, attrs) -> None:
        if tag in FORBIDDEN:
            self.problems.append(f"<{tag}> element {attrs}")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"url\(|expression\(|@import", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            if name in URL_ATTRS:
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                if compact.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}> (script URL)")
                elif re.match(r"^([a-z][a-z0-9+.-]*:|//)", compact) and not compact.startswith("data:image/"):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}> (network or other scheme)")
                elif tag == "img" and not compact.startswith("data:image/"):
                    self.problems.append(f"<img src={value[:60]!r}> (not an embedded image)")

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        self.seen_tags.add(tag)
        if tag not in VOID:
            classes = set((dict(attrs).get("class") or "").split())
            self._stack.append((tag, classes))
            if tag == "body":
                self.body_classes = classes

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        tags = [t for t, _ in self._stack]
        if "style" in tags or "title" in tags:
            return
        self.text.append(data)
        if MATH_TEXT.search(data):
            if not any(c & NO_MATH for _, c in self._stack):
                self.math_outside_ignore.append(data.strip()[:80])
            in_main = "main" in tags or "main" not in self.seen_tags
            if in_main and not any(c & NO_MATH for t, c in self._stack if t not in ("html", "body")):
                self.math_outside_block.append(data.strip()[:80])

    def handle_comment(self, data):
        if re.search(r"\[if|<script", data, re.I):
            self.problems.append(f"conditional comment or script in a comment: {data[:60]!r}")


def scan(page: str) -> Scan:
    s = Scan()
    s.feed(page)
    s.close()
    return s


def report_payload(p: str) -> str:
    """How the report reader keeps a payload: ``__`` and ``**`` are PDF-conversion emphasis markup
    and are removed from report text (not from workbook answers)."""
    return p.replace("__", "").replace("**", "")


@pytest.fixture(scope="module")
def hostile():
    result, data = hx.hostile_batch()
    return result, data


@pytest.fixture(scope="module")
def pages(hostile) -> dict[str, str]:
    result, _ = hostile
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(result.output_dir.glob("*.html"))}


def test_the_hostile_batch_makes_every_report(hostile, pages):
    result, _ = hostile
    assert result.status == "ok", result.summary()
    names = {r.name for r in result.reports}
    assert {"overview", "conclusions", "year_over_year", "theme-telework", "theme-own_initiatives"} <= names
    assert set(pages) == {"index.html", *(f"{n}.html" for n in names)}


def test_report_statements_keep_the_payloads_as_written(hostile):
    _, data = hostile
    st = read_tables(data / "processed" / "FY2021")["statements"]
    by_id = dict(zip(st["statement_id"], st["text"]))
    assert by_id["FY2021-1.1.2-001"].startswith(report_payload(hx.SCRIPT) + "職員の情報利活用能力")
    assert by_id["FY2021-1.1.5-003"] == "外部講師によるDX推進に関する講義" + report_payload(hx.STYLE_BREAK)
    caption = st.set_index("statement_id").loc["FY2021-1.1.5-003"]
    assert caption["kind"] == "caption"
    assert hx.IMG_ONERROR.replace("__", "") in by_id["FY2021-3.1.1-001"]
    items = st[(st["kind"] == "list_item") & (st["municipality"] == "松伏町")]
    assert list(items["text"]) == [report_payload(hx.LIST_ITEM[len("- ・"):])]
    challenge = "".join(st.loc[st["section"] == "3.2.1", "text"])  # "!" ends a sentence: joined back
    for p in (hx.MD_HEADING, hx.MD_IMAGE, hx.TEX_INLINE, hx.TEX_DISPLAY, hx.TEX_PAREN, report_payload(hx.A_JS)):
        assert p in challenge
    assert "bold" in challenge


def test_survey_statements_keep_the_payloads_verbatim(hostile):
    _, data = hostile
    text = "\n".join(read_tables(data / "processed" / "FY2022")["statements"]["text"])
    for p in hx.PAYLOADS:
        assert p in text, p


def test_no_page_has_script_handlers_script_urls_or_network_references(pages):
    problems = {name: scan(page).problems for name, page in pages.items()}
    assert {n: p for n, p in problems.items() if p} == {}


def test_no_payload_reaches_a_page_as_markup(pages):
    """The raw payload (with its < and ") never occurs in a page's source: only its escaped form."""
    for name, page in pages.items():
        for p in hx.PAYLOADS:
            for form in {p, report_payload(p)}:
                if "<" in form or '"' in form:
                    assert form not in page, f"{name}: {form} unescaped"


def test_every_report_shows_the_payloads_as_plain_text(pages):
    texts = {name: "".join(scan(page).text) for name, page in pages.items() if name != "index.html"}
    for name, text in texts.items():
        assert hx.SCRIPT in text or report_payload(hx.SCRIPT) in text, name
    every = "\n".join(texts.values())
    for p in hx.PAYLOADS:
        assert p in every, p
    for p in (hx.SCRIPT, hx.IMG_ONERROR, hx.MD_JS_LINK, hx.A_JS):
        assert report_payload(p) in texts["year_over_year.html"], p  # FY2021 report text, compared
    for theme in ("awareness", "talent", "telework", "planning"):
        for p in hx.PAYLOADS:
            assert p in texts[f"theme-{theme}.html"], (theme, p)


def test_math_in_data_is_never_typeset(pages):
    """No MathJax is loaded; every page's <body> is tex2jax_ignore/mathjax_ignore, and in the reports'
    <main> so is every output block with $ or \\( (should a page ever load MathJax, it still typesets
    nothing)."""
    for name, page in pages.items():
        assert not re.search(r"mathjax(?!_ignore)", page, re.I), name
        s = scan(page)
        assert NO_MATH <= s.body_classes and s.math_outside_ignore == [], name
        if name != "index.html":
            assert s.math_outside_block == [], name


def test_executed_notebooks_show_data_only_as_html_text_or_images(hostile):
    """No output is Markdown, LaTeX, JavaScript or SVG (nbconvert would render those)."""
    result, _ = hostile
    kinds: set[str] = set()
    for path in result.output_dir.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                kinds.update(out.get("data", {}))
                if out.get("output_type") == "stream":
                    kinds.add("stream")
    assert kinds <= {"text/html", "text/plain", "image/png"}, kinds


def test_a_hostile_workbook_file_name_is_text_in_the_index_and_the_stamps(hostile, pages):
    result, _ = hostile
    manifest = json.loads((result.output_dir / "run.json").read_text(encoding="utf-8"))
    assert any(hx.HOSTILE_FILE_NAME in i["path"] for i in manifest["inputs"])
    for name in ("index.html", "overview.html", "theme-telework.html"):
        assert hx.HOSTILE_FILE_NAME in "".join(scan(pages[name]).text), name


# --- a failing notebook whose error message carries the payloads ------------------------------------

def test_error_banner_and_index_show_a_hostile_error_message_as_text(tmp_path):
    nb_dir = write_synthetic_notebooks(tmp_path / "notebooks")
    nb = nbformat.read(nb_dir / "conclusions.ipynb", as_version=4)
    message = " ".join(hx.PAYLOADS)
    nb.cells.append(nbformat.v4.new_code_cell(f"raise ValueError({message!r})"))
    nb.cells[-1].id = "hostile-error"
    nbformat.write(nb, nb_dir / "conclusions.ipynb")
    result = run_synthetic(write_data_dir(tmp_path / "data"), nb_dir, tmp_path / "outputs", jobs=1)
    assert result.status == "failed"
    for name in ("index.html", "conclusions.html"):
        page = (result.output_dir / name).read_text(encoding="utf-8")
        s = scan(page)
        assert s.problems == []
        assert hx.SCRIPT not in page and hx.IMG_ONERROR not in page
        assert hx.SCRIPT in "".join(s.text) and hx.IMG_ONERROR in "".join(s.text)
        assert NO_MATH <= s.body_classes and s.math_outside_ignore == []


# --- the display helpers on the hostile FY2021 tables (the report path, in-process) ------------------

def _fy2021(data: Path):
    return views.load(2021, data)


def test_display_helpers_escape_the_hostile_report(hostile):
    from dxstudy import external
    from dxstudy.analysis import proposals

    _, data = hostile
    t = _fy2021(data)
    blocks = [views.document_summary(t.document, t.statements),
              views.statements_summary(t.statements, t.themes, t.municipalities),
              views.meetings_table(t.meetings),
              views.metrics_table(t.metrics, municipalities=t.municipalities),
              views.events_table(t.events),
              views.shared_challenges_table(t.challenges, municipalities=t.municipalities, themes=t.themes),
              views.technology_table(t.technologies, t.municipalities)]
    for theme in ("awareness", "telework", "own_initiatives"):
        blocks += [views.region_summary(t.statements, theme),
                   views.stage_table(t.stages, theme, t.statements, t.municipalities, t.themes),
                   views.status_challenge_table(t.statements, theme, t.municipalities),
                   views.metrics_table(t.metrics, theme, t.municipalities),
                   views.events_table(t.events, theme),
                   views.shared_challenges_table(t.challenges, theme, t.municipalities, t.themes),
                   views.technology_table(t.technologies, t.municipalities, t.statements, theme=theme)]
    draft = proposals.build_proposals(t, external.load_benchmarks(data_dir=data))
    blocks += [views.proposals_block(draft, kind) for kind in ("leader", "horizontal", "joint_action", None)]
    blocks.append(views.bullets(proposals.conclusion_points(t)))
    html = "".join(b._repr_html_() for b in blocks)
    s = scan(html)
    assert s.problems == [] and s.math_outside_block == []
    text = "".join(s.text)
    # (the reader ends a sentence at the "!" of ![img](…): the link part is the next sentence)
    for p in (hx.SCRIPT, hx.IMG_ONERROR, hx.MD_JS_LINK, hx.A_JS, hx.STYLE_BREAK, hx.IFRAME, hx.MD_IMAGE[1:],
              hx.TEX_INLINE, hx.TEX_DISPLAY, hx.TEX_PAREN, hx.MD_HEADING):
        assert report_payload(p) in text, p
        if "<" in p:
            assert report_payload(p) not in html, p


def test_charts_draw_math_and_markup_in_labels_as_typed(hostile):
    """A chart label with $$\\int$$ (unbalanced for mathtext) draws; $x^2$ is not typeset."""
    from matplotlib.text import Text

    metrics = pd.DataFrame([{
        "statement_id": "FY2022-3.1.2-001", "fiscal_year": 2022, "municipality_code": "112224",
        "municipality": "越谷市", "theme": "telework", "section": "3.1.2", "metric": "other",
        "label_ja": hx.TEX_DISPLAY + hx.SCRIPT, "value": 3.0, "unit": hx.TEX_PAREN + "件",
        "target_fiscal_year": "", "evidence": hx.TEX_INLINE}])
    fig = charts.metric_bars(metrics, ["other"], theme="telework")
    assert charts.to_png(fig).startswith(b"\x89PNG")
    texts = [t for t in fig.findobj(Text) if hx.TEX_DISPLAY in t.get_text() or hx.TEX_PAREN in t.get_text()]
    assert texts and not any(t.get_parse_math() for t in texts)


def test_the_scan_sees_each_payload_when_it_is_markup():
    """The checks above are not vacuous: the payloads pasted raw into a page are each caught."""
    raw = "<body>" + "".join(f"<p>{p}</p>" for p in hx.PAYLOADS) + '<img src="http://example.invalid/y.png"></body>'
    s = scan(raw)
    found = "\n".join(s.problems)
    assert "<script> element" in found and "onerror" in found and "<iframe> element" in found
    assert "javascript:window.__pwned=4" in found and "network" in found
    assert s.math_outside_ignore and s.math_outside_block


def test_an_emoji_in_a_respondents_label_does_not_stop_the_chart():
    metrics = pd.DataFrame([{
        "statement_id": "FY2022-3.1.2-001", "fiscal_year": 2022, "municipality_code": "112224",
        "municipality": "越谷市", "theme": "telework", "section": "3.1.2", "metric": "other",
        "label_ja": "貸出端末😀", "value": 3.0, "unit": "台", "target_fiscal_year": "", "evidence": ""}])
    fig = charts.metric_bars(metrics, ["other"], theme="telework")
    assert charts.to_png(fig).startswith(b"\x89PNG")


def test_an_emoji_is_drawn_as_geta_and_named():
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("貸出端末😀")
    assert charts.replace_undrawable(fig) == ["😀"]
    assert fig.axes[0].get_title() == "貸出端末〓"


def test_a_letter_the_font_lacks_is_still_a_failure():
    from matplotlib.figure import Figure

    charts.setup()
    fig = Figure()
    fig.add_subplot().set_title("\u0f40")            # TIBETAN LETTER KA: a letter, not a symbol
    assert charts.replace_undrawable(fig) == []
    with pytest.raises(charts.MissingGlyphError):
        charts.render(fig)
