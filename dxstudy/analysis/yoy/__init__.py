# Year over year (前年度比較): two fiscal years' tables compared, every row quoting its evidence from both
# years; change tables (changes), the Comparison record (comparison), Japanese sentences (summary).
"""Comparisons of two fiscal years' tables (any raw form: report or survey), as pure functions of
tables already loaded (``dxstudy.render.loading.load_comparison`` reads both years from
``data/processed/``):

* :mod:`.changes` — ``stage_transitions``, ``stalled``, ``metric_changes``, ``challenge_changes``,
  ``technology_changes`` and ``compare_tables`` (all four of two years' tables);
* :mod:`.comparison` — the ``Comparison`` record (``comparison_of``), ``year_sources`` (report text
  or survey workbooks), ``persistent_challenges`` (codes raised in both years, per member),
  ``disagreements`` (a respondent's stage the rules read differently from the same answer's text);
* :mod:`.summary` — ``summary_points`` and ``trend_sentences`` (Japanese sentences derived from all
  of these).
"""
from dxstudy.analysis.yoy.changes import (CHANGE_JA, TECH_RANK, challenge_changes, compare_tables, is_blank,
                                          metric_changes, stage_transitions, stalled, technology_changes,
                                          value_text)
from dxstudy.analysis.yoy.comparison import (PROSE_KINDS, STAGE_SOURCE_JA, Comparison, comparison_of,
                                             disagreements, first_status_sentences, member_rows,
                                             persistent_challenges, rules_verdicts, with_status_sentences,
                                             year_sources)
from dxstudy.analysis.yoy.summary import listing, summary_points, trend_sentences

__all__ = [
    "CHANGE_JA", "TECH_RANK", "challenge_changes", "compare_tables", "is_blank", "metric_changes",
    "stage_transitions", "stalled", "technology_changes", "value_text",
    "PROSE_KINDS", "STAGE_SOURCE_JA", "Comparison", "comparison_of", "disagreements", "first_status_sentences",
    "member_rows", "persistent_challenges", "rules_verdicts", "with_status_sentences", "year_sources",
    "listing", "summary_points", "trend_sentences",
]
