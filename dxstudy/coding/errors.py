# Errors raised by the coding layer: bad rule files and bad analyst overrides.
# Each names the file and line, what was expected and what was found.
from __future__ import annotations

from dxstudy.errors import FileContentError


class CodingError(FileContentError):
    """A coding input (rule file or override file) that cannot be used.

    Attributes: ``path`` (the file), ``line`` (1-based; 0 when the whole file is at fault),
    ``expected`` and ``found``.
    """


class RuleSyntaxError(CodingError):
    """A coding-rule file (KH Coder syntax, YAML or CSV) with a syntax or content error."""


class OverrideError(CodingError):
    """A row of an analyst override file (data/overrides/FY…/stages.csv) that cannot be applied."""
