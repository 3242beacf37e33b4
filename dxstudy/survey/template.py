# Writes the pre-filled survey workbooks (one per member) with openpyxl: Japanese instructions,
# answer sheets per theme with drop-downs, protected labels (no password) and a hidden _meta sheet.
from __future__ import annotations

import math
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dxstudy import __version__
from dxstudy.errors import DxstudyError
from dxstudy.inputs import check_fiscal_year, confined
from dxstudy.survey import layout as lo
from dxstudy.survey.prefill import MemberPrefill, Prefill, ThemePrefill, load_prefill
from dxstudy.text.era import fiscal_year_label_ja

FONT_NAME = "游ゴシック"
FONT = Font(name=FONT_NAME, size=11)
BOLD = Font(name=FONT_NAME, size=11, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
NOTE = Font(name=FONT_NAME, size=10, color="555555")
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PREVIOUS_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
TEXT_FORMAT = "@"

STAGE_GUIDE = ("段階の目安　0 未着手：取り組んでいない（中止・休止を含む）／1 検討中：検討・予定・調査の段階／"
               "2 試行・一部実施：試行、一部での実施、期限を定めた目標がある／3 実施中：本格的に実施している")


@dataclass
class TemplateResult:
    """What ``write_templates`` wrote: the workbook ``paths`` and whether they were pre-filled
    (``prefilled``; ``reason`` says why not)."""

    paths: list[Path]
    prefilled: bool
    previous_fiscal_year: int
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# cell helpers


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _height(text: str, width_units: float, minimum: float = 18.0) -> float:
    """Row height (points) that shows ``text`` wrapped in a cell ``width_units`` wide."""
    per_line = max(int(width_units * 0.95), 10)
    lines = sum(max(1, math.ceil(_display_width(line) / per_line)) for line in (text or "").split("\n"))
    return min(409.0, max(minimum, 16.5 * lines + 6))


def _width(first: str, last: str) -> float:
    cols = "ABCDEF"
    return sum(lo.COLUMN_WIDTHS[c] for c in cols[cols.index(first): cols.index(last) + 1])


def _put(ws: Worksheet, cell: str, value, *, font: Font = FONT, fill: PatternFill | None = None,
         merge_to: str = "", answer: bool = False, text: bool = False, border: bool = True) -> None:
    """Write a value (and style) into ``cell``, merged to column ``merge_to`` of the same row;
    answer cells are unlocked and yellow."""
    row = int("".join(ch for ch in cell if ch.isdigit()))
    first = "".join(ch for ch in cell if ch.isalpha())
    last = merge_to or first
    cols = "ABCDEF"
    for col in cols[cols.index(first): cols.index(last) + 1]:
        c = ws[f"{col}{row}"]
        if border:
            c.border = BOX
        if answer:
            c.protection = UNLOCKED
    if last != first:
        # straight into the merged ranges: Worksheet.merge_cells re-formats every cell (slow) and
        # the cells here are already styled
        ws.merged_cells.add(f"{cell}:{last}{row}")
    c = ws[cell]
    if value not in (None, ""):
        c.value = value
    c.font = font
    c.alignment = WRAP
    if fill is not None or answer:
        c.fill = fill or ANSWER_FILL
    if answer:
        c.protection = UNLOCKED
    if text:
        c.number_format = TEXT_FORMAT


def _title(ws: Worksheet, row: int, text: str, font: Font = BOLD, height: float | None = None) -> None:
    _put(ws, f"A{row}", text, font=font, merge_to=lo.LAST_COLUMN, border=False)
    if height:
        ws.row_dimensions[row].height = height


def _setup(ws: Worksheet) -> None:
    for col, width in lo.COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _protect(ws: Worksheet) -> None:
    """Sheet protection WITHOUT a password: labels cannot be changed by mistake, answer cells are
    unlocked, rows and columns can still be resized; 校閲 → シート保護の解除 needs no password."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = True
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _validation(ws: Worksheet, cells: list[str], *, formula: str, error_style: str = "stop",
                prompt_title: str = "", prompt: str = "", error: str = "", kind: str = "list",
                formula2: str | None = None) -> DataValidation:
    dv = DataValidation(type=kind, formula1=formula, formula2=formula2, allow_blank=True,
                        operator="between" if formula2 is not None else None,
                        showErrorMessage=True, errorStyle=error_style, error=error or None,
                        errorTitle="入力内容の確認" if error else None,
                        showInputMessage=bool(prompt), promptTitle=prompt_title or None, prompt=prompt or None)
    for cell in cells:
        dv.add(cell)
    ws.add_data_validation(dv)
    return dv


# ---------------------------------------------------------------------------------------------
# sheets


def _instructions(ws: Worksheet, member: MemberPrefill, fiscal_year: int, prefill: Prefill, *,
                  deadline: str, as_of: str, contact: str, test_label: str) -> None:
    _setup(ws)
    era, prev_era = fiscal_year_label_ja(fiscal_year), fiscal_year_label_ja(prefill.previous_fiscal_year)
    head = f"【{test_label}】" if test_label else ""
    _title(ws, 1, f"{head}{era} DX（デジタルトランスフォーメーション）に関する調査 回答票", TITLE, 24)
    _title(ws, 2, f"{prefill.publisher or ''}　DX専門部会".strip("　"), FONT)
    if not prefill.available:
        _title(ws, lo.INSTRUCTIONS_NOTE_ROW, f"※ {prev_era}の集計データがないため、前年度の回答は記入されていません"
                                            "（空欄の回答票です）。", NOTE)
    values = {"municipality": f"{member.name}（団体コード {member.code}）", "deadline": deadline,
              "as_of": as_of, "contact": contact}
    for f in lo.INSTRUCTION_FIELDS:
        if f.row == lo.INSTRUCTIONS_RESPONDENT_TITLE_ROW + 1:
            _title(ws, lo.INSTRUCTIONS_RESPONDENT_TITLE_ROW, "回答者（記入してください）")
        who = "（事務局が記入）" if f.key in lo.SECRETARIAT_FIELDS else ""
        _put(ws, f"A{f.row}", f.label + who, font=BOLD, fill=HEADER_FILL)
        editable = f.key != "municipality"
        _put(ws, f.cell, values.get(f.key, ""), merge_to=f.merge_to, answer=editable, text=True)
        ws.row_dimensions[f.row].height = _height(str(values.get(f.key, "")), _width(f.column, f.merge_to), 20)
    howto = [
        "黄色のセルが回答欄です。それ以外のセルは誤って変更しないよう保護しています（パスワードは設定していません）。",
        (f"「第1章」〜「第4章」のシートには、{prev_era}の報告書の記述（現状・課題）、取組みの段階、数値指標を記入してあります。"
         f"{era}の状況（調査基準日時点）に書き換えてください。変わらない部分はそのまま残してください。")
        if prefill.available else
        f"「第1章」〜「第4章」のシートに、{era}の状況（調査基準日時点）を記入してください。",
        "「取組みの段階」は、セルを選ぶと表示される▼から選んでください（0 未着手／1 検討中／2 試行・一部実施／3 実施中）。",
        "各章の「取組みの段階」「現状」「課題」は必須です。課題がない場合は「特になし」と記入してください。",
        "文章は「。」で区切ってください（1文が分析の単位になります）。セル内の改行は Alt＋Enter、箇条書きは行頭に「・」を付けてください。",
        "数値指標の「値」には数字だけを入力し、単位は「単位」の列に入力してください。指標は▼の一覧から選ぶか、一覧にない場合は指標名を入力してください。",
        "日付・時点は 2022-04-01、2022-04（月まで）、令和4年4月、令和4年度 のように入力してください。",
        "数式や他のファイルへのリンクは使わず、値を直接入力してください。",
        "「第5章」のシートには、独自の取組みの概要と、活用している技術・システム（▼から選択、一覧にないものは名称を入力）と"
        "その状況（利用中／試行中／検討中）を記入してください。",
        "行が足りない場合や記入方法が分からない場合は、上記の問合せ先（事務局）にご連絡ください。",
        "ファイル名を変えずに、Excelブック（.xlsx）のまま保存して返送してください（マクロ有効ブック .xlsm では保存しないでください）。",
    ]
    _title(ws, lo.INSTRUCTIONS_HOWTO_ROW, "記入方法")
    for i, line in enumerate(howto, start=1):
        row = lo.INSTRUCTIONS_HOWTO_ROW + i
        text = f"{i}. {line}"
        _put(ws, f"A{row}", text, merge_to=lo.LAST_COLUMN, border=False)
        ws.row_dimensions[row].height = _height(text, _width("A", lo.LAST_COLUMN))
    _protect(ws)


def _table(ws: Worksheet, block: lo.TableBlock, rows: list[dict], hint: str = "") -> None:
    if len(rows) > block.n_rows:
        raise DxstudyError(f"sheet {ws.title}: expected at most {block.n_rows} pre-filled {block.key} rows "
                           f"(layout {lo.LAYOUT_VERSION}), found {len(rows)}")
    _title(ws, block.title_row, block.title + (f"　{hint}" if hint else ""))
    for col in block.columns:
        _put(ws, f"{col.column}{block.header_row}", col.label, font=BOLD, fill=HEADER_FILL, merge_to=col.merge_to)
    for i, r in enumerate(block.rows()):
        values = rows[i] if i < len(rows) else {}
        height = 20.0
        for col in block.columns:
            value = values.get(col.key, "")
            _put(ws, f"{col.column}{r}", value, merge_to=col.merge_to, answer=True, text=col.kind != "number")
            if isinstance(value, str) and value:
                height = max(height, _height(value, _width(col.column, col.merge_to or col.column)))
        ws.row_dimensions[r].height = height


def _metric_validations(ws: Worksheet, block: lo.TableBlock, n_metrics: int) -> None:
    rows = block.rows()
    _validation(ws, [f"A{rows.start}:A{rows.stop - 1}"], formula=lo.list_range("metrics", n_metrics),
                error_style="warning", prompt_title="指標", prompt="▼の一覧から選ぶか、一覧にない指標は名称を入力してください。",
                error="一覧にない指標です。このまま入力してよければ「はい」を押してください。")
    _validation(ws, [f"B{rows.start}:B{rows.stop - 1}"], kind="decimal", formula="-1000000000000",
                formula2="1000000000000", prompt_title="値", prompt="数字だけを入力してください（単位は右の列）。",
                error="数字だけを入力してください。単位は「単位」の列に入力します。")
    _validation(ws, [f"D{rows.start}:D{rows.stop - 1}"], kind="textLength", formula="0", formula2="40",
                prompt_title="時点", prompt="例: 2022-11-30、2022-11、令和4年11月末、令和4年度")


def _event_validations(ws: Worksheet, block: lo.TableBlock) -> None:
    rows = block.rows()
    _validation(ws, [f"A{rows.start}:A{rows.stop - 1}"], kind="textLength", formula="0", formula2="40",
                prompt_title="日付", prompt="例: 2022-04-01、2022-04（月まで）、令和4年4月")


def _theme_sheet(ws: Worksheet, sheet: lo.SheetLayout, member: MemberPrefill, fiscal_year: int,
                 prefill: Prefill, n_metrics: int, test_label: str) -> None:
    _setup(ws)
    data = member.themes.get(sheet.theme, ThemePrefill())
    head = f"【{test_label}】" if test_label else ""
    _title(ws, 1, f"{head}{sheet.name}　―　{member.name}（{fiscal_year_label_ja(fiscal_year)}）", TITLE, 24)
    prev = fiscal_year_label_ja(prefill.previous_fiscal_year)
    lead = (f"{prev}の回答を記入してあります。{fiscal_year_label_ja(fiscal_year)}の状況に書き換えてください"
            "（変わらない部分はそのままで構いません）。黄色のセルが回答欄です。") if prefill.available else \
        f"{prev}のデータがないため空欄です。黄色のセルに記入してください。"
    _title(ws, 2, lead, FONT, 36)
    stage, status, challenge = sheet.field("stage"), sheet.field("status"), sheet.field("challenge")
    _put(ws, f"A{stage.row}", f"{stage.label}（必須）", font=BOLD, fill=HEADER_FILL)
    _put(ws, stage.cell, data.stage, merge_to=stage.merge_to, answer=True, text=True)
    _put(ws, f"D{stage.row}", "前年度", font=BOLD, fill=PREVIOUS_FILL)
    previous = f"{data.stage}（{data.stage_note}）" if data.stage else "記録なし"
    _put(ws, f"E{stage.row}", previous, fill=PREVIOUS_FILL, merge_to=lo.LAST_COLUMN)
    ws.row_dimensions[stage.row].height = 24
    _title(ws, stage.row + 1, STAGE_GUIDE, NOTE)
    ws.row_dimensions[stage.row + 1].height = _height(STAGE_GUIDE, _width("A", lo.LAST_COLUMN) * 1.1)
    _validation(ws, [stage.cell], formula=lo.list_range("stages", 4), prompt_title="取組みの段階",
                prompt="▼から選んでください。", error="0 未着手／1 検討中／2 試行・一部実施／3 実施中 から選んでください。")
    for f, value in ((status, data.status), (challenge, data.challenge)):
        _put(ws, f"A{f.row}", f"{f.label}（必須）", font=BOLD, fill=HEADER_FILL)
        _put(ws, f.cell, value, merge_to=f.merge_to, answer=True, text=True)
        ws.row_dimensions[f.row].height = _height(value, _width(f.column, f.merge_to), 120)
    metrics = sheet.table("metrics")
    _table(ws, metrics, data.metrics, "前年度の値を記入してあります。今年度の値に更新してください。" if data.metrics else "")
    _metric_validations(ws, metrics, n_metrics)
    events = sheet.table("events")
    _table(ws, events, [], "今年度の主な出来事（導入、開始、策定など）を記入してください。")
    _event_validations(ws, events)
    _protect(ws)


def _own_sheet(ws: Worksheet, sheet: lo.SheetLayout, member: MemberPrefill, fiscal_year: int,
               prefill: Prefill, n_lists: dict[str, int], test_label: str) -> None:
    _setup(ws)
    data = member.themes.get(sheet.theme, ThemePrefill())
    head = f"【{test_label}】" if test_label else ""
    _title(ws, 1, f"{head}{sheet.name}　―　{member.name}（{fiscal_year_label_ja(fiscal_year)}）", TITLE, 24)
    _title(ws, 2, "独自の取組みの概要と、活用している技術・システムを記入してください。"
                  + ("前年度の記述を記入してあります。今年度の状況に更新してください。" if prefill.available else ""), FONT, 36)
    summary = sheet.field("summary")
    _put(ws, f"A{summary.row}", summary.label, font=BOLD, fill=HEADER_FILL)
    _put(ws, summary.cell, member.summary, merge_to=summary.merge_to, answer=True, text=True)
    ws.row_dimensions[summary.row].height = _height(member.summary, _width(summary.column, summary.merge_to), 120)
    techs = sheet.table("technologies")
    _table(ws, techs, member.technologies, "技術は▼から選ぶか名称を入力、状況は▼から選んでください。")
    rows = techs.rows()
    _validation(ws, [f"A{rows.start}:A{rows.stop - 1}"], formula=lo.list_range("technologies", n_lists["technologies"]),
                error_style="warning", prompt_title="技術・システム",
                prompt="▼の一覧から選ぶか、一覧にないものは名称を入力してください。",
                error="一覧にない技術です。このまま入力してよければ「はい」を押してください。")
    _validation(ws, [f"B{rows.start}:B{rows.stop - 1}"], formula=lo.list_range("statuses", n_lists["statuses"]),
                prompt_title="状況", prompt="利用中／試行中／検討中 から選んでください。",
                error="利用中／試行中／検討中 から選んでください。")
    metrics = sheet.table("metrics")
    _table(ws, metrics, data.metrics, "前年度の値を記入してあります。今年度の値に更新してください。" if data.metrics else "")
    _metric_validations(ws, metrics, n_lists["metrics"])
    events = sheet.table("events")
    _table(ws, events, [], "今年度の主な出来事を記入してください。")
    _event_validations(ws, events)
    _protect(ws)


def _meta(ws: Worksheet, member: MemberPrefill, fiscal_year: int, prefill: Prefill, test_label: str,
          lists: dict[str, list[str]]) -> None:
    values = {"format": lo.FORMAT, "layout_version": lo.LAYOUT_VERSION, "fiscal_year": fiscal_year,
              "municipality_code": member.code, "municipality": member.name,
              "previous_fiscal_year": prefill.previous_fiscal_year,
              "prefilled": "yes" if prefill.available else "no", "publisher": prefill.publisher,
              "generator": f"dxstudy {__version__}", "test_data": test_label}
    ws["A1"], ws["B1"] = "key", "value"
    for i, key in enumerate(lo.META_KEYS, start=2):
        ws[f"A{i}"] = key
        ws[f"B{i}"] = values[key]
        ws[f"B{i}"].number_format = TEXT_FORMAT if key == "municipality_code" else "General"
    for name, col in lo.LIST_COLUMNS.items():
        ws[f"{col}1"] = name
        for i, value in enumerate(lists[name], start=2):
            ws[f"{col}{i}"] = value
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 24
    ws.sheet_state = "hidden"
    _protect(ws)


def build_workbook(member: MemberPrefill, fiscal_year: int, prefill: Prefill, *, deadline: str = "",
                   as_of: str = "", contact: str | None = None, test_label: str = "") -> Workbook:
    """The survey workbook of one member (not saved). ``contact`` defaults to the previous year's
    secretariat (document table); ``test_label`` marks test workbooks (in _meta and the titles)."""
    lists = {"stages": lo.stage_choices(), "technologies": list(lo.technology_choices()["label_ja"]),
             "statuses": list(lo.STATUS_CHOICES), "metrics": list(lo.metric_choices()["label_ja"])}
    n = {k: len(v) for k, v in lists.items()}
    wb = Workbook()
    ws = wb.active
    ws.title = lo.INSTRUCTIONS_SHEET
    _instructions(ws, member, fiscal_year, prefill, deadline=deadline, as_of=as_of,
                  contact=prefill.contact if contact is None else contact, test_label=test_label)
    for sheet in lo.answer_sheets():
        sws = wb.create_sheet(sheet.name)
        if sheet.theme == lo.OWN_THEME:
            _own_sheet(sws, sheet, member, fiscal_year, prefill, n, test_label)
        else:
            _theme_sheet(sws, sheet, member, fiscal_year, prefill, n["metrics"], test_label)
    _meta(wb.create_sheet(lo.META_SHEET), member, fiscal_year, prefill, test_label, lists)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "dxstudy"
    wb.properties.title = f"{fiscal_year_label_ja(fiscal_year)} DXに関する調査 回答票 {member.name}"
    return wb


def save_atomic(wb: Workbook, path: Path) -> None:
    """Save through a temporary file in the same directory, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_templates(fiscal_year: int, out_dir: str | Path, data_dir: str | Path = "data", *,
                    members: list[str] | None = None, deadline: str = "", as_of: str = "",
                    contact: str | None = None, test_label: str = "",
                    prefill: Prefill | None = None) -> TemplateResult:
    """Write one workbook per member (``112224_越谷市_FY2022.xlsx``) into ``out_dir``, pre-filled
    from ``data_dir/processed/FY{fiscal_year-1}/`` when it exists (empty otherwise).

    ``members`` restricts to some municipality codes; ``deadline``/``as_of``/``contact`` fill the
    secretariat cells of the instructions sheet (contact defaults to last year's secretariat).
    """
    fiscal_year = check_fiscal_year(fiscal_year)
    prefill = load_prefill(fiscal_year, data_dir) if prefill is None else prefill
    codes = list(prefill.members) if members is None else list(members)
    unknown = [c for c in codes if c not in prefill.members]
    if unknown:
        raise DxstudyError(f"--members: expected codes of the members ({', '.join(prefill.members)}), "
                           f"found {', '.join(unknown)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in codes:
        member = prefill.members[code]
        wb = build_workbook(member, fiscal_year, prefill, deadline=deadline, as_of=as_of, contact=contact,
                            test_label=test_label)
        path = confined(out, lo.file_name(member.code, member.name, fiscal_year), what="workbook name")
        save_atomic(wb, path)
        paths.append(path)
    return TemplateResult(paths, prefill.available, prefill.previous_fiscal_year, prefill.reason)
