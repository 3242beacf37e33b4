"""Inputs and paths (issue 6, point 4): fiscal years validated wherever they enter (CLI, library,
notebook parameters); names that become output files confined to the output directory; rule files
parsed as plain data (no !!python tags, no alias bombs, no pickle/eval anywhere); macro, embedded-
object and externally linked workbooks refused; oversized workbooks refused with a clear message.

Tests marked ``xfail(strict=True)`` show a gap in a module this helper does not own (see the
reason); they start passing — and must then lose the marker — when the fix is wired in."""
from __future__ import annotations

import argparse
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dxstudy import inputs
from dxstudy.render import views
from dxstudy.cli import main
from dxstudy.coding.errors import RuleSyntaxError
from dxstudy.coding.rulesets import DEFAULT_RULES_DIR, load_rules
from dxstudy.inputs import InputError
from dxstudy.survey import layout as lo
from dxstudy.survey import reading
from dxstudy.survey.intake import ingest
from dxstudy.survey.problems import RULES
from dxstudy.survey.reading import read_workbook
from survey_fixtures import answered, edit, sheet_name

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "data" / "raw" / "FY2021" / "report.md"
KOSHIGAYA = "112224"


# --- fiscal years --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [2021, "2021", " 2022 ", np.int64(2023), 2000, 2100])
def test_a_fiscal_year_is_an_integer_in_range(value):
    assert inputs.check_fiscal_year(value) == int(str(value).strip())


@pytest.mark.parametrize("value", [True, 2021.0, "2021.0", "../2021", "2021/../../etc", "FY2021", "-2021",
                                   "+2021", "2_021", "２０２１", "", None, 1999, 2101, "99999", [2021]])
def test_anything_else_is_refused_with_what_was_found(value):
    with pytest.raises(InputError, match=r"fiscal year: expected a year .*found"):
        inputs.check_fiscal_year(value)


def test_fiscal_year_arg_is_an_argparse_error():
    with pytest.raises(argparse.ArgumentTypeError, match="expected a year from 2000 to 2100, found 3000"):
        inputs.fiscal_year_arg("3000")


@pytest.mark.parametrize("value", ["2021/../../etc", True, 2021.5, "1999", 2101])
def test_notebook_parameters_refuse_a_bad_fiscal_year(value, tmp_path):
    (tmp_path / "processed" / "FY2021").mkdir(parents=True)
    with pytest.raises(ValueError, match="fiscal_year must be a year such as 2021"):
        views.validate_parameters(value, tmp_path)


def test_notebook_parameters_refuse_a_theme_that_is_a_path(tmp_path):
    (tmp_path / "processed" / "FY2021").mkdir(parents=True)
    with pytest.raises(ValueError, match="unknown theme '../telework'"):
        views.validate_parameters(2021, tmp_path, "../telework", need_theme=True)


@pytest.mark.parametrize("command", [["survey", "template", "--out"], ["survey", "check"], ["survey", "ingest"]])
def test_survey_commands_refuse_a_bad_fiscal_year_before_doing_anything(command, tmp_path, capsys):
    target = tmp_path / "out"
    argv = [*command, str(target), "--fiscal-year", "../2022", "--data-dir", str(tmp_path / "data")]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "--fiscal-year: expected a year such as 2021 (digits only), found '../2022'" in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "data").exists()


def test_survey_library_refuses_a_bad_fiscal_year(tmp_path):
    from dxstudy.survey.template import write_templates

    with pytest.raises(InputError):
        write_templates(3000, tmp_path / "out", tmp_path / "data")
    with pytest.raises(InputError):
        ingest(tmp_path, "2022/../../x", tmp_path / "data")
    assert list(tmp_path.iterdir()) == []


def test_parse_refuses_a_fiscal_year_out_of_range(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["parse", str(REPORT), "--out", str(tmp_path / "out"), "--fiscal-year", "3000"])
    assert exit_info.value.code == 2 and not (tmp_path / "out").exists()


