"""LibreOffice (``soffice``) in headless mode: PDF output and re-saving documents.

Each call uses its own throw-away user profile, so several conversions (or a coordinator's open
LibreOffice window) never block each other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mentordocs.errors import OfficeError

_CANDIDATES = (
    "soffice",
    "libreoffice",
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


def find_soffice() -> str | None:
    """Path of LibreOffice's ``soffice``, or None. ``MENTORDOCS_SOFFICE`` overrides the search."""
    override = os.environ.get("MENTORDOCS_SOFFICE")
    if override:
        return override if Path(override).exists() or shutil.which(override) else None
    for candidate in _CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
        if os.path.isabs(candidate) and Path(candidate).exists():
            return candidate
    return None


def convert(
    files: Sequence[str | os.PathLike[str]],
    to: str,
    outdir: str | os.PathLike[str] | None = None,
    timeout: float = 600,
    soffice: str | None = None,
    infilter: str | None = None,
) -> list[Path]:
    """Convert ``files`` with one ``soffice --convert-to`` call per output folder.

    ``to`` is LibreOffice's filter spec, e.g. ``"pdf"`` or ``"docx"``. Without ``outdir`` each
    result is written beside its source. Returns the converted files, in the order given.
    ``soffice`` is the LibreOffice to use (default: ``find_soffice()``); ``infilter`` the
    import filter, where LibreOffice's own guess is not the one wanted (e.g. ``"HTML
    (StarWriter)"``: an HTML page opened in Writer, not Writer/Web, which prints blank).
    Raises OfficeError when LibreOffice is missing or a file did not convert.
    """
    soffice = soffice or find_soffice()
    if soffice is None:
        raise OfficeError(
            "LibreOffice is needed for this but was not found. Install it "
            "(https://www.libreoffice.org, or 'apt-get install libreoffice-writer-nogui' on "
            "Debian/Ubuntu), or set MENTORDOCS_SOFFICE to the full path of soffice."
        )
    extension = to.split(":", 1)[0]
    groups: dict[Path, list[Path]] = {}
    for name in files:
        source = Path(name).resolve()
        target_dir = Path(outdir).resolve() if outdir else source.parent
        groups.setdefault(target_dir, []).append(source)
    results: dict[Path, Path] = {}
    for target_dir, sources in groups.items():
        target_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="mentordocs-lo-") as profile:
            command = [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                to,
                "--outdir",
                str(target_dir),
                *[str(s) for s in sources],
            ]
            try:
                completed = subprocess.run(
                    command, capture_output=True, text=True, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired as exc:
                raise OfficeError(
                    f"LibreOffice did not finish converting {len(sources)} file(s) within "
                    f"{timeout:.0f} seconds. Close any LibreOffice window and try again."
                ) from exc
        for source in sources:
            result = target_dir / (source.stem + "." + extension)
            if not result.exists():
                detail = (completed.stderr or completed.stdout).strip()[-500:]
                raise OfficeError(
                    f"LibreOffice could not convert {source.name} to {extension}"
                    + (f": {detail}" if detail else ".")
                    + " Open the file in LibreOffice to see whether it is damaged."
                )
            results[source] = result
    return [results[Path(name).resolve()] for name in files]
