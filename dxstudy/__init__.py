"""dxstudy: reproducible, evidence-linked analysis of the 5市1町 DX working group reports.

The few names an analyst types in a notebook: ``read_report`` (a report file → tables),
``load_tables`` (a fiscal year's processed tables) and ``ReportFormatError``.
"""
from dxstudy.errors import DxstudyError, ReportFormatError
from dxstudy.report_reader import read_report
from dxstudy.tables import load_tables

__version__ = "0.1.0"
__all__ = ["read_report", "load_tables", "ReportFormatError", "DxstudyError", "__version__"]
