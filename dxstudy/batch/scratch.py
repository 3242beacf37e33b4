# Short-lived folders the batch keeps in the temp directory (kernel connection files and sockets):
# named with the run's pid, so that the next run removes those of killed runs (checked with psutil).
"""Scratch folders of batch runs in the system temp directory."""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from dxstudy.batch.publish import pid_alive

__all__ = ["SCRATCH_PREFIX", "short_tempdir", "remove_stale_scratch"]

#: Name prefix of a run's kernel folder: ``dxstudy-k-<pid>_<random>``.
SCRATCH_PREFIX = "dxstudy-k-"
_SCRATCH = re.compile(r"^dxstudy-k-(\d+)_\w+$")


def _scratch_base() -> str:
    base = tempfile.gettempdir()
    if len(base) > 40 and os.name == "posix" and os.path.isdir("/tmp"):
        base = "/tmp"  # Unix socket paths are limited to about 100 bytes
    return base


def short_tempdir(prefix: str = SCRATCH_PREFIX) -> str:
    """A new temporary directory ``<prefix><pid>_<random>`` with a short path (TMPDIR may point
    somewhere deep, e.g. a test's tmp_path). The pid lets :func:`remove_stale_scratch` delete it if
    this process is killed before it can."""
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}_", dir=_scratch_base())


def remove_stale_scratch() -> list[str]:
    """Delete the scratch folders (:func:`short_tempdir`) of batch processes that no longer exist
    (runs that were killed); returns their names."""
    removed: list[str] = []
    base = _scratch_base()
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        m = _SCRATCH.match(name)
        if not m or int(m.group(1)) == os.getpid() or pid_alive(int(m.group(1))):
            continue
        shutil.rmtree(os.path.join(base, name), ignore_errors=True)
        removed.append(name)
    return removed