def test_run_refuses_a_fiscal_year_out_of_range(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--fiscal-year", "3000", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert "expected a year from 2000 to 2100" in capsys.readouterr().err


def test_run_with_a_year_without_raw_data_is_refused_and_writes_nothing(tmp_path, capsys):
    assert main(["run", "--fiscal-year", "2099", "--data-dir", str(tmp_path), "--out",
                 str(tmp_path / "out"), "--quiet"]) == 2
    assert "FY2099" in capsys.readouterr().err and not (tmp_path / "out").exists()


# --- output names and directories ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["../x", "../../etc/passwd", "a/b", "a\\b", "..", ".", ".FY2021.lock", "",
                                  " ", "x\x00y", "x\ny", "/abs", "あ" * 100])
def test_an_output_name_is_one_plain_file_name(name):
    with pytest.raises(InputError, match="expected"):
        inputs.safe_name(name)


def test_confined_paths_stay_directly_inside_the_base(tmp_path):
    assert inputs.confined(tmp_path, "theme-telework", ".html") == tmp_path / "theme-telework.html"
    assert inputs.confined(tmp_path, "112224_越谷市_FY2022.xlsx") == tmp_path / "112224_越谷市_FY2022.xlsx"
    outside = tmp_path.parent / "outside.html"
    (tmp_path / "evil.html").symlink_to(outside)
    with pytest.raises(InputError, match="resolves to"):
        inputs.confined(tmp_path, "evil", ".html")


def test_survey_templates_are_written_only_inside_out(tmp_path, monkeypatch, tmp_path_factory):
    from survey_fixtures import base_data

    from dxstudy.survey.template import write_templates

    monkeypatch.setattr(lo, "file_name", lambda code, name, fy: f"../{code}_{name}_FY{fy}.xlsx")
    out = tmp_path / "deep" / "out"
    with pytest.raises(InputError, match="workbook name"):
        write_templates(2022, out, base_data(tmp_path_factory), members=[KOSHIGAYA])
    assert not list((tmp_path / "deep").glob("*.xlsx"))


def test_a_report_name_with_dot_dot_is_refused_before_anything_is_written(tmp_path):
    from batch_helpers import stub_tables, write_data_dir, write_synthetic_notebooks

    from dxstudy.batch.run import BatchError, run_batch
    from dxstudy.batch.types import NotebookJob

    nb_dir = write_synthetic_notebooks(tmp_path / "notebooks")
    data = write_data_dir(tmp_path / "data")
    plan = [NotebookJob(name="../../escaped", notebook=str(nb_dir / "conclusions.ipynb"),
                        parameters={"fiscal_year": 2021, "data_dir": str(data)}, title="x")]
    try:
        with pytest.raises(BatchError, match="escaped"):
            run_batch(2021, data_dir=data, out=tmp_path / "deep" / "out", jobs=1, plan=plan,
                      build_tables=stub_tables, preload=(), progress=False)
    finally:
        assert not list(tmp_path.glob("**/escaped.*"))


def test_check_replaceable_refuses_a_folder_with_other_files(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "statements.csv").write_text("x", encoding="utf-8")
    (tables / "tables.xlsx").write_bytes(b"x")
    inputs.check_replaceable(tables)
    inputs.check_replaceable(tmp_path / "new")
    (tables / "thesis.docx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"found other entries: thesis.docx"):
        inputs.check_replaceable(tables)


def test_parse_does_not_wipe_a_folder_that_is_not_a_tables_folder(tmp_path):
    work = tmp_path / "mywork"
    work.mkdir()
    (work / "thesis.docx").write_bytes(b"important")
    code = main(["parse", str(REPORT), "--out", str(work)])
    assert (work / "thesis.docx").read_bytes() == b"important"
    assert code == 2


# --- rule files are data -------------------------------------------------------------------------

@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def _replace_line(path: Path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line == old)
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['touch {marker}']",
                                 "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
                                 "!!python/name:os.system", "!custom value"])
