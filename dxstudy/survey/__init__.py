# Survey workbooks for the fiscal years after FY2021: pre-filled templates out, validated answers in,
# read into the same tidy tables as the report path.
"""dxstudy.survey — the yearly survey in Excel.

``write_templates(fiscal_year, out_dir, data_dir)`` writes one pre-filled workbook per member;
``ingest(src_dir, fiscal_year, data_dir)`` validates returned workbooks, copies them to
``data/raw/FY{year}/`` and writes ``data/processed/FY{year}/``; ``read_survey_dir`` is the raw
reader ``dxstudy.tables.build.build_processed`` uses for a year of workbooks. Problems are raised as
``SurveyValidationError`` listing every ``CellProblem`` (file, sheet, cell, expected, found).
"""
from dxstudy.survey.intake import IngestResult, ingest, read_survey_dir
from dxstudy.survey.layout import LAYOUT_VERSION
from dxstudy.survey.problems import CellProblem, SurveyValidationError
from dxstudy.survey.template import TemplateResult, write_templates
from dxstudy.tables.years import load_all_years

__all__ = ["write_templates", "ingest", "read_survey_dir", "load_all_years", "SurveyValidationError",
           "CellProblem", "IngestResult", "TemplateResult", "LAYOUT_VERSION"]
