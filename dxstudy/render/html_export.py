# Turns executed notebooks into the offline Japanese HTML the working group reads (nbconvert with
# dxstudy's template: no code, no prompts, table of contents, stamp); index.html is in index_page.py.
"""HTML export for dxstudy reports.

* :func:`make_exporter` — an nbconvert ``HTMLExporter`` using ``dxstudy/templates/dxstudy`` (extends
  nbconvert's ``lab`` template; no input cells, no prompts, no network resources).
* :func:`export_report` — executed notebook → HTML string, with a table of contents built from the
  ``h2``/``h3`` headings, a failure banner when the run failed, and the stamp footer (fiscal year,
  input hashes, rules version, dxstudy version, run time) between ``<!-- dx-stamp:start -->`` and
  ``<!-- dx-stamp:end -->`` so that tests can compare two runs without it (:func:`strip_stamp`).
* The run's ``index.html`` is rendered by :mod:`dxstudy.render.index_page`.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from dxstudy.text.era import fiscal_year_label_ja

if TYPE_CHECKING:  # nbformat pulls in jsonschema (slow to import); the main process does not need it
    import nbformat

__all__ = [
    "TEMPLATES_DIR",
    "Stamp",
    "make_exporter",
    "prepare_for_html",
    "notebook_title",
    "export_report",
    "add_toc",
    "strip_stamp",
    "fiscal_year_label",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "dxstudy"
CSS_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "dxstudy.css"
TOC_MARKER = "<!-- dx-toc -->"
STAMP_START = "<!-- dx-stamp:start -->"
STAMP_END = "<!-- dx-stamp:end -->"

# papermill's markers: the injected parameters cell and the error banner cells it adds on failure.
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_INJECTED_TAG = "injected-parameters"
# Cell tags honoured in reports (Jupyter Book conventions).
REMOVE_CELL_TAGS = ("remove-cell", "remove_cell")
REMOVE_OUTPUT_TAGS = ("remove-output", "remove_output")
# nbconvert's English placeholder for images without alt text.
_NBCONVERT_ALT = "No description has been provided for this image"
_JA_ALT = "図"


def fiscal_year_label(fiscal_year: int) -> str:
    """``2021`` → ``"令和3年度（FY2021）"`` (the Japanese fiscal year, then the Western one)."""
    return f"{fiscal_year_label_ja(fiscal_year)}（FY{int(fiscal_year)}）"


@dataclass
class Stamp:
    """What a report was made from; shown in its footer and in index.html.

    ``inputs`` is a list of ``{"path": str (relative to the data directory), "sha256": str}``.
    ``nav`` is an optional list of navigation links shown at the top and bottom of the report, each
    ``{"rel": "index" | "prev" | "next", "href": str (relative URL), "label": str (Japanese)}``.
    """

    fiscal_year: int
    inputs: list[dict[str, str]] = field(default_factory=list)
    rules_version: str = "n/a"
    dxstudy_version: str = "n/a"
    run_started: str = ""
    nav: list[dict[str, str]] = field(default_factory=list)

    def for_template(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "inputs": list(self.inputs),
            "rules_version": self.rules_version,
            "dxstudy_version": self.dxstudy_version,
            "run_started": self.run_started,
            "nav": [dict(link) for link in self.nav],
        }


def make_exporter():
    """An ``HTMLExporter`` for reports: dxstudy template, no input cells, no prompts.

    Create it once per process and reuse it; it is the expensive part of nbconvert's set-up.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    exporter = HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
    )
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.language_code = "ja"
    exporter.embed_images = True
    # Belt and braces: nothing in our template uses these, but never point them at a CDN.
    exporter.require_js_url = ""
    exporter.mathjax_url = ""
    exporter.mermaid_js_url = ""
    exporter.mermaid_layout_elk_js_url = ""
    exporter.jquery_url = ""
    exporter.jupyter_widgets_base_url = ""
    exporter.widget_renderer_url = ""
    return exporter


def prepare_for_html(nb: "nbformat.NotebookNode") -> "nbformat.NotebookNode":
    """A copy of an executed notebook with everything run-specific removed.

    Drops papermill's English error-banner cells (the report shows its own Japanese banner), gives
    the injected parameters cell a fixed id (papermill draws a random one each run), and removes
    execution timestamps and durations from notebook and cell metadata, so the HTML of two runs on
    the same inputs is identical.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _PAPERMILL_ERROR_TAG in tags:
            continue
        if _INJECTED_TAG in tags:
            cell["id"] = "injected-parameters"
        meta = cell.get("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("papermill", None)
    return nb


def _markdown_h1(source: str) -> str | None:
    in_fence = False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"^#\s+\S", line):
            return line.lstrip("#").strip()
    return None


def notebook_title(nb: "nbformat.NotebookNode", default: str = "") -> str:
    """The text of the first Markdown ``# `` heading of the notebook (its Japanese title)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            title = _markdown_h1(cell.source)
            if title:
                return re.sub(r"[*_`]", "", title)
    return default


