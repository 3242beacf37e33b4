# Hostile inputs for the injection tests: the real FY2021 report with script, HTML, Markdown and LaTeX
# payloads in member sentences, a caption, a list item and 課題 text, and FY2022 workbooks with the same.
"""Hostile report and workbooks, and one real batch over them (shared by tests/test_injection_*.py).

:func:`hostile_report_text` inserts :data:`PAYLOADS` into the real FY2021 report (never modified on
disk: the copy goes to a tmp data dir). :func:`hostile_batch` builds a tmp data dir with that report
as FY2021, writes the six FY2022 survey templates (pre-filled from the hostile FY2021 tables), fills
the answer cells of every workbook with payloads as a respondent would (openpyxl), ingests them and
runs the real ``dxstudy run`` for FY2022 (overview, every theme, conclusions, year_over_year). It
runs once per test session.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FY2021_REPORT = ROOT / "data" / "raw" / "FY2021" / "report.md"

#: Payloads that would run script if a page put them into HTML unescaped; each sets a global.
SCRIPT = "<script>window.__pwned=1</script>"
IMG_ONERROR = '<img src=x onerror="window.__pwned=2">'
MD_JS_LINK = "[click](javascript:window.__pwned=3)"
A_JS = '<a href="javascript:window.__pwned=4">x</a>'
STYLE_BREAK = "</style><script>window.__pwned=5</script>"
#: Markdown that nbconvert (mistune) would render, and an iframe to the network.
MD_BOLD = "**bold**"
MD_HEADING = "# heading"
MD_IMAGE = "![img](http://example.invalid/x.png)"
IFRAME = '<iframe src="http://example.invalid/frame"></iframe>'
#: LaTeX that MathJax (or matplotlib's mathtext, in a chart label) would typeset.
TEX_INLINE = "$x^2$"
TEX_DISPLAY = "$$\\int$$"
TEX_PAREN = "\\(a\\)"

PAYLOADS = (SCRIPT, IMG_ONERROR, MD_JS_LINK, A_JS, STYLE_BREAK, MD_BOLD, MD_HEADING, MD_IMAGE, IFRAME,
            TEX_INLINE, TEX_DISPLAY, TEX_PAREN)
#: The markup-free parts of the Markdown payloads (the reader strips ** from report text as PDF
#: conversion markup, so the report path keeps "bold"; workbooks keep "**bold**").
MATH = f"{TEX_INLINE} {TEX_DISPLAY} {TEX_PAREN}"
MARKDOWN = f"{MD_HEADING} {MD_IMAGE} {MD_BOLD}"

#: (line of the real report, text it holds, how it is changed) — each payload reaches a member
#: sentence, the region summary, a caption, a list item and the 課題 text.
REPORT_EDITS: list[tuple[int, str, str]] = [
    # 1.1.2 越谷市 現状 (stage evidence for awareness)
    (120, "職員の情報利活用能力", f"{SCRIPT}職員の情報利活用能力"),
    # 1.1.5 吉川市: a caption
    (148, "外部講師によるDX推進に関する講義", f"外部講師によるDX推進に関する講義{STYLE_BREAK}"),
    # 3.1 region-wide 現状
    (290, "5市1町においては、", f"5市1町においては、{SCRIPT}{IFRAME}"),
    # 3.1.1 草加市 現状 (an event: 令和3年7月)
    (296, "「草加市テレワークシステム」を構築し、", f"「草加市テレワークシステム」{IMG_ONERROR}を構築し、"),
    # 3.1.2 越谷市 現状 (the utilization metric)
    (308, "現在のテレワーク用パソコンの稼働率", f"{MD_JS_LINK}現在のテレワーク用パソコンの稼働率"),
    # 3.2.1 草加市 課題
    (336, "テレワーク可能な業務や部署の選定に苦慮している。",
     f"テレワーク可能な業務や部署の選定に苦慮している{MARKDOWN} {MATH}{A_JS}。"),
    # 3.2.2 越谷市 課題 (a challenge code: budget)
    (344, "財源確保が課題", f"財源確保{STYLE_BREAK}{IFRAME}が課題"),
    # 5.1 草加市 (technology: AI翻訳機)
    (453, "A I翻訳機は、20台導入し、", f"A I翻訳機は、{A_JS}{TEX_INLINE}20台導入し、"),
]
#: A list item added to 3.2.6 松伏町 課題 (after the line given).
LIST_ITEM_AFTER = 366
LIST_ITEM = f"- ・情報セキュリティ{IMG_ONERROR}{TEX_DISPLAY}の確保が課題である。"


#: One workbook comes back under a hostile file name (kept by ingest; shown in stamps and the index).
HOSTILE_FILE_MEMBER = "114651"
HOSTILE_FILE_NAME = f"114651_松伏町_FY2022{IMG_ONERROR}{TEX_INLINE}.xlsx"


def hostile_report_text() -> str:
    """The real FY2021 report with the payloads of REPORT_EDITS and LIST_ITEM inserted."""
    lines = FY2021_REPORT.read_text(encoding="utf-8").split("\n")
    for number, old, new in REPORT_EDITS:
        line = lines[number - 1]
        assert old in line, f"report line {number} no longer holds {old!r}: {line[:60]!r}"
        lines[number - 1] = line.replace(old, new, 1)
    lines[LIST_ITEM_AFTER:LIST_ITEM_AFTER] = ["", LIST_ITEM]
    return "\n".join(lines)


def write_hostile_fy2021(data: Path) -> Path:
    """``data/raw/FY2021/report.md`` = the hostile report (and the project's data/external)."""
    raw = data / "raw" / "FY2021"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "report.md").write_text(hostile_report_text(), encoding="utf-8")
    if (ROOT / "data" / "external").is_dir() and not (data / "external").exists():
        shutil.copytree(ROOT / "data" / "external", data / "external")
    return raw / "report.md"


