# SudachiPy (split mode C, sudachidict_core) behind a lazily created, module-level tokenizer:
# creating the tokenizer is slow, so every caller in the process shares one.
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

_STATE: dict = {}


class Token(NamedTuple):
    """One SudachiPy morpheme (split mode C) of a sentence.

    ``parts`` are the finer split-mode-A units of a compound (``()`` when the token is not a
    compound), each as (normalized_form, dictionary_form, surface, pos)."""
    surface: str
    normalized: str
    dictionary_form: str
    pos: str          # full part of speech, levels joined with '-', '*' levels dropped
    begin: int        # character offsets in the analysed text
    end: int
    parts: tuple[tuple[str, str, str, str], ...]


def _tokenizer():
    """The shared SudachiPy tokenizer (split mode C, sudachidict_core), created on first use."""
    tok = _STATE.get("tokenizer")
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        tok = dictionary.tokenizer(mode=SplitMode.C)
        _STATE["dictionary"] = dictionary
        _STATE["tokenizer"] = tok
        _STATE["mode_a"] = SplitMode.A
        _STATE["pos"] = {}
        _STATE["parts"] = {}
    return tok


def _pos_name(pos_id: int) -> str:
    cache: dict = _STATE["pos"]
    name = cache.get(pos_id)
    if name is None:
        levels = _STATE["dictionary"].pos_of(pos_id)
        name = "-".join(level for level in levels if level != "*")
        cache[pos_id] = name
    return name


def _parts(m) -> tuple[tuple[str, str, str, str], ...]:
    """Mode-A parts of a compound morpheme, cached per dictionary word id."""
    surface = m.surface()
    if len(surface) < 2 or m.is_oov():
        return ()
    key = m.word_id()
    cache: dict = _STATE["parts"]
    parts = cache.get(key)
    if parts is None:
        split = m.split(_STATE["mode_a"])
        if len(split) < 2:
            parts = ()
        else:
            parts = tuple((p.normalized_form(), p.dictionary_form(), p.surface(),
                           _pos_name(p.part_of_speech_id())) for p in split)
        cache[key] = parts
    return parts


#: SudachiPy refuses inputs over 49,149 bytes; longer texts are tokenized in chunks of at most
#: this many characters (4 bytes each at worst), cut after a 。 where there is one.
MAX_CHUNK = 12_000


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= MAX_CHUNK:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + MAX_CHUNK, len(text))
        if end < len(text):
            cut = text.rfind("。", start, end)
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def _morphemes(text: str):
    """(offset, morpheme) pairs of a text of any length."""
    tok = _tokenizer()
    for offset, chunk in _chunks(text):
        for m in tok.tokenize(chunk):
            yield offset, m


def analyze(text: str) -> list[Token]:
    """Tokenize one sentence with SudachiPy split mode C (whitespace tokens are dropped)."""
    out: list[Token] = []
    for offset, m in _morphemes(text):
        pos = _pos_name(m.part_of_speech_id())
        if pos.startswith("空白"):
            continue
        out.append(Token(m.surface(), m.normalized_form(), m.dictionary_form(), pos,
                         offset + m.begin(), offset + m.end(), _parts(m)))
    return out


def word_forms(tokens: list[Token]) -> Iterator[tuple[str, str]]:
    """Every (form, pos) under which a rule word can match: each token's normalized form,
    dictionary form and surface, and the same for its mode-A parts."""
    for t in tokens:
        yield t.normalized, t.pos
        if t.dictionary_form != t.normalized:
            yield t.dictionary_form, t.pos
        if t.surface != t.normalized and t.surface != t.dictionary_form:
            yield t.surface, t.pos
        for normalized, dictionary_form, surface, pos in t.parts:
            yield normalized, pos
            if dictionary_form != normalized:
                yield dictionary_form, pos
            if surface != normalized:
                yield surface, pos


def matching_forms(texts, wanted: set[str]) -> list[list[tuple[str, str]]]:
    """For each text, the (form, pos) pairs of its tokens (and their mode-A parts) whose form is in
    ``wanted`` — the fast path of rule matching. What a dictionary word contributes is computed
    once per (word id, surface) and cached for this call."""
    _tokenizer()
    per_word: dict[tuple[int, str], list[tuple[str, str]]] = {}
    out: list[list[tuple[str, str]]] = []
    for text in texts:
        found: list[tuple[str, str]] = []
        for _, m in _morphemes(text):
            surface = m.surface()
            key = (m.word_id(), surface)
            hits = per_word.get(key)
            if hits is None:
                pos = _pos_name(m.part_of_speech_id())
                token = Token(surface, m.normalized_form(), m.dictionary_form(), pos, 0, 0,
                              _parts(m))
                hits = [(f, p) for f, p in word_forms([token]) if f in wanted]
                per_word[key] = hits
            if hits:
                found.extend(hits)
        out.append(found)
    return out


@lru_cache(maxsize=4096)
def normalize_word(word: str) -> str:
    """NFKC form of a rule word (rules are written by hand, the statements' text is NFKC)."""
    return unicodedata.normalize("NFKC", word)
