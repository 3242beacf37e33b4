"""Domain exceptions of dxstudy: every error names the file, the place, what was expected and what was found.

Analysts see these messages on the command line and in notebooks, so they are written to be read.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DxstudyError(Exception):
    """Base class of every error dxstudy raises on purpose (bad input, bad rules, bad paths)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what was expected and what was found."""

    path: str
    line: int
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: expected {self.expected}, found {self.found}"


class ReportFormatError(DxstudyError, ValueError):
    """A report file that does not have the shape of a DX working-group report.

    Attributes ``path``, ``line`` (1-based; 0 when the whole file is at fault), ``expected`` and
    ``found`` say precisely what is wrong; ``problems`` holds every problem collected so far.
    """

    def __init__(self, path: str | Path, line: int, expected: str, found: str,
                 problems: list[Problem] | None = None):
        self.path = str(path)
        self.line = line
        self.expected = expected
        self.found = found
        self.problems = problems or [Problem(self.path, line, expected, found)]
        super().__init__(str(Problem(self.path, line, expected, found)))

    @classmethod
    def from_problem(cls, problem: Problem) -> "ReportFormatError":
        return cls(problem.path, problem.line, problem.expected, problem.found)