#: What a hostile respondent types into each answer cell (sheet field -> text). 現状/課題 keep the
#: pre-filled text after the payload lines, so stages, metrics and challenges are still coded.
def _status_text(prefilled: str) -> str:
    return f"{SCRIPT}{IMG_ONERROR}の取組みを行っている。\n{A_JS}{MD_JS_LINK}\n{prefilled or ''}"


def _challenge_text(prefilled: str) -> str:
    return (f"{prefilled or ''}\n{MD_HEADING}\n{MD_BOLD}と{MD_IMAGE}の予算確保が課題である。\n"
            f"・{IFRAME}{STYLE_BREAK}人材の不足が課題である。\n{MATH}の財源確保が課題である。")


def fill_hostile(wb) -> None:
    """Type payloads into every kind of answer cell of one workbook, as a respondent would."""
    from survey_fixtures import answer_stages

    from dxstudy.survey import layout as lo

    answer_stages(wb)
    info = wb[lo.INSTRUCTIONS_SHEET]
    for f in lo.INSTRUCTION_FIELDS:
        if f.key == "department":
            info[f.cell] = f"情報政策課{SCRIPT}"
    for sheet in lo.answer_sheets():
        ws = wb[sheet.name]
        if sheet.theme in lo.STAGE_THEMES:
            ws[sheet.field("status").cell] = _status_text(ws[sheet.field("status").cell].value)
            ws[sheet.field("challenge").cell] = _challenge_text(ws[sheet.field("challenge").cell].value)
        else:
            ws[sheet.field("summary").cell] = f"{MD_JS_LINK}{TEX_INLINE}の取組みを実施している。"
            techs = sheet.table("technologies")
            free = next(r for r in techs.rows() if ws[f"A{r}"].value is None)
            ws[f"A{free}"] = f"{TEX_INLINE}{IMG_ONERROR}"
            ws[f"B{free}"] = "利用中"
            ws[f"C{free}"] = f"{STYLE_BREAK}{TEX_DISPLAY}を全庁で利用している。"
        metrics = sheet.table("metrics")
        free = next(r for r in metrics.rows() if ws[f"A{r}"].value is None)
        ws[f"A{free}"] = f"{TEX_DISPLAY}{SCRIPT}"
        ws[f"B{free}"] = 3
        ws[f"C{free}"] = f"{TEX_PAREN}件"
        ws[f"E{free}"] = A_JS
        events = sheet.table("events")
        free = next(r for r in events.rows() if ws[f"A{r}"].value is None)
        ws[f"A{free}"] = "2022-04-01"
        ws[f"B{free}"] = f"{A_JS}{TEX_INLINE}{MD_IMAGE}の運用を開始した。"


@lru_cache(maxsize=1)
def hostile_batch():
    """The real batch for FY2022 over hostile inputs. Returns (BatchResult, data dir)."""
    from survey_fixtures import CODES, NAMES, TEST_LABEL, edit

    from dxstudy.batch.run import run_batch
    from dxstudy.survey import layout as lo
    from dxstudy.survey.intake import ingest
    from dxstudy.survey.template import write_templates
    from dxstudy.tables.build import build_processed

    base = Path(tempfile.mkdtemp(prefix="dxstudy-hostile-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    data = base / "data"
    write_hostile_fy2021(data)
    build_processed(2021, data)
    templates = base / "templates"
    write_templates(2022, templates, data, test_label=TEST_LABEL)
    returned = base / "returned"
    returned.mkdir()
    for code in CODES:
        name = lo.file_name(code, NAMES[code], 2022)
        target = HOSTILE_FILE_NAME if code == HOSTILE_FILE_MEMBER else name
        shutil.copyfile(templates / name, returned / target)
        edit(returned / target, fill_hostile)
    ingest(returned, 2022, data)
    result = run_batch(2022, data_dir=data, out=base / "outputs", progress=False)
    return result, data
