# Text analytics of the statements: frequent-term bars (seaborn.barplot) and co-occurrence networks
# (networkx on matplotlib) of a theme's 課題 sentences, terms from dxstudy.coding (SudachiPy).
from __future__ import annotations

import math

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dxstudy.reference import labels as lb
from dxstudy.render.charts.figure import FONT_FAMILY, empty_figure, footnote, new_figure, plain_axes, render

def term_bars(
    frequencies: pd.DataFrame,
    top: int = 20,
    term_column: str = "term",
    count_column: str = "count",
    title: str = "頻出語",
) -> Figure:
    """Horizontal bars of the ``top`` most frequent terms, most frequent on top (counts summed over
    any other grouping columns, e.g. per member)."""
    import seaborn as sns

    if frequencies.empty:
        return empty_figure(title)
    totals = (
        frequencies.groupby(term_column, as_index=False)[count_column].sum()
        .sort_values([count_column, term_column], ascending=[False, True], kind="stable")
        .head(top)
    )
    fig = new_figure(6.0, 1.0 + 0.28 * len(totals))
    ax = fig.add_subplot()
    sns.barplot(data=totals, x=count_column, y=term_column, orient="y", color="#5b9b6b", width=0.65, saturation=1,
                errorbar=None, ax=ax)
    ax.bar_label(ax.containers[0], labels=[f" {value}" for value in totals[count_column]], fontsize=9)
    plain_axes(ax)
    ax.set_xlabel("出現回数")
    ax.set_title(title, loc="left")
    return render(fig)


def _component_layout(graph: nx.Graph, seed: int, weight: str) -> dict:
    """Lay out each connected component on its own (spring layout, fixed seed) and place the
    components on a grid, largest first, so small clusters are not squeezed to the rim."""
    comps = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(map(str, c))))
    cols = math.ceil(math.sqrt(len(comps)))
    biggest = len(comps[0])
    pos = {}
    for idx, comp in enumerate(comps):
        sub = graph.subgraph(sorted(comp, key=str))
        if len(comp) == 1:
            local = {next(iter(comp)): np.zeros(2)}
        else:
            local = nx.spring_layout(sub, seed=seed, k=1.8 / math.sqrt(len(comp)), weight=weight, iterations=100)
        coords = np.array(list(local.values()))
        coords = coords - coords.mean(axis=0)
        span = np.abs(coords).max() or 1.0
        scale = 1.2 * math.sqrt(len(comp) / biggest)
        cx, cy = (idx % cols) * 3.0, -(idx // cols) * 3.0
        for node, xy in zip(local, coords):
            pos[node] = np.array([cx, cy]) + xy / span * scale
    return pos


def network_figure(
    graph: nx.Graph,
    title: str = "共起ネットワーク",
    weight: str = "weight",
    size: str = "count",
    seed: int = 0,
) -> Figure:
    """Draw a co-occurrence network: node size by ``size`` attribute (term frequency), edge width by
    ``weight`` (Jaccard), node colour by community (greedy modularity, as KH Coder colours them).

    The layout uses a fixed seed, so the same graph gives the same picture.
    """
    if graph.number_of_nodes() == 0:
        return empty_figure(title)
    n = graph.number_of_nodes()
    side = min(5.5 + 0.12 * n, 12.0)
    fig = new_figure(side + 1.0, side * 0.8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda x: str(x[0])))
    ordered.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))))
    pos = _component_layout(ordered, seed, weight)
    communities = (
        nx.community.greedy_modularity_communities(ordered, weight=weight) if ordered.number_of_edges() else []
    )
    pastel = matplotlib.colormaps["Pastel1"].colors
    palette = [pastel[i % len(pastel)] for i in range(max(len(communities), 1))]
    color_of = {node: palette[i % len(palette)] for i, com in enumerate(communities) for node in com}
    nodes = list(ordered.nodes)
    counts = np.array([float(ordered.nodes[v].get(size, 1) or 1) for v in nodes])
    sizes = 250 + 750 * (counts - counts.min()) / (np.ptp(counts) or 1)
    widths = [0.5 + 4 * float(d.get(weight, 0.1)) for _, _, d in ordered.edges(data=True)]
    nx.draw_networkx_edges(ordered, pos, ax=ax, width=widths, edge_color="#9a9a9a", alpha=0.8)
    nx.draw_networkx_nodes(ordered, pos, ax=ax, node_size=sizes, node_color=[color_of.get(v, "#dddddd") for v in nodes],
                           edgecolors="#666666", linewidths=0.6)
    nx.draw_networkx_labels(ordered, pos, ax=ax, font_family=FONT_FAMILY, font_size=9)
    ax.set_title(title, loc="left")
    ax.margins(0.08)
    footnote(fig, "円の大きさ：その語を含む文の数／線の太さ：Jaccard係数／色：コミュニティ")
    return render(fig)



def _analysis_statements(statements: pd.DataFrame, theme: str | None) -> tuple[pd.DataFrame, str]:
    """The 課題 sentences of a theme, or all its sentences when it has no 課題 part (第5章)."""
    df = statements if theme is None else statements[statements["theme"] == theme]
    challenge = df[df["aspect"] == "challenge"]
    if len(challenge):
        return challenge, "課題の記述"
    return df, "記述"


def challenge_terms_chart(statements: pd.DataFrame, theme: str | None = None, top: int = 20) -> Figure:
    """Frequent terms (SudachiPy, dxstudy.coding.term_frequencies) of the 課題 sentences of a theme
    (all themes when None; a theme without 課題 uses all its sentences)."""
    from dxstudy.coding import term_frequencies

    docs, what = _analysis_statements(statements, theme)
    title = f"{what}の頻出語" + (f"（{lb.theme_label(theme)}）" if theme else "")
    if docs.empty:
        return empty_figure(title)
    freq = term_frequencies(docs, by=("theme",))
    return term_bars(freq, top=top, title=title)


def challenge_network_chart(statements: pd.DataFrame, theme: str | None = None, min_df: int = 2,
                            top_edges: int = 40) -> Figure:
    """Co-occurrence network (Jaccard, dxstudy.coding.cooccurrence_network) of the terms of the
    課題 sentences of a theme (a theme without 課題 uses all its sentences)."""
    from dxstudy.coding import cooccurrence_network

    docs, what = _analysis_statements(statements, theme)
    title = f"{what}の共起ネットワーク" + (f"（{lb.theme_label(theme)}）" if theme else "")
    if docs.empty:
        return empty_figure(title)
    graph = cooccurrence_network(docs, aspect=None, min_df=min_df, top_edges=top_edges)
    if graph.number_of_nodes() == 0:
        return empty_figure(title, "2文以上に共通して現れる語の組合せがありません")
    return network_figure(graph, title=title, size="df")
