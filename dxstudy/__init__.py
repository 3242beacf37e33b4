"""dxstudy: reproducible, evidence-linked analysis of the 5市1町 DX working group reports.

The few names an analyst types in a notebook: ``read_report`` (a report file → tables),
``load_tables`` (a fiscal year's processed tables), ``load_all_years`` (every processed year, one
table per kind), ``run_batch`` (the fiscal-year batch) and the errors they raise.
"""
from dxstudy.batch import run_batch
from dxstudy.errors import DxstudyError, ReportFormatError
from dxstudy.report_reader import read_report
from dxstudy.tables import load_tables
from dxstudy.years import load_all_years

__version__ = "0.1.0"
__all__ = ["read_report", "load_tables", "load_all_years", "run_batch", "ReportFormatError",
           "DxstudyError", "__version__"]
