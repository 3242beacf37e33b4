# Errors raised by the coding layer: bad rule files and bad analyst overrides.
# Each names the file and line, what was expected and what was found.
from __future__ import annotations

from pathlib import Path

try:  # the project's base error (dxstudy/errors.py, owned by the lead)
    from dxstudy.errors import DxstudyError
except ImportError:  # pragma: no cover - only while the lead's module is missing
    class DxstudyError(Exception):
        """Fallback base class used until dxstudy.errors exists."""


class CodingError(DxstudyError, ValueError):
    """A coding input (rule file or override file) that cannot be used.

    Attributes: ``path`` (the file), ``line`` (1-based; 0 when the whole file is at fault),
    ``expected`` and ``found``.
    """

    def __init__(self, path: str | Path, line: int, expected: str, found: str):
        self.path = str(path)
        self.line = int(line)
        self.expected = expected
        self.found = found
        super().__init__(f"{self.path}:{self.line}: expected {expected}, found {found}")


class RuleSyntaxError(CodingError):
    """A coding-rule file (KH Coder syntax, YAML or CSV) with a syntax or content error."""


class OverrideError(CodingError):
    """A row of an analyst override file (data/overrides/FY…/stages.csv) that cannot be applied."""