def test_a_python_tag_in_a_rules_file_is_refused_naming_file_and_line(rules_copy, tmp_path, tag):
    marker = tmp_path / "ran"
    stage_rules = rules_copy / "stage_rules.yaml"
    line = _replace_line(stage_rules, "  0: 未着手", "  0: " + tag.format(marker=marker))
    with pytest.raises(RuleSyntaxError) as info:
        load_rules(rules_copy)
    err = info.value
    assert (err.path, err.line) == (str(stage_rules), line)
    assert f"{stage_rules}:{line}: expected plain YAML" in str(err) and "found the tag !" in str(err)
    assert not marker.exists()


def test_a_python_tag_in_the_manifest_is_refused(rules_copy):
    manifest = rules_copy / "coding.yaml"
    _replace_line(manifest, 'version: "2021.1"', "version: !!python/object/apply:os.getcwd []")
    with pytest.raises(RuleSyntaxError, match=r"coding.yaml:\d+: expected plain YAML.*python/object/apply:os.getcwd"):
        load_rules(rules_copy)


def test_yaml_aliases_are_refused_so_a_billion_laughs_file_cannot_expand(rules_copy):
    stage_rules = rules_copy / "stage_rules.yaml"
    text = stage_rules.read_text(encoding="utf-8")
    bomb = "l0: &l0 [採用]\n" + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 5))
    stage_rules.write_text(bomb + text.replace("condition: (採用 or 募集 or 任用 or 雇用 or 登用 or 確保) and not "
                                               "'新規採用職員'", "condition: *l4"), encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match=r"stage_rules.yaml:2: expected valid YAML, found a YAML alias \(\*l0\)"):
        load_rules(rules_copy)


UNSAFE = re.compile(r"\b(pickle|marshal|shelve|dill|cloudpickle)\b|read_pickle|yaml\.(unsafe_load|full_load|"
                    r"load_all)|yaml\.load\((?![^)]*Loader=_LineLoader)|\beval\(|\bexec\(|__import__\(")


#: Reviewed uses: the kernel command line of the batch imports the warm-up modules, whose names
#: come from dxstudy.batch.types.WARM_IMPORTS (code, not data) and are written with repr().
REVIEWED = {("dxstudy/batch/workers.py", "[__import__(m) for m in ({modules},)]")}


