# Keeps outputs/FY{year}/ whole on Linux, macOS and Windows: a per-year lock (filelock, with a "pid host"
# record) against concurrent runs, and the swap of a fully built run directory into place (os.replace).
"""Lock and atomic-swap helpers for the fiscal-year batch.

Layout inside the output directory (``outputs/`` by default) for fiscal year 2021::

    outputs/FY2021/                 the last complete run (only ever replaced as a whole)
    outputs/FY2021.failed/          the last failed run, kept for debugging (removed by a complete run)
    outputs/.FY2021.lock            present while a run is active; holds "pid host"
    outputs/.FY2021.lock.guard      the operating-system lock behind it (filelock)
    outputs/.FY2021.tmp-<pid>/      the run being built
    outputs/.FY2021.old-<pid>/      the previous run during the swap (deleted right after)
"""

from __future__ import annotations

import os
import shutil
import socket
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from dxstudy.errors import DxstudyError
from dxstudy.inputs import FileInUseError, replace_path
from dxstudy.paths import outputs_dir, year_dir_name

with warnings.catch_warnings():  # "only soft file lock is available" where neither fcntl nor msvcrt exist
    warnings.simplefilter("ignore", UserWarning)
    from filelock import FileLock, Timeout

__all__ = [
    "BatchLockedError",
    "FileInUseError",
    "RunLock",
    "pid_alive",
    "run_dir_name",
    "failed_dir",
    "temp_run_dir",
    "replace_path",
    "swap_into_place",
    "recover_interrupted",
]

# A lock record that is still empty after this many seconds was left by a crash between create and write.
_EMPTY_LOCK_GRACE_S = 10.0


class BatchLockedError(DxstudyError):
    """Another run for the same fiscal year holds the lock.

    Attributes: ``lock_path`` (the lock record), ``holder`` (its content, "pid host").
    """

    def __init__(self, lock_path: Path, holder: str):
        self.lock_path = lock_path
        self.holder = holder
        super().__init__(
            f"{lock_path}: この年度の dxstudy run が実行中です（ロックの持ち主: "
            f"{holder or '不明なプロセス'} ）。終わるのを待ってから実行してください。"
            f"そのプロセスがもう存在しないのに残っている場合は、このファイルを削除してください。"
        )


def run_dir_name(fiscal_year: int) -> str:
    """Name of the final run directory for a fiscal year, e.g. ``FY2021``."""
    return year_dir_name(fiscal_year)


def failed_dir(fiscal_year: int, out_dir: str | Path) -> Path:
    """``<out_dir>/FY2021.failed``: where a run with a failed report goes."""
    final = outputs_dir(fiscal_year, out_dir)
    return final.with_name(f"{final.name}.failed")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (psutil; never a signal)."""
    try:
        return psutil.pid_exists(int(pid))
    except (ValueError, OverflowError):
        return False


def _record_is_stale(content: str, age_s: float) -> bool:
    """True when a lock record was left by a dead process on this host (or is an old empty file)."""
    parts = content.split()
    if not parts:
        return age_s > _EMPTY_LOCK_GRACE_S
    try:
        pid = int(parts[0])
    except ValueError:
        return age_s > _EMPTY_LOCK_GRACE_S
    host = parts[1] if len(parts) > 1 else socket.gethostname()
    if host != socket.gethostname():
        return False  # cannot tell whether a process on another machine is alive
    return pid != os.getpid() and not pid_alive(pid)


@dataclass
class RunLock:
    """Exclusive per-fiscal-year lock: ``with RunLock(out_dir, 2021): ...``.

    An operating-system file lock (:mod:`filelock` on ``.FY2021.lock.guard``) is held for the whole
    run: the system drops it when the process dies (even killed), so a crashed run's lock is free at
    once and two runs that find the same stale record cannot both take it over. The record
    ``.FY2021.lock`` says who holds it ("pid host"); a record naming a live process on this host
    still counts as held even when the system lock is free (written by hand or by an older
    dxstudy). Raises :class:`BatchLockedError` when a live run holds it.
    """

    out_dir: Path
    fiscal_year: int
    _lock: Any = None

    @property
    def path(self) -> Path:
        return Path(self.out_dir) / f".{run_dir_name(self.fiscal_year)}.lock"

    @property
    def guard_path(self) -> Path:
        return self.path.with_name(self.path.name + ".guard")

    def acquire(self) -> None:
        Path(self.out_dir).mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.guard_path), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise BatchLockedError(self.path, self._holder()) from None
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            age = 0.0
        holder = self._holder()
        if holder and not _record_is_stale(holder, age):
            lock.release()
            raise BatchLockedError(self.path, holder)
        self.path.write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")
        self._lock = lock

    def _holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            content = self._holder().split()
            if content and content[0] == str(os.getpid()):
                self.path.unlink(missing_ok=True)
            try:  # removed while still locked (POSIX); Windows refuses, and filelock removes it there
                self.guard_path.unlink(missing_ok=True)
            except OSError:
                pass
        finally:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def temp_run_dir(out_dir: Path, fiscal_year: int) -> Path:
    """Create and return an empty hidden sibling directory ``.FY2021.tmp-<pid>`` for a new run."""
    path = Path(out_dir) / f".{run_dir_name(fiscal_year)}.tmp-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def swap_into_place(new_dir: Path, final_dir: Path) -> None:
    """Replace ``final_dir`` by ``new_dir`` (both in the same parent directory).

    The previous directory is renamed aside, the new one renamed into place, then the old one is
    deleted. Each rename is atomic; if the process dies between the two renames,
    :func:`recover_interrupted` puts the old directory back on the next run.
    """
    new_dir, final_dir = Path(new_dir), Path(final_dir)
    old_dir = final_dir.with_name(f".{final_dir.name}.old-{os.getpid()}")
    if old_dir.exists():
        shutil.rmtree(old_dir)
    had_previous = final_dir.exists()
    if had_previous:
        replace_path(final_dir, old_dir)
    try:
        replace_path(new_dir, final_dir)
    except OSError:
        if had_previous:
            replace_path(old_dir, final_dir)
        raise
    if had_previous:
        shutil.rmtree(old_dir, ignore_errors=True)


def _pid_of(name: str) -> int | None:
    try:
        return int(name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def recover_interrupted(out_dir: Path, fiscal_year: int) -> list[str]:
    """Clean up after runs that were killed (call while holding the lock).

    * a missing ``FY2021/`` with a ``.FY2021.old-<pid>/`` beside it (killed mid-swap) → restored;
    * ``.FY2021.tmp-<pid>/`` and ``.FY2021.old-<pid>/`` of dead processes → deleted.

    Returns notes (Japanese) on what was done, for the summary.
    """
    out_dir = Path(out_dir)
    name = run_dir_name(fiscal_year)
    final_dir = outputs_dir(fiscal_year, out_dir)
    notes: list[str] = []
    olds = sorted(out_dir.glob(f".{name}.old-*"))
    if not final_dir.exists() and olds:
        replace_path(olds[-1], final_dir)
        notes.append(f"中断された置き換え {olds[-1].name} から {final_dir} を元に戻しました")
    for leftover in sorted(out_dir.glob(f".{name}.tmp-*")) + sorted(out_dir.glob(f".{name}.old-*")):
        pid = _pid_of(leftover.name)
        if pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        try:
            shutil.rmtree(leftover)
            notes.append(f"中断された実行の残り {leftover.name} を削除しました")
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover - permissions, a file held open on Windows
            notes.append(f"{leftover.name} を削除できませんでした: {exc}")
    return notes
