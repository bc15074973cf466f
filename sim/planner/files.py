"""Writing output files so that a kill, a full disk or a crash never leaves half a file.

Every table, report, plot and saved run goes through `write_atomically`: the bytes go to a
temporary file in the same folder, are flushed to disk (fsync), and only then is the file renamed
over its final name, and the folder's entry flushed too. A reader therefore sees the old file or
the new one, never a truncated one that parses cleanly with a fraction of its rows.

`OutputError` turns the operating system's complaint (a file where a folder should be, a
read-only folder, a full disk) into one line saying what could not be written and where.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Temporary names look like `.<final name>.<pid>.<random>.tmp`, so leftovers of a dead process
#: can be recognised (and removed) by the process id they carry.
TEMPORARY_SUFFIX = ".tmp"


class OutputError(OSError):
    """An output could not be written: says what, where and why in one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def explain(err: OSError) -> str:
    """A short reason a planner can act on, for the errors a careless setup or full disk gives."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied (the folder is read-only for you)",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a file is in the way where a folder is needed",
        errno.EEXIST: "a file is in the way where a folder is needed",
        errno.EISDIR: "a folder is in the way where a file is needed",
    }
    return reasons.get(err.errno or 0, err.strerror or str(err))


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMPORARY_SUFFIX}")


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def ensure_folder(folder: Path) -> Path:
    """Create `folder` (and its parents), or raise `OutputError` saying why it cannot be."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(folder, explain(err)) from None
    if not folder.is_dir():
        raise OutputError(folder, "a file is in the way where a folder is needed")
    return folder


def write_with(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Let `writer(temporary_path)` write the file, then put it in place atomically.

    On any failure the temporary file is removed and the old file (if any) is left untouched.
    """
    path = Path(path)
    ensure_folder(path.parent)
    temporary = temporary_name(path)
    try:
        writer(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise OutputError(path, explain(err)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    return path


def write_atomically(path: str | Path, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text) to `path` atomically: old file or new file, never half of one."""
    payload = data.encode() if isinstance(data, str) else data

    def writer(temporary: Path) -> None:
        with open(temporary, "wb") as handle:
            handle.write(payload)

    return write_with(path, writer)


def write_csv(table: Any, path: str | Path, **options: Any) -> Path:
    """A pandas table as CSV, atomically."""
    return write_with(path, lambda temporary: table.to_csv(temporary, **{"index": False, **options}))


def write_parquet(table: Any, path: str | Path, **options: Any) -> Path:
    """A pandas table as Parquet, atomically."""
    return write_with(path, lambda temporary: table.to_parquet(temporary, **{"index": False, **options}))


def save_figure(figure: Any, path: str | Path, **options: Any) -> Path:
    """A matplotlib figure as PNG, atomically (the format is given, as the temporary name has none)."""
    return write_with(path, lambda temporary: figure.savefig(temporary, **{"format": "png", **options}))
