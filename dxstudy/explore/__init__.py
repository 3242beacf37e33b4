"""dxstudy.explore — the analyst's helpers of the exploration notebook (探索): one line per move.

``load`` a year's tables; ``select`` statements or coded rows by member, theme and aspect
(Japanese names or ids); ``search`` (KWIC with member and section), ``terms`` and ``network`` of a
selection; ``crosstab`` members × codes; ``try_rule`` / ``save_rule`` a KH Coder challenge rule;
``member_over_years`` one member's sentences across years; ``export_selection`` to Excel/CSV;
``show`` a table with Japanese headers; ``controls`` drop-downs bound to a ``Choice``.
"""
from dxstudy.explore.display import Choice, controls, show
from dxstudy.explore.export import export_selection
from dxstudy.explore.rule_trial import save_rule, try_rule
from dxstudy.explore.search import network, search, terms
from dxstudy.explore.selection import crosstab, load, select
from dxstudy.explore.years import member_over_years

__all__ = ["load", "select", "search", "terms", "network", "crosstab", "try_rule", "save_rule",
           "member_over_years", "export_selection", "show", "controls", "Choice"]
