"""The fiscal-year batch on small synthetic notebooks: parallel execution, outputs and their
provenance, failure isolation, atomic replacement, the lock, determinism and the CLI."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from batch_helpers import run_synthetic, scan_page, stub_tables, write_data_dir, write_synthetic_notebooks
from dxstudy.batch.run import BatchError, build_plan
from dxstudy.cli import main as cli_main
from dxstudy.render.html_export import strip_stamp
from dxstudy.batch.publish import BatchLockedError, RunLock

THEMES = ["awareness", "talent", "telework", "planning", "own_initiatives"]
NAMES = ["overview"] + [f"theme-{t}" for t in THEMES] + ["conclusions"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A synthetic project (notebooks + data folder) and one complete batch run of it, with its
    progress lines."""
    base = tmp_path_factory.mktemp("batch")
    write_data_dir(base / "data")
    nb_dir = write_synthetic_notebooks(base / "notebooks")
    progress = io.StringIO()
    result = run_synthetic(base / "data", nb_dir, base / "outputs", progress=progress)
    result.progress_text = progress.getvalue()
    return base, nb_dir, result


@pytest.fixture(scope="module")
def failed_run(project, tmp_path_factory):
    """The same notebooks on a second copy of the same data, where theme=talent is made to raise,
    into an output folder that holds the complete first run."""
    base, nb_dir, first = project
    second = tmp_path_factory.mktemp("failed")
    data = write_data_dir(second / "data", fail_theme="talent")
    out = second / "outputs"
    shutil.copytree(first.output_dir, out / "FY2021")
    before = {p.name: p.read_bytes() for p in (out / "FY2021").iterdir()}
    result = run_synthetic(data, nb_dir, out)
    return out, before, result


# --- plan -------------------------------------------------------------------------------------

def test_plan_runs_overview_each_theme_and_conclusions(tmp_path):
    plan = build_plan(2021, tmp_path, tmp_path)
    assert [j.name for j in plan] == NAMES


def test_plan_passes_fiscal_year_absolute_data_dir_and_theme(tmp_path):
    plan = {j.name: j for j in build_plan(2021, "data", tmp_path)}
    assert plan["theme-telework"].parameters == {
        "fiscal_year": 2021, "data_dir": str(Path("data").resolve()), "theme": "telework"}
    assert "theme" not in plan["overview"].parameters


# --- a complete run ---------------------------------------------------------------------------

def test_complete_run_writes_html_and_executed_notebook_per_report(project):
    _base, _nb, result = project
    assert result.status == "ok" and result.exit_code == 0
    files = {p.name for p in result.output_dir.iterdir()}
    for name in NAMES:
        assert f"{name}.html" in files and f"{name}.ipynb" in files
    assert {"index.html", "run.json"} <= files


def test_complete_run_is_in_outputs_fy2021(project):
    base, _nb, result = project
    assert result.output_dir == (base / "outputs" / "FY2021").resolve()
    assert sorted(p.name for p in (base / "outputs").iterdir()) == ["FY2021"]


def test_notebooks_run_in_parallel_worker_processes(project):
    _base, _nb, result = project
    assert len({r.worker_pid for r in result.reports}) == 2


