"""Safe file writing: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from mentordocs.errors import OutputError


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_umask() -> int:
    # There is no way to read the umask without setting it; set it straight back. Read once,
    # at import, so no thread ever sees the temporary value.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
_FILE_MODE = 0o666 & ~_UMASK
_DIR_MODE = 0o777 & ~_UMASK


@contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO]:
    """A file to write ``path`` through: a temporary file beside it, renamed over it on success.

    A crash or an exception inside the block leaves the old file (or none) and no temporary.
    ``mode`` is "wb" or "w" (text, UTF-8, ``\n`` line ends).
    """
    target = Path(path)
    tmp: str | None = None
    try:
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        text = "b" not in mode
        encoding, newline = ("utf-8", "\n") if text else (None, None)
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
        # mkstemp makes the file private (0600); give it the mode a normally created file
        # gets, so colleagues can read packets on a shared folder.
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(
            f"Could not write {target}: {exc.strerror or exc}. "
            "Check that the folder exists, is writable and the file is not open in another program."
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A new folder filled in one go: write into the hidden folder this yields, which is renamed
    to ``path`` when the block ends without error, and removed otherwise.

    ``path`` must not exist yet. Files inside can be written plainly: a crash leaves only the
    hidden ``.NAME.partial`` folder (removed by the next call for the same ``path``), never a
    half-filled ``path``; and one rename replaces one per file, which on some disks is most of
    the cost of writing small files.
    """
    target = Path(path)
    staging = target.with_name(f".{target.name}.partial")
    try:
        if staging.exists():  # left by a run that crashed
            shutil.rmtree(staging)
        staging.mkdir(mode=_DIR_MODE)
    except OSError as exc:
        raise OutputError(
            f"Could not write in {target.parent}: {exc.strerror or exc}. "
            "Check that the folder exists and is writable."
        ) from exc
    try:
        yield staging
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"Could not write {target}: {exc.strerror or exc}. "
            "Check that the folder is writable and that no other program is writing there."
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one."""
    with atomic_writer(path) as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def is_office_lock_file(name: str) -> bool:
    """Whether a file name is an Office (``~$...``) or LibreOffice (``.~lock...#``) lock file."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def office_lock_file(path: str | os.PathLike[str]) -> Path | None:
    """The ``~$`` lock file Word/Excel keep beside a document that is open, if there is one."""
    target = Path(path)
    candidates = [target.with_name("~$" + target.name)]
    # Office shortens long names: "~$" replaces the first two characters.
    if len(target.name) > 2:
        candidates.append(target.with_name("~$" + target.name[2:]))
    candidates.append(target.with_name(".~lock." + target.name + "#"))  # LibreOffice
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return None
