# The HTML pieces every notebook view is built from: the report CSS, HtmlBlock (HTML for display
# with a text form), escaping, the generic Japanese-labelled table, sentence lists and empty notes.
from __future__ import annotations

import html

import pandas as pd

from dxstudy.analysis.evidence import section_of
from dxstudy.render import charts

CSS = """
.dx-table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; width: 100%; }
table.dx-table th, table.dx-table td { border: 1px solid #c9c9c9; padding: 4px 8px; vertical-align: top;
  text-align: left !important; }
table.dx-table th { background: #eef3f8; white-space: nowrap; }
table.dx-table td.dx-num { text-align: right !important; white-space: nowrap; }
table.dx-table td.dx-narrow { white-space: nowrap; width: 1%; }
.dx-table caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 4px; }
.dx-table p { margin: 0 0 0.35em; }
.dx-cite { color: #666; font-size: 0.85em; white-space: nowrap; }
.dx-note { color: #555; font-size: 0.9em; }
.dx-empty { color: #777; font-style: italic; }
.dx-proposal { border-left: 4px solid #2f6fa8; padding: 0.2em 0.8em; margin: 0.8em 0; break-inside: avoid; }
.dx-proposal .dx-title { font-size: 1.05em; margin-bottom: 0.3em; }
.dx-rationale { color: #333; font-size: 0.92em; }
.dx-evidence { margin: 0.3em 0 0.3em 0.5em; padding-left: 0.6em; border-left: 2px solid #ccc; font-size: 0.9em; }
.dx-evidence ul { margin: 0; padding-left: 1.1em; }
.dx-summary p { margin: 0.25em 0; }
.dx-lead { font-size: 1.3em; margin: 0.2em 0 0.6em; }
.dx-details { margin: 0.5em 0 1em; }
.dx-details > summary { cursor: pointer; color: #1f4e79; font-weight: bold; padding: 2px 0; }
@media print { .dx-table { page-break-inside: auto; } .dx-table tr { page-break-inside: avoid; } }
"""


class HtmlBlock:
    """A piece of HTML for notebook display (``_repr_html_``); the text form is for tests/logs.

    Carries the ``tex2jax_ignore mathjax_ignore`` classes, so a ``$`` in a quoted sentence is
    never typeset as mathematics."""

    def __init__(self, body: str, text: str = ""):
        self.html = f'<div class="dx-block tex2jax_ignore mathjax_ignore">{body}</div>'
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.text or self.html

    __repr__ = __str__


def esc(text) -> str:
    """HTML-escape any value ("" for NaN/None)."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=True)


def empty_block(message: str = charts.EMPTY_MESSAGE) -> HtmlBlock:
    """A note that there is nothing to show (該当するデータはありません by default)."""
    return HtmlBlock(f'<p class="dx-empty">{esc(message)}</p>', message)


def html_table(
    df: pd.DataFrame,
    columns: dict[str, str],
    caption: str | None = None,
    numeric: tuple[str, ...] = (),
    raw_html: tuple[str, ...] = (),
    narrow: tuple[str, ...] | None = None,
) -> HtmlBlock:
    """An HTML table of the given columns (source name -> Japanese header), every cell escaped except
    the columns in ``raw_html`` (which must already be built from escaped text). ``narrow`` columns
    (default: the first) do not wrap, so long text gets the width."""
    if df.empty:
        return empty_block()
    narrow = (next(iter(columns)),) if narrow is None else narrow
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values())
    body = []
    for _, row in df.iterrows():
        cells = []
        for col in columns:
            value = row[col]
            content = value if col in raw_html else esc(value)
            cls = ' class="dx-num"' if col in numeric else (' class="dx-narrow"' if col in narrow else "")
            cells.append(f"<td{cls}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    text = df[list(columns)].rename(columns=columns).to_string(index=False)
    table = f'<table class="dx-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    members = member_count(df)
    if members > COLLAPSE_MEMBERS:
        label = caption or "市町別の詳細"
        table = (f'<details class="dx-details"><summary>{esc(label)}（{members}市町・{len(df)}行。'
                 f"クリックで表示）</summary>{table}</details>")
    return HtmlBlock(table, text)


#: Per-member tables of more members than this are folded into a <details> section (closed by
#: default), so a report of a prefecture-wide group (63 members) stays a page one can scroll.
COLLAPSE_MEMBERS = 12


def member_count(df: pd.DataFrame) -> int:
    """Distinct members named in a table (``municipality_code``, else ``municipality``; "" ignored)."""
    for column in ("municipality_code", "municipality"):
        if column in df.columns:
            values = df[column].astype(str)
            return int(values[values != ""].nunique())
    return 0


def sentences_html(rows: pd.DataFrame) -> str:
    """Sentences (``text``, ``section``) as paragraphs, each followed by its section number."""
    return "".join(
        f'<p>{esc(r["text"])} <span class="dx-cite">（{esc(r["section"])}）</span></p>' for _, r in rows.iterrows()
    )


def cited_html(text, statement_id: str, section: str | None = None) -> str:
    """Escaped ``text`` followed by its citation: the section (default: the one the id names)."""
    cite = section_of(statement_id) if section is None else section
    return f'{esc(text)} <span class="dx-cite">（{esc(cite)}）</span>'


def bullets(points: list[str]) -> HtmlBlock:
    """A list of plain sentences (escaped)."""
    if not points:
        return empty_block()
    items = "".join(f"<li>{esc(p)}</li>" for p in points)
    return HtmlBlock(f'<ul class="dx-summary">{items}</ul>', "\n".join(points))


def with_note(block: HtmlBlock, note: str, strong: bool = False) -> HtmlBlock:
    """``block`` followed by a note paragraph (escaped; bold with ``strong``)."""
    body = f"<strong>{esc(note)}</strong>" if strong else esc(note)
    return HtmlBlock(block.html + f'<p class="dx-note">{body}</p>', block.text + "\n" + note)