def test_kernel_is_the_running_python(project):
    _base, _nb, result = project
    nb = nbformat.read(result.output_dir / "overview.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert f"kernel: {sys.executable}" in printed


def test_batch_kernels_start_without_the_debugger(project):
    """dxstudy.batch.kernel keeps ipykernel from importing debugpy (about 0.1 s per kernel)."""
    _base, _nb, result = project
    nb = nbformat.read(result.output_dir / "overview.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "debugger loaded: False" in printed


def test_theme_parameter_reaches_each_theme_notebook(project):
    _base, _nb, result = project
    nb = nbformat.read(result.output_dir / "theme-planning.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "テーマ: planning" in printed


def test_run_json_records_inputs_versions_and_reports(project):
    base, _nb, result = project
    manifest = json.loads((result.output_dir / "run.json").read_text(encoding="utf-8"))
    report_sha = __import__("hashlib").sha256((base / "data/raw/FY2021/report.md").read_bytes()).hexdigest()
    assert manifest["fiscal_year"] == 2021
    assert manifest["inputs"] == [{"path": "raw/FY2021/report.md", "sha256": report_sha}]
    assert manifest["dxstudy_version"] and manifest["rules_version"]
    assert [r["name"] for r in manifest["reports"]] == NAMES
    assert manifest["started_at"] and manifest["duration_s"] > 0


def test_tables_are_built_into_processed(project):
    base, _nb, _result = project
    statements = pd.read_csv(base / "data/processed/FY2021/statements.csv", dtype=str)
    assert (statements["theme"] == "telework").any()


def test_index_links_every_report_with_its_status(project):
    _base, _nb, result = project
    page = (result.output_dir / "index.html").read_text(encoding="utf-8")
    for name in NAMES:
        assert f'href="{name}.html"' in page and f'href="{name}.ipynb"' in page
    assert page.count("成功") == len(NAMES)
    assert "テレワークの推進" in page and "令和3年度" in page


def test_index_says_what_was_run(project):
    _base, _nb, result = project
    scan = scan_page(result.output_dir / "index.html")
    text = "".join(scan.text)
    for fact in ("入力ファイル", "raw/FY2021/report.md", "ルール版", "dxstudy 版", "開始日時", "所要時間"):
        assert fact in text
    assert scan.html_lang == "ja"


def test_progress_lines_name_each_finished_notebook(project):
    _base, _nb, result = project
    lines = result.progress_text.splitlines()
    for name in NAMES:
        assert sum(f"ok     {name} (" in line for line in lines) == 1, name
    assert any("[7/7]" in line for line in lines)


# --- determinism ------------------------------------------------------------------------------

def test_rerun_on_the_same_inputs_gives_the_same_tables(project, failed_run):
    base, _nb, _first = project
    out, _before, _result = failed_run
    first = {p.name: p.read_bytes() for p in (base / "data/processed/FY2021").glob("*.csv")}
    second = {p.name: p.read_bytes() for p in (out.parent / "data/processed/FY2021").glob("*.csv")}
    assert first and second == first


def test_rerun_on_the_same_inputs_gives_the_same_html_apart_from_the_stamp(project, failed_run):
    _base, _nb, first = project
    _out, _before, second = failed_run
    for name in NAMES:
        if name == "theme-talent":  # made to fail in the second run
            continue
        a = (first.output_dir / f"{name}.html").read_text(encoding="utf-8")
        b = (second.output_dir / f"{name}.html").read_text(encoding="utf-8")
        assert strip_stamp(a) == strip_stamp(b), name


# --- failure isolation ------------------------------------------------------------------------

def test_failing_notebook_fails_the_run(failed_run):
    _out, _before, result = failed_run
    assert result.status == "failed" and result.exit_code == 1
    assert [r.name for r in result.failed] == ["theme-talent"]


def test_failing_notebook_leaves_the_previous_outputs_intact(failed_run):
    out, before, _result = failed_run
    after = {p.name: p.read_bytes() for p in (out / "FY2021").iterdir()}
    assert after == before


def test_failing_notebook_does_not_stop_the_others(failed_run):
    _out, _before, result = failed_run
    assert result.output_dir.name == "FY2021.failed"
    for name in NAMES:
        if name != "theme-talent":
            assert (result.output_dir / f"{name}.html").is_file(), name


def test_failed_notebook_is_kept_with_papermill_error_cell(failed_run):
    _out, _before, result = failed_run
    nb = nbformat.read(result.output_dir / "theme-talent.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "RuntimeError"
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)


def test_failed_notebook_html_is_marked_failed(failed_run):
    _out, _before, result = failed_run
    page = (result.output_dir / "theme-talent.html").read_text(encoding="utf-8")
    assert "このレポートは実行に失敗しました" in page and "テスト用の失敗: talent" in page


def test_summary_names_the_failed_notebook_and_error(failed_run):
    out, _before, result = failed_run
    summary = result.summary()
    assert "FAILED theme-talent" in summary
    assert "RuntimeError: テスト用の失敗: talent" in summary
    assert str(out / "FY2021") in summary  # where the previous complete run is


def test_index_of_failed_run_marks_the_failure(failed_run):
    _out, _before, result = failed_run
    page = (result.output_dir / "index.html").read_text(encoding="utf-8")
    assert "失敗" in page and "RuntimeError" in page


def test_complete_run_after_a_failed_one_removes_the_failed_folder(failed_run, project):
    out, _before, _result = failed_run
    base, nb_dir, _first = project
    plan = build_plan(2021, base / "data", nb_dir)[:1]
    result = run_synthetic(base / "data", nb_dir, out, jobs=1, plan=plan, build_tables=stub_tables)
    assert result.ok and not (out / "FY2021.failed").exists()
    assert sorted(p.name for p in (out / "FY2021").glob("*.html")) == ["index.html", "overview.html"]


# --- atomicity and the lock -------------------------------------------------------------------

def test_error_while_building_tables_leaves_previous_outputs_and_no_temp_dirs(project, tmp_path):
    base, nb_dir, first = project
    out = tmp_path / "outputs"
    shutil.copytree(first.output_dir, out / "FY2021")
    before = sorted(p.name for p in (out / "FY2021").iterdir())

    def broken_tables(fiscal_year, data_dir):
        raise ValueError("表を作れません")

    with pytest.raises(BatchError, match="表を作れません"):
        run_synthetic(base / "data", nb_dir, out, build_tables=broken_tables)
    assert sorted(p.name for p in (out / "FY2021").iterdir()) == before
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]  # no .tmp, no lock left


def test_second_concurrent_run_is_refused(project, tmp_path):
    base, nb_dir, _first = project
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out = tmp_path / "outputs"
        out.mkdir()
        (out / ".FY2021.lock").write_text(f"{holder.pid} {os.uname().nodename}\n")
        with pytest.raises(BatchLockedError, match="実行中です"):
            run_synthetic(base / "data", nb_dir, out)
        assert not (out / "FY2021").exists()
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".FY2021.lock").write_text(f"{dead.pid} {os.uname().nodename}\n")
    with RunLock(tmp_path, 2021) as lock:
        assert lock.path.read_text().split()[0] == str(os.getpid())
    assert not lock.path.exists()


# --- command line -----------------------------------------------------------------------------

def test_cli_run_reports_a_missing_data_dir_without_traceback(tmp_path, capsys):
    code = cli_main(["run", "--fiscal-year", "2021", "--data-dir", str(tmp_path / "nowhere"),
                     "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nowhere" in err and "データフォルダが見つかりません" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1  # one paragraph


def test_cli_run_refuses_a_locked_fiscal_year(project, tmp_path, capsys):
    base, nb_dir, _first = project
    out = tmp_path / "out"
    out.mkdir()
    (out / ".FY2021.lock").write_text(f"1 {os.uname().nodename}\n")  # pid 1 is always alive
    code = cli_main(["run", "--fiscal-year", "2021", "--data-dir", str(base / "data"),
                     "--out", str(out), "--notebooks-dir", str(nb_dir)])
    assert code == 2
    assert "この年度の dxstudy run が実行中です" in capsys.readouterr().err


def test_cli_run_rejects_zero_jobs(project, tmp_path, capsys):
    base, nb_dir, _first = project
    code = cli_main(["run", "--fiscal-year", "2021", "--data-dir", str(base / "data"),
                     "--out", str(tmp_path / "out"), "--notebooks-dir", str(nb_dir), "--jobs", "0"])
    assert code == 2 and "--jobs" in capsys.readouterr().err


# --- interruption -----------------------------------------------------------------------------

@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_interrupted_run_leaves_previous_outputs_and_nothing_else(project, tmp_path, signame):
    import signal
    import time

    base, nb_dir, first = project
    data = write_data_dir(tmp_path / "data")
    (data / "sleep.txt").write_text("60")
    out = tmp_path / "outputs"
    shutil.copytree(first.output_dir, out / "FY2021")
    before = {p.name: p.read_bytes() for p in (out / "FY2021").iterdir()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dxstudy.cli", "run", "--fiscal-year", "2021", "--data-dir", str(data),
         "--out", str(out), "--notebooks-dir", str(nb_dir), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stderr:  # wait until notebooks are running
            if "[1/7]" in line:
                break
        time.sleep(0.5)
        os.killpg(proc.pid, getattr(signal, signame))  # like Ctrl-C or a stop from the system
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert {p.name: p.read_bytes() for p in (out / "FY2021").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]  # no temporary run, no lock


# --- optional reports -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def yoy_notebooks(project, tmp_path_factory):
    from batch_helpers import write_yoy_notebook

    nb_dir = write_synthetic_notebooks(tmp_path_factory.mktemp("yoy") / "notebooks")
    return write_yoy_notebook(nb_dir)


def _overview_and_yoy(data, nb_dir):
    return [j for j in build_plan(2021, data, nb_dir) if j.name in ("overview", "year_over_year")]


def test_year_over_year_runs_when_the_previous_year_is_processed(yoy_notebooks, tmp_path):
    data = write_data_dir(tmp_path / "data")
    previous = data / "processed" / "FY2020"
    previous.mkdir(parents=True)
    (previous / "statements.csv").write_text("statement_id\n", encoding="utf-8-sig")
    result = run_synthetic(data, yoy_notebooks, tmp_path / "out", plan=_overview_and_yoy(data, yoy_notebooks),
                           build_tables=stub_tables)
    assert result.ok and [r.name for r in result.reports] == ["overview", "year_over_year"]
    assert (result.output_dir / "year_over_year.html").is_file()
    assert "processed/FY2020/statements.csv" in [i["path"] for i in result.manifest["inputs"]]


def test_year_over_year_is_skipped_without_the_previous_year_and_the_index_says_so(yoy_notebooks, tmp_path):
    data = write_data_dir(tmp_path / "data")
    result = run_synthetic(data, yoy_notebooks, tmp_path / "out", plan=_overview_and_yoy(data, yoy_notebooks),
                           build_tables=stub_tables)
    assert result.ok and [r.name for r in result.reports] == ["overview"]
    assert result.manifest["skipped"][0]["name"] == "year_over_year"
    assert f"year_over_year（前年度比較）は作成しません: {data} に FY2020 の表も元データもありません" in result.summary()
    assert "この年度は作成しないレポート：前年度比較" in (result.output_dir / "index.html").read_text(encoding="utf-8")


# --- names and years that must not reach the file system -------------------------------------

def test_report_name_with_a_path_is_refused_before_anything_is_written(project, tmp_path):
    from dxstudy.batch.types import NotebookJob

    base, nb_dir, _first = project
    plan = [NotebookJob(name="../../escaped", notebook=str(nb_dir / "conclusions.ipynb"),
                        parameters={"fiscal_year": 2021, "data_dir": str(base / "data")}, title="x")]
    with pytest.raises(BatchError, match=r"report name.*\.\./\.\./escaped"):
        run_synthetic(base / "data", nb_dir, tmp_path / "deep" / "out", plan=plan, build_tables=stub_tables)
    assert not list(tmp_path.glob("**/escaped.*")) and not (tmp_path / "deep").exists()


def test_two_reports_with_one_output_name_are_refused(project, tmp_path):
    base, nb_dir, _first = project
    plan = build_plan(2021, base / "data", nb_dir)[:1] * 2
    with pytest.raises(BatchError, match="'overview' が二度あります"):
        run_synthetic(base / "data", nb_dir, tmp_path / "out", plan=plan, build_tables=stub_tables)


def test_cli_run_refuses_a_fiscal_year_out_of_range(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["run", "--fiscal-year", "3000", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2 and "2000" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_names_a_missing_package_in_one_japanese_paragraph(monkeypatch, tmp_path, capsys):
    """A dependency that is not installed (here filelock) stops `dxstudy run` with exit status 2 and
    a message naming the package to install, not a traceback."""
    for module in ("dxstudy.batch.run", "dxstudy.batch.publish", "dxstudy.batch.scratch"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, "filelock", None)
    code = cli_main(["run", "--fiscal-year", "2021", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "必要なパッケージ filelock がインストールされていません" in err and "pip install filelock" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
