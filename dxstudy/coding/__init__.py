# The coding layer: statements → maturity stages, challenge codes and technologies (rules are data
# files in dxstudy/rules/), plus the Japanese text analytics used by the notebooks.
"""dxstudy.coding — code the statements of a report.

``code_statements(statements, fiscal_year=…)`` returns the coded tables; ``rules_version()`` the
stamp of the rules used; ``explain_sentence(text)`` shows what the rules make of one sentence. Text
analytics for notebooks: ``tokenize_statements``, ``term_frequencies``, ``kwic``,
``cooccurrence_network``, ``khcoder_table`` / ``export_khcoder_csv``. Display helpers:
``challenge_crosstab``, ``technology_matrix``. Each name is imported from its module on first use,
so importing one module of the layer does not load the others.
"""
from __future__ import annotations

from importlib import import_module

#: Public name → the module of this package that defines it.
_HOME = {
    **dict.fromkeys(["cooccurrence_network", "export_khcoder_csv", "khcoder_table", "kwic", "load_stopwords",
                     "term_frequencies", "tokenize_statements"], "analytics"),
    "challenge_crosstab": "challenges",
    **dict.fromkeys(["CodingError", "OverrideError", "RuleSyntaxError"], "errors"),
    **dict.fromkeys(["default_overrides_path", "read_overrides"], "overrides"),
    **dict.fromkeys(["TABLES", "code_statements", "explain_sentence"], "pipeline"),
    **dict.fromkeys(["DEFAULT_RULES_DIR", "load_rules", "rules_version"], "rulesets"),
    "technology_matrix": "technologies",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'dxstudy.coding' has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(f"dxstudy.coding.{_HOME[name]}"), name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
