"""Turning the blocks of a walked report into statements: joining paragraphs split by page breaks,
splitting sentences, and keeping each sentence's raw text and line range.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dxstudy.report.structure import Block
from dxstudy.text.normalize import CLOSERS, SENTENCE_END, is_terminated, normalize

STATEMENT_COLUMNS = [
    "statement_id", "fiscal_year", "section", "theme", "aspect", "municipality_code", "municipality",
    "kind", "text", "text_raw", "line_start", "line_end", "paragraph_id", "section_title", "subheading",
]

#: A caption or list label: an unterminated paragraph at most this long (characters) that is not
#: continued by the next paragraph.
CAPTION_MAX_CHARS = 60
#: A paragraph after this many blank lines follows a removed image: it is never a continuation.
IMAGE_GAP = 2
_HIRAGANA = re.compile(r"^[\u3041-\u309f]")
# Hiragana words that begin a new sentence (so a paragraph starting with them is not a continuation).
_SENTENCE_OPENERS = ("また", "なお", "さらに", "しかし", "まずは", "まず", "ただし", "そのため", "この",
                     "その", "これ", "それ", "そして", "つまり", "もっとも", "いずれ", "ここ", "どの")


@dataclass
class Paragraph:
    """Text of one or more lines, with the line each character came from.

    What joining across page breaks asks of a paragraph (its length, whether it has a comma, whether it
    ends like a sentence) is kept up to date line by line, and the joined text is built only when
    asked for, so that a chain of many continued paragraphs is joined in linear time.
    """

    block: Block
    kind: str                      # paragraph | list_item | table_row
    pieces: list[tuple[int, str]]  # (line number, raw text of that line without markup)

    def __post_init__(self) -> None:
        self._text: str | None = None
        self.length = 0            # len(text)
        self.has_comma = False     # "、" in text
        self.terminated = False    # is_terminated(text)
        self._last = ""            # the last non-empty piece
        self._end = ""             # the last character of text.rstrip(CLOSERS), "" if none
        self._add(self.pieces)

    def _add(self, pieces: list[tuple[int, str]]) -> None:
        for _, t in pieces:
            if _needs_space(self._last, t):
                self.length += 1
            self.length += len(t)
            self.has_comma = self.has_comma or "、" in t
            trimmed = t.rstrip()
            if trimmed.rstrip(CLOSERS):
                self.terminated = trimmed.rstrip(CLOSERS)[-1] in SENTENCE_END
            elif trimmed:          # only closing brackets: they are stripped along with those before
                self.terminated = self._end in SENTENCE_END and self._end != ""
            end = t.rstrip(CLOSERS)
            if end:
                self._end = end[-1]
            self._last = t or self._last

    @property
    def text(self) -> str:
        """The lines joined (a space only between two ASCII letters or digits)."""
        if self._text is None:
            self._text = _join([t for _, t in self.pieces])
        return self._text

    def extend(self, pieces: list[tuple[int, str]]) -> None:
        """Append the lines of a paragraph that continues this one across a page break."""
        self.pieces.extend(pieces)
        self._add(pieces)
        self._text = None

    def line_of(self) -> list[int]:
        """For each character of ``text``, the line it came from."""
        owners: list[int] = []
        last = ""
        for line, t in self.pieces:
            if _needs_space(last, t):
                owners.append(line)
            owners.extend([line] * len(t))
            last = t or last
        return owners


def _needs_space(left: str, right: str) -> bool:
    return bool(left and right and left[-1].isascii() and left[-1].isalnum()
                and right[0].isascii() and right[0].isalnum())


def _join(texts: list[str]) -> str:
    parts: list[str] = []
    last = ""
    for t in texts:
        if _needs_space(last, t):
            parts.append(" ")
        parts.append(t)
        if t:
            last = t
    return "".join(parts)


def _is_list_like(lines: list[str]) -> bool:
    """Several short unterminated lines without commas: a list whose bullets were stripped."""
    return len(lines) >= 2 and all(
        len(t) <= 40 and not is_terminated(t) and "、" not in t for t in lines)


def _continues(prev: Paragraph, nxt: Paragraph) -> bool:
    """Whether ``nxt`` continues ``prev`` across a page break (``…職員への意識`` / ``の醸成を…``)."""
    if prev.kind != "paragraph" or nxt.kind != "paragraph" or nxt.block.barrier_before:
        return False
    if prev.block.section is not nxt.block.section:
        return False
    if prev.terminated or prev.block.gap_before > IMAGE_GAP or nxt.block.gap_before > IMAGE_GAP:
        return False
    head = normalize(nxt.text)
    starts_mid_sentence = bool(_HIRAGANA.match(head)) and not head.startswith(_SENTENCE_OPENERS)
    prose = prev.has_comma or prev.length > CAPTION_MAX_CHARS
    return starts_mid_sentence or prose


def paragraphs_of(blocks: list[Block]) -> list[Paragraph]:
    """Paragraphs, list items and table rows, with page-break splits joined."""
    out: list[Paragraph] = []
    for block in blocks:
        if block.kind == "figure":
            continue
        pieces = [(ln.number, ln.text.strip()) for ln in block.lines]
        if block.kind == "list_item":
            out.append(Paragraph(block, "list_item", pieces))
        elif block.kind == "table":
            out.extend(Paragraph(block, "table_row", [p]) for p in pieces)
        elif _is_list_like([t for _, t in pieces]):
            out.extend(Paragraph(block, "list_item", [p]) for p in pieces)
        else:
            para = Paragraph(block, "paragraph", pieces)
            if out and _continues(out[-1], para):
                out[-1].extend(pieces)
            else:
                out.append(para)
    return out


def build_statements(blocks: list[Block], fiscal_year: int) -> pd.DataFrame:
    """One row per sentence (or list item, caption, table row); columns in ``STATEMENT_COLUMNS``."""
    rows: list[dict] = []
    counters: dict[str, int] = {}
    for paragraph_id, para in enumerate(paragraphs_of(blocks), start=1):
        section = para.block.section
        text = para.text
        if para.kind == "paragraph":
            owners = para.line_of()
            spans = _sentence_spans(text)
            if len(spans) == 1 and not is_terminated(text) and len(text) <= CAPTION_MAX_CHARS:
                kinds = ["caption"]
            else:
                kinds = ["sentence"] * len(spans)
        else:
            owners = para.line_of()
            spans = [(0, len(text))]
            kinds = [para.kind]
        for (start, end), kind in zip(spans, kinds):
            raw = text[start:end]
            lead = len(raw) - len(raw.lstrip())
            raw = raw.strip()
            if not raw:
                continue
            first, last = owners[start + lead], owners[start + lead + len(raw) - 1]
            counters[section.section_id] = counters.get(section.section_id, 0) + 1
            rows.append({
                "statement_id": f"FY{fiscal_year}-{section.section_id}-{counters[section.section_id]:03d}",
                "fiscal_year": fiscal_year,
                "section": section.section_id,
                "theme": section.theme,
                "aspect": section.aspect,
                "municipality_code": section.municipality_code,
                "municipality": section.municipality,
                "kind": kind,
                "text": normalize(raw),
                "text_raw": raw,
                "line_start": first,
                "line_end": last,
                "paragraph_id": paragraph_id,
                "section_title": normalize(section.title),
                "subheading": normalize(para.block.subheading),
            })
    frame = pd.DataFrame(rows, columns=STATEMENT_COLUMNS)
    return frame.astype({"fiscal_year": "int64", "line_start": "int64", "line_end": "int64",
                         "paragraph_id": "int64"})


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    from dxstudy.text.normalize import split_sentences

    return split_sentences(text) or [(0, len(text))]
