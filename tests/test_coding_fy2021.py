"""The coding of the real FY2021 report: the clear-cut cells of issue 3, the challenge crosstab
against the report's own summaries, the technology table, and the rules as replaceable data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import dxstudy
from dxstudy.coding import (RuleSyntaxError, challenge_crosstab, code_statements, read_overrides,
                            rules_version, technology_matrix)
from dxstudy.coding.rulesets import DEFAULT_RULES_DIR

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "raw" / "FY2021" / "report.md"


@pytest.fixture(scope="module")
def statements():
    return dxstudy.read_report(REPORT).statements


@pytest.fixture(scope="module")
def coded(statements):
    return code_statements(statements, fiscal_year=2021,
                           overrides_path=ROOT / "data" / "overrides" / "FY2021" / "stages.csv")


def stage(coded, municipality, theme):
    s = coded["stages"]
    return s[(s["municipality"] == municipality) & (s["theme"] == theme)].iloc[0]


@pytest.mark.parametrize("municipality, expected", [
    ("越谷市", 3), ("草加市", 1), ("八潮市", 1), ("三郷市", 1), ("松伏町", 0), ("吉川市", 2)])
def test_planning_stage(coded, municipality, expected):
    assert stage(coded, municipality, "planning")["stage"] == expected


@pytest.mark.parametrize("municipality, expected", [("越谷市", 3), ("三郷市", 3), ("松伏町", 0)])
def test_telework_stage(coded, municipality, expected):
    assert stage(coded, municipality, "telework")["stage"] == expected


def test_matsubushi_telework_is_discontinued(coded):
    row = stage(coded, "松伏町", "telework")
    assert bool(row["discontinued"]) and "一時的に利用したが" in row["evidence"]


def test_koshigaya_planning_quotes_the_formulated_plan(coded):
    row = stage(coded, "越谷市", "planning")
    assert row["statement_id"] == "FY2021-4.1.2-001" and "策定した" in row["evidence"]


# the whole table, as docs/coding.md explains it cell by cell
EXPECTED = {
    "草加市": {"awareness": 2, "talent": 3, "telework": 2, "planning": 1},
    "越谷市": {"awareness": 3, "talent": 3, "telework": 3, "planning": 3},
    "八潮市": {"awareness": 2, "talent": 2, "telework": 2, "planning": 1},
    "三郷市": {"awareness": 1, "talent": 3, "telework": 3, "planning": 1},
    "吉川市": {"awareness": 3, "talent": 3, "telework": 2, "planning": 2},
    "松伏町": {"awareness": 3, "talent": 1, "telework": 0, "planning": 0},
}


def test_all_24_stages_as_documented(coded):
    got = {m: dict(zip(g["theme"], g["stage"].astype(int))) for m, g in coded["stages"].groupby("municipality")}
    assert got == EXPECTED


def test_every_stage_is_decided_by_the_rules_and_quotes_its_sentence(coded, statements):
    stages = coded["stages"]
    assert len(stages) == 24 and stages["stage"].notna().all()
    assert (stages["source"] == "rules").all()
    texts = dict(zip(statements["statement_id"], statements["text"]))
    assert all(texts[s] == e for s, e in zip(stages["statement_id"], stages["evidence"]))
    status_ids = set(statements.loc[statements["aspect"] == "status", "statement_id"])
    assert set(stages["statement_id"]) <= status_ids


def test_training_is_a_shared_challenge_across_most_members(coded):
    table = challenge_crosstab(coded["challenges"])
    assert (table["training"] > 0).sum() >= 5


def test_telework_adoption_and_scope_are_named(coded):
    telework = coded["challenges"][coded["challenges"]["theme"] == "telework"]
    members = telework[telework["municipality_code"] != ""]
    assert {"adoption", "scope"} <= set(members["code"])
    # and the region-wide summary (3.2) says the same
    region = telework[telework["municipality_code"] == ""]
    assert {"adoption", "scope"} <= set(region["code"])


def test_budget_for_koshigaya_telework_and_matsubushi_planning(coded):
    budget = coded["challenges"][coded["challenges"]["code"] == "budget"]
    pairs = set(zip(budget["municipality"], budget["theme"]))
    assert {("越谷市", "telework"), ("松伏町", "planning")} <= pairs


@pytest.mark.parametrize("municipality, technology, status, words", [
    ("草加市", "rpa", "in_use", "RPA"),
    ("越谷市", "rpa", "in_use", "RPA"),
    ("草加市", "ai_ocr", "in_use", "AI-OCR"),
    ("越谷市", "ai_ocr", "in_use", "AI-OCR"),
    ("八潮市", "ai_chatbot", "in_use", "チャットボット"),
    ("三郷市", "ai_chatbot", "in_use", "チャットボット"),
    ("越谷市", "ai_chatbot", "considering", "チャットボット"),
    ("草加市", "ai_translation", "in_use", "翻訳"),
    ("草加市", "ai_minutes", "in_use", "会議録"),
    ("八潮市", "ai_minutes", "pilot", "実証実験"),
    ("八潮市", "ai_minutes", "considering", "検討"),
    ("越谷市", "ai_minutes", "pilot", "議事録"),
    ("三郷市", "e_approval", "in_use", "電子決裁"),
    ("越谷市", "e_application", "in_use", "電子申請"),
    ("吉川市", "open_data", "in_use", "オープンデータ"),
    ("吉川市", "tablets", "in_use", "タブレット"),
    ("草加市", "vdi", "in_use", "VDI"),
    ("三郷市", "vpn", "in_use", "VPN"),
])
def test_technology_with_evidence(coded, municipality, technology, status, words):
    t = coded["technologies"]
    row = t[(t["municipality"] == municipality) & (t["technology"] == technology) & (t["status"] == status)]
    assert len(row) == 1 and words in row.iloc[0]["evidence"]


def test_technology_matrix_reads_like_the_report(coded):
    matrix = technology_matrix(coded["technologies"])
    assert matrix.loc["越谷市", "ai_minutes"] == "pilot"
    assert "松伏町" not in matrix.index  # 5.6: 独自の取組みは行っていない
    assert matrix.loc["草加市", "rpa"] == "in_use"


def test_every_table_row_carries_statement_and_evidence(coded):
    for name, table in coded.items():
        assert {"statement_id", "evidence"} <= set(table.columns), name
        decided = table if name != "stages" else table[table["rule"] != "no_status_statements"]
        assert (decided["statement_id"] != "").all() and (decided["evidence"] != "").all(), name


def test_coding_is_reproducible(statements, coded):
    again = code_statements(statements, fiscal_year=2021,
                            overrides_path=ROOT / "data" / "overrides" / "FY2021" / "stages.csv")
    for name in coded:
        pd.testing.assert_frame_equal(coded[name], again[name])


def test_shipped_override_file_is_valid_and_each_override_documented(statements):
    path = ROOT / "data" / "overrides" / "FY2021" / "stages.csv"
    overrides = read_overrides(path, statements)
    docs = (ROOT / "docs" / "coding.md").read_text(encoding="utf-8")
    for row in overrides.itertuples():
        assert f"{row.municipality_code} {row.theme}" in docs


def test_no_statements_give_empty_tables_with_their_columns(statements, coded):
    empty = code_statements(statements.iloc[:0], fiscal_year=2021)
    for name, table in empty.items():
        assert table.empty and table.columns.tolist() == coded[name].columns.tolist(), name


def test_statements_of_another_year_are_refused(statements):
    with pytest.raises(ValueError, match="fiscal year 2021, not 2022"):
        code_statements(statements, fiscal_year=2022)


# --- rules as replaceable data ------------------------------------------------------------------

def copy_rules(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def test_rules_version_is_version_plus_content_hash(tmp_path):
    version = rules_version()
    assert version.startswith("2021.1+") and len(version.split("+")[1]) == 12
    rules = copy_rules(tmp_path)
    assert rules_version(rules) == version
    with open(rules / "challenge_codes.txt", "a", encoding="utf-8") as f:
        f.write("\n＊extra 追加\n'チャットボット'\n")
    assert rules_version(rules) != version


def test_rules_dir_replaces_the_package_rules(tmp_path, statements):
    rules = copy_rules(tmp_path)
    with open(rules / "challenge_codes.txt", "a", encoding="utf-8") as f:
        f.write("\n＊workload 事務負担\n'事務負担'\n")
    out = code_statements(statements, fiscal_year=2021, rules_dir=rules)
    hits = out["challenges"][out["challenges"]["code"] == "workload"]
    assert hits["statement_id"].tolist() == ["FY2021-4.2.2-003"]


def test_broken_rule_file_names_file_and_line(tmp_path, statements):
    rules = copy_rules(tmp_path)
    text = (rules / "challenge_codes.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("＊budget 予算・財源・費用") + 2  # the 1-based line of its condition
    lines[at - 1] = "予算 or ( 財源"
    (rules / "challenge_codes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as err:
        code_statements(statements, fiscal_year=2021, rules_dir=rules)
    assert err.value.path.endswith("challenge_codes.txt") and err.value.line == at


def test_bad_stage_rule_names_the_yaml_line(tmp_path, statements):
    rules = copy_rules(tmp_path)
    text = (rules / "stage_rules.yaml").read_text(encoding="utf-8")
    text = text.replace("    stage: 2\n    description: 期限付き", "    stage: 5\n    description: 期限付き")
    (rules / "stage_rules.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("    stage: 5") + 1
    with pytest.raises(RuleSyntaxError) as err:
        code_statements(statements, fiscal_year=2021, rules_dir=rules)
    assert (err.value.line, err.value.expected) == (line, "a stage 0, 1, 2 or 3")


def test_docs_quote_every_shipped_rule_as_it_is():
    from dxstudy.coding import load_rules
    doc = " ".join((ROOT / "docs" / "coding.md").read_text(encoding="utf-8").split())
    rules = load_rules()
    sources = [c.source for c in rules.codes]
    import csv, yaml
    stage_yaml = yaml.safe_load((DEFAULT_RULES_DIR / "stage_rules.yaml").read_text(encoding="utf-8"))
    status_yaml = yaml.safe_load((DEFAULT_RULES_DIR / "technology_status.yaml").read_text(encoding="utf-8"))
    sources += [r["condition"] for r in stage_yaml["rules"] + status_yaml["rules"]]
    with open(DEFAULT_RULES_DIR / "technologies.csv", encoding="utf-8") as f:
        sources += [r["condition"] for r in csv.DictReader(f)]
    missing = [s for s in sources if " ".join(s.split()) not in doc]
    assert missing == []