def test_no_module_loads_pickles_or_evaluates_text():
    hits = []
    for path in sorted((ROOT / "dxstudy").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            code = line.split("#", 1)[0]
            if UNSAFE.search(code) and not any(str(path.relative_to(ROOT)) == f and s in line for f, s in REVIEWED):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert hits == []


# --- workbooks: macros, embedded objects, links, size ---------------------------------------------

@pytest.fixture
def workbook(tmp_path_factory, tmp_path) -> Path:
    """A fresh copy of a completed, sound FY2022 workbook of 越谷市."""
    src = answered(tmp_path_factory, KOSHIGAYA)
    target = tmp_path / src.name
    shutil.copyfile(src, target)
    assert read_workbook(target, 2022).problems == []
    return target


def problems(path: Path) -> list:
    found = read_workbook(path, 2022).problems
    assert all(p.rule in RULES and p.file == path.name for p in found)
    return found


def add_part(path: Path, name: str, data: bytes | str, compress: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "a", compression=compress) as z:
        z.writestr(name, data)
    return path


@pytest.mark.parametrize("suffix", [".xlsm", ".xltm", ".xlsb", ".xls"])
def test_macro_and_old_format_workbooks_are_refused_unopened(workbook, suffix):
    renamed = workbook.rename(workbook.with_suffix(suffix))
    [p] = problems(renamed)
    assert p.rule == "file_type" and suffix in p.found and ".xlsx" in p.expected


def test_an_xlsx_carrying_a_vba_project_is_refused(workbook):
    add_part(workbook, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    [p] = problems(workbook)
    assert p.rule == "file_type" and "vbaProject.bin" in p.found


@pytest.mark.parametrize("part", ["xl/embeddings/oleObject1.bin", "xl/activeX/activeX1.xml"])
def test_embedded_objects_and_controls_are_refused(workbook, part):
    add_part(workbook, part, b"object")
    [p] = problems(workbook)
    assert p.rule == "file_type" and "embedded content" in p.found and part.rsplit("/", 1)[0] in p.found


@pytest.mark.parametrize("part", ["xl/connections.xml", "xl/queryTables/queryTable1.xml"])
def test_external_data_connections_are_refused(workbook, part):
    add_part(workbook, part, '<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    [p] = problems(workbook)
    assert p.rule == "external_links" and part in p.found and "data sources" in p.expected


def test_a_formula_referring_to_another_workbook_is_refused_at_its_cell(workbook):
    telework = sheet_name("telework")
    edit(workbook, lambda wb: wb[telework].__setitem__("B6", "='C:\\共有\\[予算.xlsx]集計'!A1"))
    [p] = problems(workbook)
    assert (p.rule, p.sheet, p.cell) == ("formula", telework, "B6") and "予算.xlsx" in p.found


def test_a_workbook_over_the_size_limit_is_refused_before_it_is_opened(workbook, monkeypatch):
    import os

    add_part(workbook, "xl/media/image1.bin", os.urandom(reading.MAX_WORKBOOK_BYTES), zipfile.ZIP_STORED)
    opened = []
    monkeypatch.setattr(reading, "load_workbook", lambda *a, **k: opened.append(a))
    [p] = problems(workbook)
    assert p.rule == "too_large" and "at most 10 MiB" in p.expected and "bytes" in p.found
    assert opened == []


def test_a_zip_bomb_is_refused_from_its_directory(workbook):
    add_part(workbook, "xl/media/zeros.bin", b"\0" * (reading.MAX_UNPACKED_BYTES + 1))
    assert workbook.stat().st_size < reading.MAX_WORKBOOK_BYTES
    [p] = problems(workbook)
    assert p.rule == "too_large" and "64 MiB unpacked" in p.expected and "unpacked from" in p.found


def test_the_layout_fits_in_the_block_that_is_read():
    rows, cols = [60], []  # _meta is read on rows 1–59
    for sheet in lo.answer_sheets():
        rows += [f.row for f in sheet.fields] + [t.last_row for t in sheet.tables]
        cols += [f.column for f in sheet.fields] + [c.column for t in sheet.tables for c in t.columns]
    rows += [f.row for f in lo.INSTRUCTION_FIELDS]
    cols += [f.column for f in lo.INSTRUCTION_FIELDS] + list(lo.LIST_COLUMNS.values())
    assert max(rows) < reading.MAX_READ_ROW
    assert max(ord(c) - ord("A") + 1 for c in cols) <= reading.MAX_READ_COLUMN


def test_a_sheet_padded_far_beyond_the_layout_reads_like_the_original(workbook, tmp_path):
    """Rows past MAX_READ_ROW (and a dimension claiming them) are never parsed: same answers."""
    padded = tmp_path / "padded" / workbook.name
    padded.parent.mkdir()
    sheet_xml = "xl/worksheets/sheet4.xml"  # 第3章 テレワークの推進
    with zipfile.ZipFile(workbook) as zin, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == sheet_xml:
                text = data.decode("utf-8")
                extra = "".join(f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>padding</t></is></c></row>'
                                for r in range(1000, 21000))
                text = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:F21000"/>', text)
                data = text.replace("</sheetData>", extra + "</sheetData>").encode("utf-8")
            zout.writestr(info, data)
    before, after = read_workbook(workbook, 2022), read_workbook(padded, 2022)
    assert after.problems == []
    assert after.sheets == before.sheets
