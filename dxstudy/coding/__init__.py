# The coding layer: statements → maturity stages, challenge codes and technologies (rules are data
# files in dxstudy/rules/), plus the Japanese text analytics used by the notebooks.
"""dxstudy.coding — code the statements of a report.

``code_statements(statements, fiscal_year=…)`` returns the coded tables; ``rules_version()`` the
stamp of the rules used; ``explain_sentence(text)`` shows what the rules make of one sentence. Text analytics for notebooks: ``tokenize_statements``,
``term_frequencies``, ``kwic``, ``cooccurrence_network``, ``khcoder_table`` /
``export_khcoder_csv``. Display helpers: ``challenge_crosstab``, ``technology_matrix``.
"""
from dxstudy.coding.analytics import (cooccurrence_network, export_khcoder_csv, khcoder_table, kwic,
                                      load_stopwords, term_frequencies, tokenize_statements)
from dxstudy.coding.challenges import challenge_crosstab
from dxstudy.coding.errors import CodingError, OverrideError, RuleSyntaxError
from dxstudy.coding.overrides import default_overrides_path, read_overrides
from dxstudy.coding.pipeline import TABLES, code_statements, coding_tables, explain_sentence
from dxstudy.coding.rulesets import DEFAULT_RULES_DIR, load_rules, rules_version
from dxstudy.coding.technologies import technology_matrix

__all__ = [
    "code_statements", "coding_tables", "explain_sentence", "rules_version", "load_rules", "DEFAULT_RULES_DIR",
    "TABLES", "read_overrides", "default_overrides_path", "challenge_crosstab",
    "technology_matrix", "tokenize_statements", "term_frequencies", "kwic",
    "cooccurrence_network", "khcoder_table", "export_khcoder_csv", "load_stopwords",
    "CodingError", "RuleSyntaxError", "OverrideError",
]
