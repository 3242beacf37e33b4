# `dxstudy run`: the command-line face of the fiscal-year batch (arguments, summary, exit status);
# cli.py registers it. Errors of the batch (DxstudyError) are reported by cli.main.
"""The ``dxstudy run`` sub-command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxstudy.inputs import fiscal_year_arg

__all__ = ["add_run_command", "run_command"]


def run_command(args: argparse.Namespace) -> int:
    """Handler of ``dxstudy run``: runs the batch, prints the summary, returns the exit status
    (0 every report made, 1 some report failed, 130 interrupted)."""
    from dxstudy.batch.pool import Terminated
    from dxstudy.batch.run import run_batch

    try:
        result = run_batch(
            args.fiscal_year,
            data_dir=args.data_dir,
            out=args.out,
            jobs=args.jobs,
            notebooks_dir=args.notebooks_dir,
            progress=not args.quiet,
        )
    except (Terminated, KeyboardInterrupt):
        print("dxstudy: 中断しました。前回の出力はそのまま残しています", file=sys.stderr)
        return 130
    print(result.summary())
    return result.exit_code


def add_run_command(subparsers) -> argparse.ArgumentParser:
    """Register ``dxstudy run`` on an ``argparse`` sub-parsers object (handler: :func:`run_command`)."""
    p = subparsers.add_parser(
        "run",
        help="年度のバッチを実行: 表、全ノートブック、HTML レポートと index.html",
        description="DATA_DIR/raw/FY<年度>/ から表を作り、ノートブックを papermill で並列に実行して、"
                    "オフラインで読める HTML レポートと index.html を OUT/FY<年度>/ に書き出します。"
                    "失敗したノートブックがある実行は OUT/FY<年度>.failed/ に置かれ、前回の完全な"
                    "実行結果はそのまま残ります（終了コード 1）。",
    )
    p.add_argument("--fiscal-year", type=fiscal_year_arg, required=True,
                   help="年度（例: 2021 = 令和3年度）")
    p.add_argument("--data-dir", default="data", type=Path,
                   help="data/ と同じ構成のデータフォルダ（既定: 現在のフォルダの data）")
    p.add_argument("--out", default="outputs", type=Path,
                   help="出力フォルダ（既定: 現在のフォルダの outputs）")
    p.add_argument("--jobs", type=int, default=None,
                   help="同時に実行するノートブックの数（既定: CPU の数）")
    p.add_argument("--notebooks-dir", type=Path, default=None,
                   help="overview.ipynb、theme.ipynb、conclusions.ipynb のあるフォルダ"
                        "（既定: プロジェクトの notebooks/）")
    p.add_argument("--quiet", action="store_true", help="進行状況を表示しない")
    p.set_defaults(handler=run_command)
    return p
