# Evaluates parsed coding conditions over many sentences at once: each sentence is tokenized once,
# every atom becomes a boolean vector, and and/or/not are vector operations (as KH Coder does in SQL).
from __future__ import annotations

from collections import defaultdict, namedtuple
from typing import Iterable, Sequence

import numpy as np

from dxstudy.coding.khcoder import And, CodeRef, Node, Not, Or, String, Word, atoms
from dxstudy.coding.sudachi import matching_forms, normalize_word


class TextIndex:
    """The sentences to code, tokenized once, with a boolean vector per rule word.

    ``texts`` should be unique (code_statements passes the distinct texts and maps results back);
    ``words`` are all the Word atoms any rule will ask about.
    """

    def __init__(self, texts: Sequence[str], words: Iterable[Word]):
        self.texts = list(texts)
        self.n = len(self.texts)
        # all texts in one string, to find a literal string in every text with str.find
        self._joined = "\x00".join(self.texts)
        self._starts = np.cumsum([0] + [len(t) + 1 for t in self.texts[:-1]]) if self.texts \
            else np.zeros(0, dtype=int)
        self._strings: dict[str, np.ndarray] = {}
        self._words: dict[Word, np.ndarray] = {}
        wanted: dict[str, list[Word]] = defaultdict(list)
        for w in set(words):
            wanted[normalize_word(w.word)].append(w)
        hits: dict[Word, list[int]] = defaultdict(list)
        for i, forms in enumerate(matching_forms(self.texts, set(wanted))):
            seen: set[Word] = set()
            for form, pos in forms:
                for w in wanted.get(form, ()):
                    if w in seen:
                        continue
                    if w.pos is None or pos == w.pos or pos.startswith(w.pos + "-"):
                        seen.add(w)
                        hits[w].append(i)
        for forms in wanted.values():
            for w in forms:
                mask = np.zeros(self.n, dtype=bool)
                mask[hits.get(w, [])] = True
                self._words[w] = mask

    def string_mask(self, text: str) -> np.ndarray:
        """Sentences containing ``text`` (a plain substring, no regular expression)."""
        mask = self._strings.get(text)
        if mask is None:
            mask = np.zeros(self.n, dtype=bool)
            found, find, at = [], self._joined.find, self._joined.find(text)
            while at >= 0:
                found.append(at)
                at = find(text, at + 1)
            if found:
                mask[np.searchsorted(self._starts, found, side="right") - 1] = True
            self._strings[text] = mask
        return mask

    def word_mask(self, word: Word) -> np.ndarray:
        try:
            return self._words[word]
        except KeyError:
            raise KeyError(f"word {word!r} was not declared when the index was built") from None

    def evaluate(self, node: Node, codes: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Boolean vector: which sentences satisfy the condition. ``codes`` holds the vectors of
        codes that <＊code> references may name."""
        if isinstance(node, Word):
            return self.word_mask(node)
        if isinstance(node, String):
            return self.string_mask(node.text)
        if isinstance(node, CodeRef):
            return (codes or {})[node.code_id]
        if isinstance(node, Not):
            return ~self.evaluate(node.operand, codes)
        masks = [self.evaluate(o, codes) for o in node.operands]
        if isinstance(node, And):
            return np.logical_and.reduce(masks)
        if isinstance(node, Or):
            return np.logical_or.reduce(masks)
        raise TypeError(f"not a condition node: {node!r}")


def words_of(conditions: Iterable[Node]) -> set[Word]:
    """All Word atoms of some conditions (what a TextIndex must be built with)."""
    return {a for c in conditions for a in atoms(c) if isinstance(a, Word)}


def first_match(masks: list[np.ndarray], n: int) -> np.ndarray:
    """Index of the first true mask per sentence (-1 where none is true): a decision list."""
    if not masks:
        return np.full(n, -1, dtype=int)
    stacked = np.vstack(masks)
    first = stacked.argmax(axis=0)
    return np.where(stacked.any(axis=0), first, -1)


_RECORD_TYPES: dict[tuple[str, ...], type] = {}


def records(frame, columns: Sequence[str]) -> list:
    """Rows of ``frame`` as named tuples of plain Python values (much faster to loop over than
    DataFrame.itertuples on pandas' string columns)."""
    key = tuple(columns)
    kind = _RECORD_TYPES.get(key)
    if kind is None:
        kind = _RECORD_TYPES[key] = namedtuple("Record", key)
    return [kind(*values) for values in zip(*(frame[c].tolist() for c in columns))]