class _HeadingScanner(HTMLParser):
    """Collects h2/h3 headings (offsets, ids, text) and the end of the cell holding the first h1."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._text = text
        self._line_starts = [0]
        for m in re.finditer("\n", text):
            self._line_starts.append(m.end())
        self.headings: list[dict[str, Any]] = []
        self.h1_cell_end: int | None = None
        self._current: dict[str, Any] | None = None
        self._skip_depth = 0  # inside <a class="anchor-link">
        self._divs: list[bool] = []  # stack: is this div a notebook cell?
        self._h1_cell_level: int | None = None
        self._seen_h1 = False

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        if tag == "div":
            self._divs.append("jp-Cell" in (attrs_d.get("class") or "").split())
        elif tag == "h1" and not self._seen_h1:
            self._seen_h1 = True
            cell_levels = [i for i, is_cell in enumerate(self._divs) if is_cell]
            self._h1_cell_level = cell_levels[-1] if cell_levels else None
        elif tag in ("h2", "h3") and self._current is None:
            start = self._offset()
            raw = self.get_starttag_text() or ""
            self._current = {
                "tag": tag,
                "start": start,
                "end": start + len(raw),
                "raw": raw,
                "attrs": attrs,
                "id": attrs_d.get("id"),
                "text": [],
            }
        elif tag == "a" and self._current is not None:
            if "anchor-link" in (attrs_d.get("class") or "").split() or self._skip_depth:
                self._skip_depth += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            level = len(self._divs) - 1
            self._divs.pop()
            if self._h1_cell_level is not None and level == self._h1_cell_level and self.h1_cell_end is None:
                pos = self._offset()
                self.h1_cell_end = self._text.index(">", pos) + 1
        elif tag == "a" and self._skip_depth:
            self._skip_depth -= 1
        elif self._current is not None and tag == self._current["tag"]:
            self._current["text"] = " ".join("".join(self._current["text"]).split())
            self.headings.append(self._current)
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip_depth:
            self._current["text"].append(data)


def _start_tag_with_id(tag: str, attrs: list[tuple[str, str | None]], new_id: str) -> str:
    parts = [tag, f'id="{html.escape(new_id, quote=True)}"']
    for name, value in attrs:
        if name == "id":
            continue
        parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


def add_toc(page: str, title: str = "目次") -> str:
    """Insert a table of contents (``<nav class="dx-toc">``) built from the h2/h3 headings.

    The ``<!-- dx-toc -->`` marker sits at the start of ``<main>``; the ToC goes right after the
    notebook cell holding the first ``h1`` (the report title) or, without a title, at the marker.
    Headings without an id, or with an id used before, get a new one (``dx-sec-N``).
    Numbers are drawn by CSS counters, the same way as for the headings themselves.
    """
    marker = page.find(TOC_MARKER)
    if marker < 0:
        return page
    main_end = page.find("</main>", marker)
    body = page[marker: main_end if main_end >= 0 else len(page)]
    scanner = _HeadingScanner(body)
    scanner.feed(body)
    scanner.close()

    seen: set[str] = set()
    edits: list[tuple[int, int, str]] = []
    entries: list[tuple[str, str, str]] = []
    for n, h in enumerate(scanner.headings, start=1):
        hid = h["id"]
        if not hid or hid in seen:
            hid = f"dx-sec-{n}"
            edits.append((h["start"], h["end"], _start_tag_with_id(h["tag"], h["attrs"], hid)))
        seen.add(hid)
        entries.append((h["tag"], hid, h["text"]))

    toc = _toc_html(entries, title) if entries else ""
    insert_at = scanner.h1_cell_end if scanner.h1_cell_end is not None else len(TOC_MARKER)
    edits.append((insert_at, insert_at, toc))
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        body = body[:start] + text + body[end:]
    return page[:marker] + body + (page[main_end:] if main_end >= 0 else "")


def _toc_html(entries: Iterable[tuple[str, str, str]], title: str) -> str:
    def link(hid: str, text: str) -> str:
        return f'<a href="#{html.escape(hid, quote=True)}">{html.escape(text)}</a>'

    groups: list[tuple[tuple[str, str] | None, list[tuple[str, str]]]] = []
    for tag, hid, text in entries:
        if tag == "h2":
            groups.append(((hid, text), []))
        else:
            if not groups:  # h3 before any h2
                groups.append((None, []))
            groups[-1][1].append((hid, text))
    out = [f'<nav class="dx-toc" aria-label="{html.escape(title)}">',
           f'<p class="dx-toc-title">{html.escape(title)}</p>', "<ol>"]
    for head, subs in groups:
        out.append("<li>" + (link(*head) if head else ""))
        if subs:
            out.append("<ol>" + "".join(f"<li>{link(*s)}</li>" for s in subs) + "</ol>")
        out.append("</li>")
    out.append("</ol></nav>")
    return "\n".join(out)


def strip_stamp(page: str) -> str:
    """The page without its run stamp (the part that differs between two runs on the same inputs)."""
    return re.sub(re.escape(STAMP_START) + ".*?" + re.escape(STAMP_END), "", page, flags=re.S)


def export_report(
    nb: "nbformat.NotebookNode",
    exporter,
    *,
    stamp: Stamp,
    notebook: str,
    parameters_label: str = "",
    title: str = "",
    error: str | None = None,
) -> str:
    """Render an executed notebook as a dxstudy report page (a complete HTML document).

    ``notebook`` names the source notebook in the stamp, ``parameters_label`` the parameters it was
    run with (e.g. ``"theme=telework"``), ``title`` the page title (default: the notebook's first
    ``#`` heading); ``error`` marks the page as failed and is shown in a banner at the top.
    """
    clean = prepare_for_html(nb)
    page_title = title or notebook_title(clean, default=notebook)
    info = stamp.for_template()
    info.update(
        title=page_title,
        notebook=notebook,
        parameters_label=parameters_label,
        failed=error is not None,
        error=error or "",
    )
    body, _resources = exporter.from_notebook_node(clean, resources={"dxstudy": info})
    body = body.replace(f'alt="{_NBCONVERT_ALT}"', f'alt="{_JA_ALT}"')
    return add_toc(body)
