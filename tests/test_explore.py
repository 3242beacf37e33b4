# The exploration notebook (探索) and its helpers (dxstudy.explore): each helper checked on FY2021 against
# the report text, the rule trial against the batch's own coding, and the notebook run with papermill.
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from dxstudy import explore
from dxstudy.coding import code_statements
from dxstudy.coding.rulesets import DEFAULT_RULES_DIR
from dxstudy.errors import DxstudyError
from dxstudy.reference import municipalities
from dxstudy.tables.build import build_processed
from synthetic import write_synthetic_report
from test_notebooks import _execute

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "data" / "raw" / "FY2021" / "report.md"
MEMBERS = municipalities()["name_ja"].tolist()
_MEMBER_HEADING = re.compile(r"^[#\s]*\d+(?:\.\d+)+\s+(" + "|".join(MEMBERS) + r")\s*$")
_OTHER_HEADING = re.compile(r"^(?:#|\d+(?:\.\d+)*\s)")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("explore") / "data"
    (data / "raw" / "FY2021").mkdir(parents=True)
    shutil.copy(REPORT, data / "raw" / "FY2021" / "report.md")
    build_processed(2021, data)
    return data


@pytest.fixture(scope="module")
def t(data):
    return explore.load(2021, data)


def _occurrences_in_report(term: str) -> list[str]:
    """The member (or 地域全体) of every occurrence of ``term`` in the report text, read straight from
    the Markdown: the last member heading above it, reset by every other heading."""
    where, found = "地域全体", []
    for line in unicodedata.normalize("NFKC", REPORT.read_text(encoding="utf-8")).splitlines():
        if m := _MEMBER_HEADING.match(line.strip()):
            where = m.group(1)
        elif _OTHER_HEADING.match(line.strip()):
            where = "地域全体"
        else:
            found += [where] * line.count(term)
    return found


@pytest.mark.parametrize("term", ["予算", "電子決裁", "チャットボット", "研修"])
def test_search_finds_every_occurrence_in_the_report_with_its_member(t, term):
    hits = explore.search(t.statements, term)
    assert sorted(hits["municipality"]) == sorted(_occurrences_in_report(term))
    assert (hits["keyword"] == term).all()
    assert all(term in text for text in hits["text"])
    assert all(text.startswith(left[-5:]) or left[-5:] in text for left, text in zip(hits["left"], hits["text"]))


def test_search_narrows_to_member_theme_and_aspect_given_in_japanese(t):
    hits = explore.search(t.statements, "予算", member="松伏町", theme="計画の策定", aspect="課題")
    assert hits[["statement_id", "section", "municipality"]].values.tolist() == [["FY2021-4.2.6-001", "4.2.6", "松伏町"]]
    assert explore.search(t.statements, "予算", member="草加市").empty


def test_token_search_finds_inflected_forms(t):
    hits = explore.search(t.statements, "行う", match="token")
    assert len(hits) > 0
    assert set(hits["keyword"]) > {"行う"}
    assert all(k.startswith("行") for k in hits["keyword"])


def test_select_names_the_choices_in_japanese_when_a_member_is_unknown(t):
    with pytest.raises(DxstudyError) as exc:
        explore.select(t.statements, member="川口市")
    assert "川口市" in str(exc.value) and "草加市" in str(exc.value) and "すべて" in str(exc.value)
    with pytest.raises(DxstudyError, match="現状、課題"):
        explore.select(t.statements, aspect="問題")


def test_select_by_code_and_by_name_agree(t):
    by_name = explore.select(t.statements, member="越谷市", theme="telework", aspect="status")
    by_code = explore.select(t.statements, member="112224", theme="テレワークの推進", aspect="現状")
    assert by_name.equals(by_code) and len(by_name) > 0
    assert set(by_name["section"]) == {"3.1.2"}


def test_crosstab_counts_the_coded_rows_per_member(t):
    table = explore.crosstab(t.challenges, "code_label")
    members = t.challenges[t.challenges["municipality_code"] != ""]
    assert int(table.values.sum()) == len(members)
    assert list(table.index) == [m for m in MEMBERS if m in set(members["municipality"])]
    budget = members[(members["municipality"] == "越谷市") & (members["code"] == "budget")]
    assert table.loc["越谷市", budget["code_label"].iloc[0]] == len(budget)


def test_terms_of_a_selection_count_words_of_those_statements_only(t):
    frequent = explore.terms(t.statements, theme="telework", aspect="challenge", top=10)
    assert frequent["term"].iloc[0] == "テレワーク"
    chosen = explore.select(t.statements, theme="telework", aspect="challenge")
    assert frequent["statements"].iloc[0] == chosen["text"].str.contains("テレワーク").sum()


def test_a_rule_the_same_as_in_force_changes_nothing(t):
    text = (DEFAULT_RULES_DIR / "challenge_codes.txt").read_text(encoding="utf-8")
    block = re.search(r"^＊budget .*?(?=^＊)", text, re.S | re.M).group(0)
    trial = explore.try_rule(block, t.statements)
    coded = t.challenges[t.challenges["code"] == "budget"]
    assert set(trial["result"]) == {"一致"}
    assert sorted(trial["statement_id"]) == sorted(coded["statement_id"])


def test_a_narrower_rule_lists_what_it_would_miss(t):
    trial = explore.try_rule("＊budget 予算・財源・費用\n予算", t.statements)
    lost = trial[trial["result"] == "該当しなくなる"]
    assert len(lost) > 0 and not any("予算" in s for s in lost["text"])
    assert set(trial.loc[trial["result"] == "一致", "statement_id"]) == {"FY2021-4.2.6-001"}


