# Searching the statements as an analyst does: KWIC hits with member, section and the whole sentence,
# and term frequencies / co-occurrence networks of a selection (the analyst views, not the reports').
"""Search and term views over a selection of statements."""
from __future__ import annotations

import networkx as nx
import pandas as pd

from dxstudy.coding.analytics import cooccurrence_network, kwic, term_frequencies
from dxstudy.explore.selection import select

SEARCH_COLUMNS = ["statement_id", "section", "municipality_code", "municipality", "theme", "aspect",
                  "left", "keyword", "right", "text"]


def search(statements: pd.DataFrame, term: str, *, match: str = "text", width: int = 20,
           member=None, theme=None, aspect=None, municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """KWIC: every occurrence of ``term`` in the selected statements, one row per occurrence.

    ``match="text"`` finds the string as written (after NFKC); ``match="token"`` finds words by
    their normalized or dictionary form (行う finds 行っ, 行わ…). Columns: ``statement_id``,
    ``section`` (the report's section number), ``municipality_code``, ``municipality`` (地域全体 for
    region-wide text), ``theme``, ``aspect``, ``left``/``keyword``/``right`` (``width`` characters of
    context) and ``text`` (the whole sentence). Report order.
    """
    chosen = select(statements, member=member, theme=theme, aspect=aspect, municipalities=municipalities)
    hits = kwic(chosen, term, width=width, match=match)
    if hits.empty:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    meta = chosen.set_index("statement_id")[["section", "text"]]
    out = hits.join(meta, on="statement_id")
    out["municipality"] = out["municipality"].where(out["municipality_code"].astype(str) != "", "地域全体")
    order = {sid: i for i, sid in enumerate(chosen["statement_id"])}
    out = out.assign(_order=out["statement_id"].map(order)).sort_values("_order", kind="stable")
    return out[SEARCH_COLUMNS].reset_index(drop=True)


def terms(statements: pd.DataFrame, *, top: int = 30, member=None, theme=None, aspect=None,
          municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``top`` content words (nouns, verbs, adjectives; stop words out) of the selected
    statements: ``term``, ``count`` (occurrences) and ``statements`` (how many statements use it)."""
    chosen = select(statements, member=member, theme=theme, aspect=aspect, municipalities=municipalities)
    freq = term_frequencies(chosen, by=[])
    return freq.head(top).reset_index(drop=True)


def network(statements: pd.DataFrame, *, min_df: int = 2, top_edges: int = 60, member=None, theme=None,
            aspect=None, municipalities: pd.DataFrame | None = None) -> nx.Graph:
    """The co-occurrence network (Jaccard, KH Coder style) of the selected statements."""
    chosen = select(statements, member=member, theme=theme, aspect=aspect, municipalities=municipalities)
    return cooccurrence_network(chosen, aspect=None, min_df=min_df, top_edges=top_edges)
