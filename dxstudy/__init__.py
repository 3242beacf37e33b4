"""dxstudy: reproducible, evidence-linked analysis of the 5市1町 DX working group reports.

The few names an analyst types in a notebook: ``read_report`` (a report file → tables),
``load_tables`` (a fiscal year's processed tables), ``load_all_years`` (every processed year, one
table per kind), ``run_batch`` (the fiscal-year batch) and the errors they raise. They are imported
on first use, so ``import dxstudy`` (and any ``dxstudy.<module>``) stays light.
"""
from __future__ import annotations

from importlib import import_module

from dxstudy.errors import DxstudyError, ReportFormatError

__version__ = "0.1.0"

#: Public name → module that defines it (imported when the name is first used).
_LAZY = {
    "read_report": "dxstudy.tables.build",
    "load_tables": "dxstudy.tables.store",
    "load_all_years": "dxstudy.tables.years",
    "run_batch": "dxstudy.batch.run",
}

__all__ = ["read_report", "load_tables", "load_all_years", "run_batch", "ReportFormatError",
           "DxstudyError", "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dxstudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
