# The display helpers the notebooks call, in one namespace (``from dxstudy.render import views``):
# set-up and loading, the generic table, and the overview, theme, findings and conclusions tables.
"""Each helper returns an :class:`HtmlBlock` of Japanese-labelled, escaped HTML (no raw DataFrame
dumps). They live in the modules named below; this module gathers them for the notebooks:

* :mod:`dxstudy.render.loading` — setup_notebook, validate_parameters, load, missing_note,
  load_comparison; and :func:`dxstudy.external.load_benchmarks` (the national figures);
* :mod:`dxstudy.render.html_blocks` — HtmlBlock, esc, html_table, bullets, CSS;
* :mod:`dxstudy.render.tables_overview` — document_summary, meetings_table, statements_summary,
  national_table, proposals_block;
* :mod:`dxstudy.render.tables_theme` — theme_heading, region_summary, stage_table,
  status_challenge_table;
* :mod:`dxstudy.render.tables_findings` — metrics_table, events_table, shared_challenges_table,
  technology_table.
"""
from __future__ import annotations

from dxstudy.external import load_benchmarks
from dxstudy.render.html_blocks import CSS, COLLAPSE_MEMBERS, HtmlBlock, bullets, esc, html_table, member_count
from dxstudy.render.loading import (EXPECTED_TABLES, ParameterError, PreviousYearMissing, load, load_comparison,
                                    missing_note, setup_notebook, validate_parameters)
from dxstudy.render.tables_findings import events_table, metrics_table, shared_challenges_table, technology_table
from dxstudy.render.tables_overview import (document_summary, meetings_table, national_table, proposals_block,
                                            statements_summary)
from dxstudy.render.tables_theme import region_summary, stage_table, status_challenge_table, theme_heading

__all__ = [
    "CSS", "COLLAPSE_MEMBERS", "HtmlBlock", "bullets", "esc", "html_table", "member_count",
    "load_benchmarks", "EXPECTED_TABLES", "ParameterError", "PreviousYearMissing", "load", "load_comparison",
    "missing_note", "setup_notebook", "validate_parameters",
    "events_table", "metrics_table", "shared_challenges_table", "technology_table",
    "document_summary", "meetings_table", "national_table", "proposals_block", "statements_summary",
    "region_summary", "stage_table", "status_challenge_table", "theme_heading",
]
