"""Atomic outputs: files written to a temporary file and renamed; run directories
filled beside their target and swapped in whole.

An interrupted run never leaves a half-written file under the final name, and an
output directory holds either the previous complete run or the new complete run,
never a mix of the two (:class:`RunDirectory`). A run directory's manifest is written
last, so a directory without one is incomplete.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OutputError",
    "RunDirectory",
    "atomic_write",
    "check_output_directory",
    "is_run_manifest",
    "jsonable",
    "write_json",
    "write_parquet",
]


class OutputError(ValueError):
    """An output directory cannot be used (bad input: the message names it and why)."""


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become ``null``; numpy scalars unwrap."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: str | Path, payload: Any) -> Path:
    text = json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def check_output_directory(path: Path, option: str, manifest: str | None = None) -> None:
    """Fail now, before any work, if ``path`` cannot receive a run's outputs: it must
    be a directory or not exist yet, and it (or the parent it will be made in) must be
    writable. With a ``manifest``, the directory will be replaced whole
    (:class:`RunDirectory`), so an existing non-empty one must hold a previous run (its
    ``manifest``); anything else is the user's and is left alone.

    Raises
    ------
    OutputError
        Naming ``option``, the path and what is wrong.
    """
    where = f"{option} {path}"
    if path.exists() and not path.is_dir():
        raise OutputError(f"{where}: exists and is not a directory")
    if manifest is not None and path.is_dir():
        if path.resolve() in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
            raise OutputError(f"{where}: the current directory or above it; name a new one")
        if os.path.ismount(path):
            raise OutputError(f"{where}: a mount point cannot be replaced; name a directory in it")
    finished = manifest is None or is_run_manifest(path / manifest)
    if path.is_dir() and not finished and any(path.iterdir()):
        raise OutputError(
            f"{where}: a directory that holds no finished run ({manifest}); "
            "name a new or empty directory, or one an earlier run wrote"
        )
    target = path if path.is_dir() and manifest is None else path.resolve().parent
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target, prefix=f".{path.name}.probe."):
            pass
    except OSError as error:
        raise OutputError(f"{where}: cannot write there: {error.strerror or error}") from None


def is_run_manifest(path: Path) -> bool:
    """Whether ``path`` is a manifest orgsim wrote (JSON with an ``orgsim_version``)."""
    try:
        return "orgsim_version" in json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


class RunDirectory:
    """A run's output directory, filled beside ``path`` and swapped in when complete.

    Use as a context manager: write every file into :attr:`staging`; on a clean exit
    the staging directory replaces ``path`` (an atomic exchange where the system has
    one, Linux's ``renameat2``), so ``path`` holds the old complete run or the new
    complete run, never a mix. On an error the staging directory is removed and
    ``path`` is untouched.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.resolve().parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(
            tempfile.mkdtemp(prefix=f".{self.path.name}.partial.", dir=self.path.resolve().parent)
        )
        os.chmod(self.staging, 0o777 & ~_umask())

    def __enter__(self) -> RunDirectory:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        try:
            _swap_in(self.staging, self.path)
        except OSError as error:
            raise OutputError(
                f"{self.path}: could not be replaced ({error.strerror or error}); the "
                f"finished run is complete in {self.staging}"
            ) from None


def _swap_in(staging: Path, path: Path) -> None:
    """Put ``staging`` where ``path`` is; the old directory, if any, is removed."""
    if not path.exists():
        os.rename(staging, path)
        return
    if _exchange(staging, path):  # the old run is now at ``staging``
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.resolve().parent))
    try:
        os.rename(path, old / path.name)  # (a crash here leaves the old run beside, whole)
    except OSError:
        old.rmdir()
        raise
    os.rename(staging, path)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with ``renameat2(RENAME_EXCHANGE)``; False where the
    system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