def test_a_rule_tried_then_saved_gives_the_same_rows_in_the_next_coding(t, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    rule = "＊telework_devices テレワーク端末\n端末 and テレワーク"
    trial = explore.try_rule(rule, t.statements, rules_dir=rules)
    assert set(trial["result"]) == {"新たに該当"} and len(trial) > 0
    explore.save_rule(rule, rules_dir=rules)
    coded = code_statements(t.statements, fiscal_year=2021, rules_dir=rules)["challenges"]
    assert sorted(coded.loc[coded["code"] == "telework_devices", "statement_id"]) == sorted(trial["statement_id"])
    assert (DEFAULT_RULES_DIR / "challenge_codes.txt").read_text(encoding="utf-8") != (
        rules / "challenge_codes.txt").read_text(encoding="utf-8")


def test_a_broken_rule_is_refused_with_the_line_and_nothing_is_saved(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    before = (rules / "challenge_codes.txt").read_bytes()
    with pytest.raises(DxstudyError, match="規則を読めません"):
        explore.save_rule("＊budget 予算\n予算 or ( 財源", rules_dir=rules)
    with pytest.raises(DxstudyError, match="見出し"):
        explore.save_rule("予算 or 財源", rules_dir=rules)
    assert (rules / "challenge_codes.txt").read_bytes() == before


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_writes_a_selection_that_reads_back_with_formulas_neutralized(tmp_path, suffix):
    frame = pd.DataFrame({"statement_id": ["FY2021-1-001", "FY2021-1-002"], "text": ["=1+2", "草加市の取組み"]})
    path = explore.export_selection(frame, tmp_path / f"選択{suffix}")
    if suffix == ".xlsx":
        rows = list(openpyxl.load_workbook(path).active.values)
    else:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = [tuple(r) for r in pd.read_csv(path, encoding="utf-8-sig").itertuples(index=False)]
        rows.insert(0, ("statement_id", "text"))
    assert rows == [("statement_id", "text"), ("FY2021-1-001", "'=1+2"), ("FY2021-1-002", "草加市の取組み")]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_export_refuses_other_suffixes(tmp_path):
    with pytest.raises(DxstudyError, match=r"\.xlsx か \.csv"):
        explore.export_selection(pd.DataFrame({"a": [1]}), tmp_path / "selection.ods")


def test_show_labels_columns_and_values_in_japanese_and_keeps_the_data(t):
    frame = explore.select(t.statements, member="草加市", theme="telework", aspect="challenge")
    shown = explore.show(frame[["statement_id", "municipality", "theme", "aspect", "text"]])
    assert list(shown.columns) == ["文ID", "市町", "テーマ", "区分", "文"]
    assert set(shown["テーマ"]) == {"テレワークの推進"} and set(shown["区分"]) == {"課題"}
    assert set(frame["theme"]) == {"telework"}


def test_controls_fall_back_to_a_note_without_widgets(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    note = explore.controls(explore.Choice("草加市", "テレワークの推進", "課題"))
    assert "市町＝草加市" in repr(note) and "テーマ＝テレワークの推進" in note._repr_html_()


def _second_year(data: Path) -> None:
    write_synthetic_report(data / "raw" / "FY2022" / "report.md", municipalities(), fiscal_year=2022, seed=3)


def test_member_over_years_sets_the_years_side_by_side(data, tmp_path):
    two = tmp_path / "data"
    shutil.copytree(data, two)
    _second_year(two)
    build_processed(2022, two)
    rows = explore.member_over_years("草加市", two, theme="telework", aspect="現状")
    assert set(rows["fiscal_year"]) == {2021, 2022}
    assert list(rows["fiscal_year"]) == sorted(rows["fiscal_year"])
    assert set(rows["theme"]) == {"telework"} and set(rows["aspect"]) == {"status"}


# --- the notebook -------------------------------------------------------------------------------------


def test_committed_explore_notebook_has_no_outputs_and_a_parameters_cell():
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'fiscal_year = 2021\ndata_dir = "../data"' in tagged[0].source
    assert nb.cells[0].source.startswith("# 探索")


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    """explore.ipynb run with its defaults from <project>/notebooks on raw data only (as on a fresh
    clone), then again for a synthetic second year."""
    project = tmp_path_factory.mktemp("explore_project")
    (project / "data" / "raw" / "FY2021").mkdir(parents=True)
    shutil.copy(REPORT, project / "data" / "raw" / "FY2021" / "report.md")
    (project / "notebooks").mkdir()
    (project / "executed").mkdir()
    source = str(ROOT / "notebooks" / "explore.ipynb")
    errors = dict([_execute(("explore", source, str(project), {}))])
    _second_year(project / "data")
    errors.update([_execute(("explore-2022", source, str(project), {"fiscal_year": 2022,
                                                                  "export_to": "../outputs/explore/2022.csv"}))])
    return project, errors


def _text(project: Path, name: str) -> str:
    nb = nbformat.read(project / "executed" / f"{name}.ipynb", as_version=4)
    return "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_explore_runs_with_its_defaults_on_raw_data_only(explored):
    project, errors = explored
    assert errors["explore"] is None, errors["explore"]
    assert (project / "data" / "processed" / "FY2021" / "statements.csv").is_file()
    rows = list(openpyxl.load_workbook(project / "outputs" / "explore" / "selection.xlsx").active.values)
    assert rows[0][:2] == ("statement_id", "section") and len(rows) > 1
    assert "一致" in _text(project, "explore")


def test_explore_runs_for_a_second_year_and_compares_the_member_across_years(explored):
    project, errors = explored
    assert errors["explore-2022"] is None, errors["explore-2022"]
    assert (project / "outputs" / "explore" / "2022.csv").is_file()
    assert "2022" in _text(project, "explore-2022") and "2021" in _text(project, "explore-2022")
