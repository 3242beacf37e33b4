"""Text normalization at the edges: markup removal, NFKC, and re-joining letters that PDF conversion
spaced out (``D X`` → ``DX``, ``A I－O C R`` → ``AI-OCR``) without gluing real words together.
"""
from __future__ import annotations

import re
import unicodedata

# Inline HTML that PDF-to-Markdown converters leave behind. Only known tag names, so that Japanese
# bracketed labels such as <専門部会開催結果> are not mistaken for tags.
_INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|span|br|sup|sub|font|mark|small|big|s|strike|p|div)"
                         r"(?:\s[^<>]{0,200})?/?>", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*|__")
_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_JA_BULLET = re.compile(r"^\s*[・•●○◦▪■□◆◇]\s*")
_HR = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
# A run of at least two single ASCII letters separated by one space, not touching other letters.
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])[A-Za-z](?: [A-Za-z](?![A-Za-z]))+")
# Controls, zero-width and bidirectional formatting characters (embeddings, overrides, isolates, the
# Arabic letter mark), the soft hyphen and the byte-order mark: invisible, never part of a word.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u202a-\u202e"
                      r"\u2060-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u3000\u2028\u2029]+")

#: Characters that end a Japanese sentence.
SENTENCE_END = "。．！？!?"
#: Closing brackets that may follow a sentence end.
CLOSERS = "」』）)】〕"


def strip_inline_markup(line: str) -> str:
    """Remove inline HTML tags and emphasis markers, keeping the words."""
    return _EMPHASIS.sub("", _INLINE_TAG.sub("", line))


def strip_heading_mark(line: str) -> tuple[str, bool]:
    """Remove a leading Markdown heading marker; return (rest, whether there was one)."""
    m = _HEADING_MARK.match(line)
    return (line[m.end():], True) if m else (line, False)


def strip_bullet(line: str) -> tuple[str, bool]:
    """Remove list bullets (``- ``, ``* ``, ``・``, ``- ・``); return (rest, whether there was one)."""
    rest, n = _BULLET.subn("", line, count=1)
    rest2, n2 = _JA_BULLET.subn("", rest, count=1)
    return rest2, bool(n or n2)


def is_rule_line(line: str) -> bool:
    """A horizontal rule such as ``---`` (pure markup)."""
    return bool(_HR.match(line))


def join_spaced_letters(text: str) -> str:
    """Join letters spaced out by PDF conversion: ``L G W A N`` → ``LGWAN``; ``for L G W A N`` → ``for LGWAN``."""
    return _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)


def normalize(text: str) -> str:
    """Normalize a piece of Japanese text for analysis.

    NFKC (full-width ASCII to half-width, half-width kana to full-width), control and invisible
    formatting characters removed, whitespace runs collapsed to one space, spaced-out letters joined.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return join_spaced_letters(text)


def compact(text: str) -> str:
    """Normalized text without any spaces, for comparing names and headings."""
    return normalize(text).replace(" ", "")


def is_terminated(text: str) -> bool:
    """Whether text ends like a complete sentence (``。`` possibly followed by a closing bracket)."""
    t = text.rstrip().rstrip(CLOSERS)
    return bool(t) and t[-1] in SENTENCE_END


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a paragraph into sentences; return (start, end) offsets covering the text without gaps.

    A sentence ends at ``。．！？!?`` outside brackets (plus closing brackets that follow). Whitespace
    between sentences is attached to the following sentence and trimmed by the caller.
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i, n = 0, len(text)
    openers, closers = "「『（(【〔", "」』）)】〕"
    while i < n:
        ch = text[i]
        if ch in openers:
            depth += 1
        elif ch in closers and depth:
            depth -= 1
        elif ch in SENTENCE_END and depth == 0:
            j = i + 1
            while j < n and text[j] in SENTENCE_END:
                j += 1
            spans.append((start, j))
            start = i = j
            continue
        i += 1
    if start < n and text[start:].strip():
        spans.append((start, n))
    elif spans and start < n:
        spans[-1] = (spans[-1][0], n)
    return spans
