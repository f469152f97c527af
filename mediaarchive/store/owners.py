"""Whose temp file is this? Partial files carry their owner's pid and process start time in
their name (``fetch-p1234s98765-….part``), so a later command removes the files of processes
that are gone and never touches those of a process still running (a pid reused by another
program has another start time)."""

from __future__ import annotations

import os
import re
import shutil
import time
from functools import lru_cache
from pathlib import Path

__all__ = ["owner_alive", "owner_token", "remove_stale"]

_TOKEN = re.compile(r"-p(\d+)s(\d+)-")
#: A temp file without an owner (left by an older version) is removed once untouched this long.
LEGACY_AGE = 3600.0


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:  # no /proc: fall back to "the pid exists"
        return 0 if _pid_exists(pid) else None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    return int(stat.rsplit(")", 1)[1].split()[19])


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@lru_cache(maxsize=4)
def _token(pid: int) -> str:
    start = _start_time(pid) if Path("/proc").is_dir() else 0
    return f"p{pid}s{start or 0}"


def owner_token() -> str:
    """This process's mark for the temp files it makes (``p<pid>s<start time>``)."""
    return _token(os.getpid())


def owner_alive(name: str) -> bool | None:
    """True if the process named in ``name`` still runs, False if gone, None if no owner."""
    found = _TOKEN.search(name)
    if found is None:
        return None
    pid, start = int(found.group(1)), int(found.group(2))
    now = _start_time(pid)
    if now is None:
        return False
    return start == 0 or now == 0 or now == start


def remove_stale(folder: Path, *, legacy_age: float = LEGACY_AGE) -> list[Path]:
    """Remove the temp files and folders in ``folder`` whose owner process is gone (and
    ownerless ones untouched for ``legacy_age`` seconds). Returns what was removed."""
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in folder.iterdir():
        alive = owner_alive(path.name)
        if alive is None:
            try:
                if now - path.lstat().st_mtime < legacy_age:
                    continue
            except FileNotFoundError:
                continue
        elif alive:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
