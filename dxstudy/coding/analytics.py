# Japanese text analytics for the notebooks: SudachiPy tokens, term frequencies, KWIC concordance,
# a Jaccard co-occurrence network (as KH Coder draws it) and a KH Coder-ready CSV export.
from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from pathlib import Path

import networkx as nx
import pandas as pd

from dxstudy.coding.rulesets import DEFAULT_RULES_DIR, STOPWORDS_FILE, _load_stopwords
from dxstudy.coding.sudachi import analyze
from dxstudy.inputs import InputError

TOKENS_COLUMNS = ["statement_id", "token_index", "surface", "normalized", "dictionary_form", "pos",
                  "pos1", "begin", "end"]
KWIC_COLUMNS = ["statement_id", "municipality_code", "municipality", "theme", "aspect", "left",
                "keyword", "right"]
KHCODER_COLUMNS = ["text", "statement_id", "municipality", "municipality_code", "theme", "aspect",
                   "section"]
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
_NOISE = re.compile(r"^(?:[\d\W_]+|[A-Za-z])$")


def load_stopwords(rules_dir: str | Path | None = None) -> frozenset[str]:
    """The stop words (normalized forms) of stopwords_ja.txt."""
    base = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    return _load_stopwords(base / STOPWORDS_FILE)


def tokenize_statements(statements: pd.DataFrame) -> pd.DataFrame:
    """Table ``tokens``: one row per SudachiPy token (split mode C, sudachidict_core) of each
    statement's ``text``: ``statement_id``, ``token_index`` (0-based), ``surface``, ``normalized``
    (normalized form), ``dictionary_form``, ``pos`` (full part of speech, e.g.
    名詞-普通名詞-サ変可能), ``pos1`` (its first level) and ``begin``/``end`` (character offsets
    in the text). Each distinct text is tokenized once."""
    cache: dict[str, list] = {}
    rows = []
    for sid, text in zip(statements["statement_id"], statements["text"].astype(str)):
        tokens = cache.get(text)
        if tokens is None:
            tokens = cache[text] = analyze(text)
        for i, t in enumerate(tokens):
            rows.append((sid, i, t.surface, t.normalized, t.dictionary_form, t.pos,
                         t.pos.split("-", 1)[0], t.begin, t.end))
    frame = pd.DataFrame(rows, columns=TOKENS_COLUMNS)
    for col in ("token_index", "begin", "end"):
        frame[col] = frame[col].astype("int64")
    return frame


def content_terms(tokens: pd.DataFrame, stopwords: frozenset[str] | None = None) -> pd.DataFrame:
    """The tokens that count as terms: nouns (not numerals), verbs (not 非自立可能), adjectives
    and na-adjectives, minus the stop words and tokens that are only digits/symbols or one Latin
    letter. Adds a column ``term`` (the normalized form)."""
    stop = load_stopwords() if stopwords is None else stopwords
    pos = tokens["pos"]
    keep = (tokens["pos1"].isin(CONTENT_POS) & ~pos.str.startswith("名詞-数詞")
            & ~pos.str.startswith("動詞-非自立可能") & ~tokens["normalized"].isin(stop)
            & ~tokens["normalized"].str.match(_NOISE))
    return tokens[keep].assign(term=tokens.loc[keep, "normalized"])


def term_frequencies(statements: pd.DataFrame, *,
                     by: tuple[str, ...] = ("municipality_code", "municipality", "theme", "aspect"),
                     tokens: pd.DataFrame | None = None,
                     stopwords: frozenset[str] | None = None) -> pd.DataFrame:
    """Term frequencies per group (default municipality × theme × aspect).

    Columns: the ``by`` columns, ``term`` (normalized form), ``pos1``, ``count`` (occurrences)
    and ``statements`` (how many statements of the group contain it); sorted by group, then
    count descending. Pass ``tokens`` (from tokenize_statements) to avoid tokenizing again."""
    tokens = tokenize_statements(statements) if tokens is None else tokens
    terms = content_terms(tokens, stopwords)
    keys = list(by)
    merged = terms.merge(statements[["statement_id", *keys]], on="statement_id", how="inner")
    grouped = merged.groupby([*keys, "term", "pos1"], sort=False)
    out = grouped.agg(count=("term", "size"), statements=("statement_id", "nunique")).reset_index()
    return (out.sort_values([*keys, "count", "term"], ascending=[True] * len(keys) + [False, True],
                            kind="stable").reset_index(drop=True))


