# The proposals table as reader-facing text: HTML (title, body, rationale, evidence quotes with their
# citations) and Markdown, every piece of text escaped so that nothing a report says runs or typesets.
from __future__ import annotations

import html
import re

import pandas as pd

from dxstudy.analysis.evidence import split_evidence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~])")


def escape_markdown(text: str) -> str:
    """Make text literal in Markdown (CommonMark + Jupyter's $-math): backslash-escape the special
    characters and turn & < > into entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_html(text: str) -> str:
    """HTML-escape text (& < > " ')."""
    return html.escape(str(text), quote=True)


def _html_lines(text: str) -> str:
    return "<br>".join(escape_html(line) for line in str(text).split("\n"))


def render_html(proposals: pd.DataFrame, kind: str | None = None) -> str:
    """The proposals as HTML: title, body, rationale and the evidence quotes with their citations.

    All text is escaped, and the block carries the ``tex2jax_ignore mathjax_ignore`` classes so a
    ``$`` in a sentence is never typeset as math. No <h*> tags (the report's headings stay in the
    notebook's Markdown).
    """
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    parts = ['<div class="dx-proposals tex2jax_ignore mathjax_ignore">']
    if df.empty:
        parts.append('<p class="dx-empty">該当する項目はありません。</p>')
    for _, p in df.iterrows():
        parts.append(f'<section class="dx-proposal" id="{escape_html(p["proposal_id"])}">')
        parts.append(f'<p class="dx-title"><strong>{escape_html(p["proposal_id"])}　{escape_html(p["title_ja"])}</strong></p>')
        parts.append(f'<p class="dx-body">{_html_lines(p["body_ja"])}</p>')
        parts.append(f'<p class="dx-rationale"><strong>根拠：</strong>{_html_lines(p["rationale_ja"])}</p>')
        quotes = split_evidence(p["evidence"])
        if quotes:
            parts.append('<blockquote class="dx-evidence"><ul>')
            for sentence, cite in quotes:
                body = f"「{escape_html(sentence)}」" if sentence else ""
                parts.append(f'<li>{body}<span class="dx-cite">（{escape_html(cite)}）</span></li>')
            parts.append("</ul></blockquote>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)


def render_markdown(proposals: pd.DataFrame, kind: str | None = None) -> str:
    """The proposals as Markdown, every piece of text escaped (see escape_markdown)."""
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    out = []
    for _, p in df.iterrows():
        out.append(f"**{escape_markdown(p['proposal_id'])}　{escape_markdown(p['title_ja'])}**\n")
        out.extend(f"{escape_markdown(line)}  " for line in p["body_ja"].split("\n"))
        out.append(f"\n根拠：{escape_markdown(p['rationale_ja'])}\n")
        for sentence, cite in split_evidence(p["evidence"]):
            out.append(f"> 「{escape_markdown(sentence)}」（{escape_markdown(cite)}）  ")
        out.append("")
    return "\n".join(out)
