# `python -m dxstudy …` (on Windows `py -m dxstudy …`): the same command line as the `dxstudy` script.
"""Entry point for ``python -m dxstudy``."""
import sys

from dxstudy.cli import main

if __name__ == "__main__":
    sys.exit(main())
