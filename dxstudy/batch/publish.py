# Keeps outputs/FY{year}/ whole: a per-year lock file against concurrent runs, and the swap of a
# fully built temporary run directory into place (old → .old, new → final, delete old).
"""Lock and atomic-swap helpers for the fiscal-year batch.

Layout inside the output directory (``outputs/`` by default) for fiscal year 2021::

    outputs/FY2021/                 the last complete run (only ever replaced as a whole)
    outputs/FY2021.failed/          the last failed run, kept for debugging (removed by a complete run)
    outputs/.FY2021.lock            present while a run is active; holds "pid host"
    outputs/.FY2021.tmp-<pid>/      the run being built
    outputs/.FY2021.old-<pid>/      the previous run during the swap (deleted right after)
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from dxstudy.errors import DxstudyError
from dxstudy.paths import year_dir_name

__all__ = [
    "BatchLockedError",
    "RunLock",
    "run_dir_name",
    "temp_run_dir",
    "swap_into_place",
    "recover_interrupted",
]

# A lock file that is still empty after this many seconds was left by a crash between create and write.
_EMPTY_LOCK_GRACE_S = 10.0


class BatchLockedError(DxstudyError):
    """Another run for the same fiscal year holds the lock.

    Attributes: ``lock_path`` (the lock file), ``holder`` (its content, "pid host").
    """

    def __init__(self, lock_path: Path, holder: str):
        self.lock_path = lock_path
        self.holder = holder
        super().__init__(
            f"{lock_path}: another dxstudy run for this fiscal year is in progress "
            f"(lock held by {holder or 'an unknown process'}); wait for it to finish, "
            f"or delete the lock file if that process no longer exists"
        )


def run_dir_name(fiscal_year: int) -> str:
    """Name of the final run directory for a fiscal year, e.g. ``FY2021``."""
    return year_dir_name(fiscal_year)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _lock_is_stale(lock_path: Path) -> bool:
    """True when the lock was left by a dead process on this host (or is an old empty file)."""
    try:
        content = lock_path.read_text(encoding="utf-8").strip()
        age = time.time() - lock_path.stat().st_mtime
    except FileNotFoundError:
        return True
    if not content:
        return age > _EMPTY_LOCK_GRACE_S
    parts = content.split()
    try:
        pid = int(parts[0])
    except ValueError:
        return age > _EMPTY_LOCK_GRACE_S
    host = parts[1] if len(parts) > 1 else socket.gethostname()
    if host != socket.gethostname():
        return False  # cannot tell whether a process on another machine is alive
    return not _pid_alive(pid)


@dataclass
class RunLock:
    """Exclusive per-fiscal-year lock: ``with RunLock(out_dir, 2021): ...``.

    The lock file holds "pid host" and is kept open with an exclusive ``flock`` for the whole run:
    the kernel drops that lock when the process dies (even by SIGKILL), so a crashed run's lock is
    free at once, and two runs that find the same stale file cannot both take it over. A file
    naming a live pid on this host whose ``flock`` is free (written by hand or by an older dxstudy)
    still counts as held. Raises :class:`BatchLockedError` when a live run holds it.
    """

    out_dir: Path
    fiscal_year: int
    _fd: int | None = None

    @property
    def path(self) -> Path:
        return Path(self.out_dir) / f".{run_dir_name(self.fiscal_year)}.lock"

    def acquire(self) -> None:
        import fcntl

        Path(self.out_dir).mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise BatchLockedError(self.path, self._holder()) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the holder released (unlinked) it between our open and flock: again
                os.close(fd)
                continue
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            if holder and not _lock_is_stale(self.path):
                os.close(fd)
                raise BatchLockedError(self.path, holder)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode("utf-8"), 0)
            self._fd = fd
            return
        raise BatchLockedError(self.path, "a process that keeps re-creating it")

    def _holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            content = self._holder().split()
            if content and content[0] == str(os.getpid()):
                self.path.unlink(missing_ok=True)  # unlinked while still locked, then unlocked
        finally:
            os.close(self._fd)
            self._fd = None

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
        os.rename(final_dir, old_dir)
    try:
        os.rename(new_dir, final_dir)
    except OSError:
        if had_previous:
            os.rename(old_dir, final_dir)
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

    Returns human-readable notes (English) on what was done, for the run log.
    """
    out_dir = Path(out_dir)
    name = run_dir_name(fiscal_year)
    final_dir = out_dir / name
    notes: list[str] = []
    olds = sorted(out_dir.glob(f".{name}.old-*"))
    if not final_dir.exists() and olds:
        os.rename(olds[-1], final_dir)
        notes.append(f"restored {final_dir} from interrupted swap {olds[-1].name}")
    for leftover in sorted(out_dir.glob(f".{name}.tmp-*")) + sorted(out_dir.glob(f".{name}.old-*")):
        pid = _pid_of(leftover.name)
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue
        try:
            shutil.rmtree(leftover)
            notes.append(f"removed leftover {leftover.name}")
        except OSError as exc:  # pragma: no cover - permissions etc.
            if exc.errno != errno.ENOENT:
                notes.append(f"could not remove {leftover.name}: {exc}")
    return notes
