# Charts for the notebooks and reports: matplotlib Figures with Japanese text (matplotlib-fontja), heatmaps
# and bars drawn with seaborn; every chart is drawn once on creation, so a missing glyph raises there.
"""The names notebooks, views and tests call as ``charts.<name>`` after ``from dxstudy.render import charts``.

Modules: figure (font, glyph check, PNG), matrices (wide tables), heatmaps, metrics (bars, targets,
national comparison), timeline (events), terms (frequent terms, co-occurrence networks), yoy
(前年度比較).
"""
from __future__ import annotations

from dxstudy.render.charts.figure import (
    EMPTY_MESSAGE, MissingGlyphError, empty_figure, render, replace_undrawable, setup, to_png,
)
from dxstudy.render.charts.heatmaps import challenge_heatmap, stage_heatmap, technology_heatmap
from dxstudy.render.charts.matrices import (
    TECH_STATUS_ORDER, challenge_matrix, stage_matrix, technology_label, technology_matrix,
)
from dxstudy.render.charts.metrics import (
    as_written, key_metric_ids, metric_bars, national_comparison_chart, target_pairs, theme_targets,
)
from dxstudy.render.charts.terms import challenge_network_chart, challenge_terms_chart, network_figure, term_bars
from dxstudy.render.charts.timeline import event_dates, events_timeline
from dxstudy.render.charts.yoy import metric_change_chart, stage_transition_chart

__all__ = [
    "EMPTY_MESSAGE", "MissingGlyphError", "TECH_STATUS_ORDER", "as_written", "challenge_heatmap",
    "challenge_matrix", "challenge_network_chart", "challenge_terms_chart", "empty_figure", "event_dates",
    "events_timeline", "key_metric_ids", "metric_bars", "metric_change_chart", "national_comparison_chart",
    "network_figure", "render", "replace_undrawable", "setup", "stage_heatmap", "stage_matrix",
    "stage_transition_chart", "target_pairs", "technology_heatmap", "technology_label", "technology_matrix",
    "term_bars", "theme_targets", "to_png",
]