def kwic(statements: pd.DataFrame, term: str, *, width: int = 20, match: str = "token",
         tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """KWIC concordance: every occurrence of ``term`` with ``width`` characters of left and right
    context, and the statement it comes from.

    ``match="token"`` finds tokens whose normalized form, dictionary form or surface is the term
    (so 行う finds 行っ, 行わ…); ``match="text"`` finds the plain string anywhere in the text.
    Columns: statement_id, municipality_code, municipality, theme, aspect, left, keyword, right."""
    if match not in ("token", "text"):
        raise InputError(f"match must be 'token' or 'text', not {match!r}")
    term = unicodedata.normalize("NFKC", term)
    meta = statements.set_index("statement_id")
    spans: list[tuple[str, int, int]] = []
    if match == "text":
        for sid, text in zip(statements["statement_id"], statements["text"].astype(str)):
            start = text.find(term)
            while start >= 0:
                spans.append((sid, start, start + len(term)))
                start = text.find(term, start + 1)
    else:
        tokens = tokenize_statements(statements) if tokens is None else tokens
        hit = ((tokens["normalized"] == term) | (tokens["dictionary_form"] == term)
               | (tokens["surface"] == term))
        spans = list(tokens.loc[hit, ["statement_id", "begin", "end"]].itertuples(index=False,
                                                                                     name=None))
    rows = []
    for sid, begin, end in spans:
        m = meta.loc[sid]
        text = str(m["text"])
        rows.append((sid, m["municipality_code"], m["municipality"], m["theme"], m["aspect"],
                     text[max(0, begin - width):begin], text[begin:end], text[end:end + width]))
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def cooccurrence_network(statements: pd.DataFrame, *, aspect: str | None = "challenge",
                         min_df: int = 2, top_edges: int = 60,
                         tokens: pd.DataFrame | None = None,
                         stopwords: frozenset[str] | None = None) -> nx.Graph:
    """Co-occurrence network of terms, KH Coder style: documents are statements (default: the
    challenge statements), terms appearing in at least ``min_df`` of them are nodes, and the
    ``top_edges`` pairs with the highest Jaccard coefficient |A∩B| / |A∪B| are edges.

    Node attributes: ``df`` (statements containing the term). Edge attributes: ``jaccard``
    (also ``weight``) and ``cooccurrences`` (statements containing both). Only nodes with an edge
    are kept, as KH Coder draws them."""
    docs = statements if aspect is None else statements[statements["aspect"] == aspect]
    tokens = tokenize_statements(docs) if tokens is None else tokens[
        tokens["statement_id"].isin(docs["statement_id"])]
    terms = content_terms(tokens, stopwords)
    sets = terms.groupby("statement_id", sort=False)["term"].agg(lambda s: frozenset(s))
    df = Counter(t for s in sets for t in s)
    vocab = {t for t, n in df.items() if n >= min_df}
    pairs: Counter = Counter()
    for s in sets:
        kept = sorted(s & vocab)
        pairs.update(itertools.combinations(kept, 2))
    scored = [(a, b, n / (df[a] + df[b] - n), n) for (a, b), n in pairs.items()]
    scored.sort(key=lambda e: (-e[2], -e[3], e[0], e[1]))
    graph = nx.Graph()
    for a, b, jaccard, n in scored[:top_edges]:
        for t in (a, b):
            if t not in graph:
                graph.add_node(t, df=df[t])
        graph.add_edge(a, b, jaccard=jaccard, weight=jaccard, cooccurrences=n)
    return graph


def khcoder_table(statements: pd.DataFrame) -> pd.DataFrame:
    """The statements as KH Coder reads a spreadsheet: a ``text`` column to analyse and the
    external variables statement_id, municipality (全体 for region-wide text), municipality_code,
    theme, aspect (なし where empty) and section."""
    out = statements[["text", "statement_id", "municipality", "municipality_code", "theme",
                      "aspect", "section"]].copy()
    out["municipality"] = out["municipality"].replace("", "全体")
    out["aspect"] = out["aspect"].replace("", "なし")
    return out[KHCODER_COLUMNS].reset_index(drop=True)


def export_khcoder_csv(statements: pd.DataFrame, path: str | Path) -> Path:
    """Write khcoder_table(statements) as CSV (UTF-8 with BOM, which KH Coder and Excel read)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    khcoder_table(statements).to_csv(path, index=False, encoding="utf-8-sig")
    return path
