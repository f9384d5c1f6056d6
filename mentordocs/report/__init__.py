"""``mentordocs report``: a one-page program summary for the coordinator's report.

From a tracking workbook (read, never written): returns per stage, goals by status at the
mid-point and at the end, and the pairs that need attention, written as ``summary.xlsx`` (a
Summary sheet with its charts), ``summary.html`` (one page, its charts as inline SVG) and, on
request, ``summary.pdf`` (the page printed by LibreOffice). Only counts, titles, names and
statuses go in: never an answer from a form, so never a confidential one.

- ``summary``: the figures (``build_summary``), as plain dataclasses;
- ``sheet``: the Summary workbook (openpyxl);
- ``html``: the HTML page and its SVG charts;
- this module: ``write_report``, and the PDF through LibreOffice.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mentordocs.errors import OfficeError, OutputError
from mentordocs.forms import FormSpec, load_form_specs
from mentordocs.fsutil import atomic_write_bytes, atomic_write_text, office_lock_file
from mentordocs.generate.office import convert, find_soffice
from mentordocs.report.html import summary_html
from mentordocs.report.sheet import SUMMARY_SHEET, summary_workbook
from mentordocs.report.summary import ProgramSummary, build_summary
from mentordocs.tracking import read_not_sent, read_outstanding, read_tracking

__all__ = [
    "SUMMARY_SHEET",
    "ProgramSummary",
    "ReportError",
    "ReportResult",
    "build_summary",
    "html_to_pdf",
    "read_summary",
    "write_report",
]

#: The files ``write_report`` writes into its folder.
XLSX_NAME, HTML_NAME, PDF_NAME = "summary.xlsx", "summary.html", "summary.pdf"


class ReportError(OutputError):
    "The summary cannot be written where it was asked for."


@dataclass
class ReportResult:
    summary: ProgramSummary
    files: list[Path] = field(default_factory=list)
    # A summary.pdf of an earlier run left beside the new files (no --pdf this time).
    stale_pdf: Path | None = None


def read_summary(
    tracking_path: str | os.PathLike[str], specs: Mapping[str, FormSpec] | None = None
) -> ProgramSummary:
    """The summary of a tracking workbook (``specs``: the forms' declarations, by default
    the shipped ones)."""
    data = read_tracking(tracking_path)
    return build_summary(
        data,
        read_outstanding(tracking_path),
        read_not_sent(tracking_path),
        specs if specs is not None else load_form_specs(),
    )


def write_report(
    tracking_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    specs: Mapping[str, FormSpec] | None = None,
    pdf: bool = False,
    soffice: str | None = None,
) -> ReportResult:
    """Write ``summary.xlsx`` and ``summary.html`` (and ``summary.pdf`` with ``pdf``) into
    ``out_dir`` (made if missing), each atomically: a file is either the new one or the old
    one, never half written. Raises ReportError when a summary file is open in Excel or would
    replace the tracking workbook itself, OfficeError when the PDF cannot be made."""
    tracking = Path(tracking_path)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportError(
            f"{out} is a file; -o takes a folder, where summary.xlsx, summary.html (and "
            "summary.pdf) are written. Give a folder name, e.g. -o report."
        )
    targets = [out / XLSX_NAME, out / HTML_NAME] + ([out / PDF_NAME] if pdf else [])
    for target in targets:
        if target.exists() and target.resolve() == tracking.resolve():
            raise ReportError(
                f"{target} is the tracking workbook itself; the summary never replaces it. "
                "Give another folder with -o."
            )
        lock = office_lock_file(target)
        if lock is not None:
            raise ReportError(
                f"{target} is open in Excel or LibreOffice (found {lock.name} beside it), so "
                "nothing was written. Close it and run the command again."
            )
    summary = read_summary(tracking, specs)
    workbook = summary_workbook(summary)
    page = summary_html(summary)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"Could not make the folder {out} ({exc}). Check the path.") from exc
    result = ReportResult(summary)
    if pdf:  # before anything is written: a missing LibreOffice leaves nothing half done
        soffice = _soffice_for_pdf(soffice)
    atomic_write_bytes(out / XLSX_NAME, workbook)
    atomic_write_text(out / HTML_NAME, page)
    if pdf:  # last: when LibreOffice fails, the page its error sends the reader to is there
        try:
            html_to_pdf(summary_html(summary, images=True), out / PDF_NAME, soffice=soffice)
        except OfficeError as exc:
            stale = (out / PDF_NAME).exists()
            (out / PDF_NAME).unlink(missing_ok=True)  # an earlier run's: its figures are old
            raise OfficeError(
                f"{exc} ({out / XLSX_NAME} and {out / HTML_NAME} were written; {out / PDF_NAME} "
                "was not"
                + (
                    ", and the one of an earlier run was removed: its figures were out of date"
                    if stale
                    else ""
                )
                + ".)"
            ) from exc
    result.files = targets
    if not pdf and (out / PDF_NAME).exists():
        result.stale_pdf = out / PDF_NAME
    return result


def _soffice_for_pdf(soffice: str | None) -> str:
    found = soffice or find_soffice()
    if found is None:
        raise OfficeError(
            "LibreOffice is needed for --pdf but was not found. Install it "
            "(https://www.libreoffice.org, or 'apt-get install libreoffice-writer-nogui' on "
            "Debian/Ubuntu), set MENTORDOCS_SOFFICE to the full path of soffice, or leave out "
            "--pdf and print summary.html from a browser."
        )
    return found


def html_to_pdf(
    page: str,
    target: str | os.PathLike[str],
    *,
    soffice: str | None = None,
    timeout: float = 300,
) -> Path:
    """Print an HTML page to ``target`` as PDF with LibreOffice Writer (its HTML import,
    which draws SVG images: give the charts as <img>, see ``summary_html(images=True)``)."""
    soffice = _soffice_for_pdf(soffice)
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="mentordocs-report-") as work:
        source = Path(work) / "summary.html"
        source.write_text(page, encoding="utf-8")
        try:
            (made,) = convert(
                [source],
                "pdf:writer_pdf_Export",
                Path(work) / "pdf",
                timeout=timeout,
                soffice=soffice,
                infilter="HTML (StarWriter)",  # Writer, not Writer/Web (which prints blank)
            )
        except OfficeError as exc:
            raise OfficeError(
                f"{exc} Open summary.html in a browser and print it to PDF instead."
            ) from exc
        data = made.read_bytes()
    atomic_write_bytes(target, data)
    return target
