# The survey workbook layout as data: sheet names, the cell of every answer, the answer tables
# (metrics, events, technologies) and the drop-down choices. template.py writes it, intake.py reads it.
"""Layout of the survey workbook (version ``LAYOUT_VERSION``).

A workbook has, in this order: the instructions sheet ``説明``, one sheet per theme of chapters 1–4
(``第1章 意識の醸成`` …), the own-initiatives sheet (``第5章 各市町独自の取組み``) and the hidden
sheet ``_meta`` (key/value rows: format, layout version, fiscal year, municipality; and the
drop-down lists). Every answer has a fixed cell; docs/survey.md lists them.

Change ``LAYOUT_VERSION`` whenever a cell moves: intake refuses workbooks of another version.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dxstudy import reference
from dxstudy.extract.metric_rules import load_metric_rules, metric_catalog
from dxstudy.reference import vocabulary

#: Version of the cell layout below; written to ``_meta`` and checked on intake.
LAYOUT_VERSION = "1"
#: ``format`` value of ``_meta``: what marks a workbook as a dxstudy survey workbook.
FORMAT = "dxstudy-survey"
INSTRUCTIONS_SHEET = "説明"
META_SHEET = "_meta"
#: Themes of chapters 1–4 (a 段階, 現状 and 課題 each) and the chapter-5 theme.
STAGE_THEMES = ("awareness", "talent", "telework", "planning")
OWN_THEME = "own_initiatives"
#: Columns A–F of every answer sheet and their widths (characters).
COLUMN_WIDTHS = {"A": 34, "B": 16, "C": 10, "D": 16, "E": 30, "F": 30}
LAST_COLUMN = "F"


@dataclass(frozen=True)
class Field:
    """One answer cell. ``cell`` is the top-left cell, merged up to column ``merge_to`` when given.
    ``kind``: text | stage | date_text (free text such as 回答期限). ``label`` is the Japanese
    name shown in column A and in error messages."""

    key: str
    cell: str
    label: str
    kind: str = "text"
    required: bool = False
    merge_to: str = ""

    @property
    def row(self) -> int:
        return int("".join(c for c in self.cell if c.isdigit()))

    @property
    def column(self) -> str:
        return "".join(c for c in self.cell if c.isalpha())


class Column(Field):
    """One column of an answer table: ``cell`` is the column letter alone (``A``; the rows are the
    table's), ``column`` that letter. ``kind``: text | number | date | as_of | choice; ``required``
    means required in a row that has anything filled in."""


@dataclass(frozen=True)
class TableBlock:
    """A block of answer rows: a title row, a header row, then ``n_rows`` rows to fill."""

    key: str
    title: str
    title_row: int
    columns: tuple[Column, ...]
    n_rows: int

    @property
    def header_row(self) -> int:
        return self.title_row + 1

    @property
    def first_row(self) -> int:
        return self.title_row + 2

    @property
    def last_row(self) -> int:
        return self.first_row + self.n_rows - 1

    def rows(self) -> range:
        return range(self.first_row, self.last_row + 1)


@lru_cache(maxsize=None)
def _chapter_and_label(theme: str) -> tuple[int, str]:
    row = reference.themes().set_index("theme").loc[theme]
    return int(row["chapter"]), str(row["label_ja"])


@dataclass(frozen=True)
class SheetLayout:
    """An answer sheet: its theme, single answer cells and answer tables. Its ``chapter`` and
    ``name`` (``第3章 テレワークの推進``) are the theme's (reference/themes.csv)."""

    theme: str
    fields: tuple[Field, ...]
    tables: tuple[TableBlock, ...]

    @property
    def chapter(self) -> int:
        return _chapter_and_label(self.theme)[0]

    @property
    def name(self) -> str:
        chapter, label = _chapter_and_label(self.theme)
        return f"第{chapter}章 {label}"

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def table(self, key: str) -> TableBlock:
        return next(t for t in self.tables if t.key == key)


METRIC_ROWS = 15
EVENT_ROWS = 15
TECHNOLOGY_ROWS = 15


def _metrics_block(title_row: int) -> TableBlock:
    return TableBlock("metrics", "数値指標（任意）", title_row, (
        Column("metric", "A", "指標", "choice", required=True),
        Column("value", "B", "値（数字のみ）", "number", required=True),
        Column("unit", "C", "単位"),
        Column("as_of", "D", "時点", "as_of"),
        Column("note", "E", "備考", merge_to="F"),
    ), METRIC_ROWS)


def _events_block(title_row: int) -> TableBlock:
    return TableBlock("events", "主な出来事（日付のあるもの・任意）", title_row, (
        Column("date", "A", "日付", "date", required=True),
        Column("event", "B", "内容", required=True, merge_to="F"),
    ), EVENT_ROWS)


def _theme_sheet(theme: str) -> SheetLayout:
    fields = (
        Field("stage", "B4", "取組みの段階", "stage", required=True, merge_to="C"),
        Field("status", "B6", "現状", required=True, merge_to=LAST_COLUMN),
        Field("challenge", "B7", "課題", required=True, merge_to=LAST_COLUMN),
    )
    metrics = _metrics_block(9)
    events = _events_block(metrics.last_row + 2)
    return SheetLayout(theme, fields, (metrics, events))


def _own_sheet() -> SheetLayout:
    fields = (Field("summary", "B4", "取組みの概要", merge_to=LAST_COLUMN),)
    techs = TableBlock("technologies", "活用している技術・システム（任意）", 6, (
        Column("technology", "A", "技術・システム", "choice", required=True),
        Column("status", "B", "状況", "choice", required=True),
        Column("description", "C", "内容（どの業務で、どの程度）", merge_to=LAST_COLUMN),
    ), TECHNOLOGY_ROWS)
    metrics = _metrics_block(techs.last_row + 2)
    events = _events_block(metrics.last_row + 2)
    return SheetLayout(OWN_THEME, fields, (techs, metrics, events))


#: Fields of the instructions sheet. ``secretariat`` ones are for the secretariat to fill before
#: sending; ``respondent`` ones for the respondent.
INSTRUCTION_FIELDS = (
    Field("municipality", "B4", "回答団体", merge_to="D"),
    Field("deadline", "B5", "回答期限", "date_text", merge_to="D"),
    Field("as_of", "B6", "調査基準日（この日時点の状況を記入）", "date_text", merge_to="D"),
    Field("contact", "B7", "問合せ先（事務局）", merge_to=LAST_COLUMN),
    Field("department", "B10", "部署名", merge_to="D"),
    Field("person", "B11", "担当者名", merge_to="D"),
    Field("phone", "B12", "電話", merge_to="D"),
    Field("email", "B13", "メール", merge_to="D"),
)
SECRETARIAT_FIELDS = ("deadline", "as_of", "contact")
RESPONDENT_FIELDS = ("department", "person", "phone", "email")
INSTRUCTIONS_NOTE_ROW = 3
INSTRUCTIONS_RESPONDENT_TITLE_ROW = 9
INSTRUCTIONS_HOWTO_ROW = 15


@lru_cache(maxsize=None)
def answer_sheets() -> tuple[SheetLayout, ...]:
    """The answer sheets in workbook order (chapters 1–4, then chapter 5), from the themes table."""
    themes = reference.themes().sort_values("chapter")["theme"]
    return tuple(_theme_sheet(theme) if theme in STAGE_THEMES else _own_sheet()
                 for theme in themes if theme in (*STAGE_THEMES, OWN_THEME))


def sheet_for(theme: str) -> SheetLayout:
    return next(s for s in answer_sheets() if s.theme == theme)


def sheet_names() -> list[str]:
    """Every sheet of a workbook of this layout, in order."""
    return [INSTRUCTIONS_SHEET, *(s.name for s in answer_sheets()), META_SHEET]


# ---------------------------------------------------------------------------------------------
# _meta: key/value rows in columns A/B, drop-down lists in columns D–G

META_KEYS = ("format", "layout_version", "fiscal_year", "municipality_code", "municipality",
             "previous_fiscal_year", "prefilled", "publisher", "generator", "test_data")
#: Column of the _meta sheet holding each drop-down list (header in row 1, values from row 2).
LIST_COLUMNS = {"stages": "D", "technologies": "E", "statuses": "F", "metrics": "G"}


def list_range(name: str, n: int) -> str:
    """Absolute reference to a drop-down list of ``n`` values on _meta (for data validation)."""
    col = LIST_COLUMNS[name]
    return f"'{META_SHEET}'!${col}$2:${col}${max(n, 1) + 1}"


# ---------------------------------------------------------------------------------------------
# Choices

#: Status choices of the own-initiatives sheet → technology status ids of dxstudy.coding.
STATUS_CHOICES = {"利用中": "in_use", "試行中": "pilot", "検討中": "considering"}
OTHER_TECHNOLOGY = "その他"


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("　", "")


def stage_scale() -> dict[int, str]:
    """Stage → label (0 未着手 … 3 実施中), from the coding rules (stage_rules.yaml)."""
    return dict(vocabulary.stage_scale())


def stage_choices() -> list[str]:
    """The four drop-down labels: ``0 未着手``, ``1 検討中``, ``2 試行・一部実施``, ``3 実施中``."""
    return [f"{k} {v}" for k, v in sorted(stage_scale().items())]


def parse_stage(value) -> int | None:
    """The stage a cell value names: one of the drop-down labels, the number alone (0–3) or the
    label alone; None when it names none of the four."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and int(value) in stage_scale():
        return int(value)
    text = _key(value)
    for k, label in stage_scale().items():
        if text in (_key(f"{k} {label}"), str(k), _key(label)):
            return k
    return None


def technology_choices() -> pd.DataFrame:
    """``technology`` id and ``label_ja`` of every technology of dxstudy/rules/technologies.csv,
    then ``other`` / その他."""
    rows = list(vocabulary.technologies())
    rows.append(("other", OTHER_TECHNOLOGY))
    return pd.DataFrame(rows, columns=["technology", "label_ja"])


def technology_of(label) -> tuple[str, str]:
    """(technology id, label) of a typed or chosen technology; a name not in the list is ``other``
    with the name as label."""
    text = _key(label)
    for row in technology_choices().itertuples(index=False):
        if text in (_key(row.label_ja), _key(row.technology)):
            return row.technology, row.label_ja
    return "other", unicodedata.normalize("NFKC", str(label)).strip()


def status_of(value) -> str | None:
    """Technology status id of a status cell (利用中 → in_use …; the coding labels and ids are
    accepted too); None for anything else."""
    text = _key(value)
    for label, status in STATUS_CHOICES.items():
        if text in (_key(label), status):
            return status
    for status, label in vocabulary.technology_status_labels().items():
        if text == _key(label):
            return status
    return None


def status_choice(status: str) -> str:
    """The drop-down label of a technology status id (in_use → 利用中)."""
    return {v: k for k, v in STATUS_CHOICES.items()}.get(status, "")


def status_label(status: str) -> str:
    """The coding layer's label of a status id (as in the technologies table)."""
    return vocabulary.technology_status_labels().get(status, "")


@lru_cache(maxsize=None)
def _metric_catalog() -> pd.DataFrame:
    catalog = metric_catalog()
    catalog = catalog[catalog["metric"] != "study_themes"].reset_index(drop=True)
    targets = {r.metric for r in load_metric_rules() if "target" in r.qualifier.split(";")}
    catalog["is_target"] = catalog["metric"].isin(targets)
    return catalog


def metric_choices() -> pd.DataFrame:
    """``metric``, ``label_ja``, ``unit``, ``is_target`` of the metrics a respondent can pick
    (dxstudy/rules/metrics.csv, without the region-wide ones)."""
    return _metric_catalog().copy()


def metric_of(label) -> tuple[str, str, str, bool]:
    """(metric id, label, default unit, is_target) of a metric cell; a label not in the catalog is
    metric ``other`` with the label as typed."""
    text = _key(label)
    for row in _metric_catalog().itertuples(index=False):
        if text in (_key(row.label_ja), _key(row.metric)):
            return row.metric, row.label_ja, row.unit, bool(row.is_target)
    return "other", unicodedata.normalize("NFKC", str(label)).strip(), "", False


def file_name(code: str, name: str, fiscal_year: int) -> str:
    """``112224_越谷市_FY2022.xlsx``."""
    return f"{code}_{name}_FY{fiscal_year}.xlsx"
