"""The program summary as one HTML page, its charts drawn as SVG (no chart library).

``summary_html(summary)`` keeps each chart as inline ``<svg>``, which every browser shows and
prints; ``summary_html(summary, images=True)`` puts the same SVG in ``<img>`` data URIs, which
is what LibreOffice draws when it turns the page into a PDF (it leaves inline SVG out).
Every text is escaped: a pair's name or a form's title is shown, never taken for markup.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from mentordocs.report.summary import ProgramSummary

__all__ = ["ATTENTION_SHOWN", "bar_chart", "summary_html"]

#: Pairs listed on the page, and reasons shown per pair, so that it stays one page (the rest
#: are counted; the Summary sheet of summary.xlsx lists every pair with every reason).
ATTENTION_SHOWN = 12
REASONS_SHOWN = 3

BLUE, RED, GREY, GREEN, AMBER = "#2E75B6", "#C00000", "#A6A6A6", "#548235", "#BF8F00"
#: The colour of each goal status in the charts (any other: blue).
STATUS_COLOURS = {
    "On track": GREEN,
    "Done": GREEN,
    "Achieved": GREEN,
    "Partly achieved": AMBER,
    "At risk": RED,
    "Not achieved": RED,
    "Changed": BLUE,
    "Dropped": GREY,
    "Not given": GREY,
}

_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 9pt;
       color: #222; margin: 0; }
h1 { font-size: 15pt; color: #1F4E78; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; color: #1F4E78; margin: 8pt 0 3pt 0; }
p.note { color: #595959; margin: 0 0 4pt 0; }
table { border-collapse: collapse; margin: 2pt 0; }
th, td { border-bottom: 1px solid #BFBFBF; padding: 1pt 5pt; text-align: left;
         vertical-align: top; font-size: 8.5pt; }
th { background: #1F4E78; color: #FFFFFF; }
td.n, th.n { text-align: right; }
.charts td { border: none; padding: 0 8pt 0 0; }
"""


def summary_html(summary: ProgramSummary, *, images: bool = False) -> str:
    """The summary as a standalone HTML page (UTF-8, no outside file, no script)."""
    program = summary.program or "Mentoring program"
    when = f"collected {summary.collected_at:%d %B %Y at %H:%M}; " if summary.collected_at else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(program)}: program summary</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(program)}: program summary</h1>",
        f'<p class="note">From the tracking workbook, {escape(when)}'
        f"{summary.active_pairs} active pairs. Counts only: no answer from a form is in this "
        "summary, confidential or not.</p>",
        "<h2>Returns per stage</h2>",
        _chart(_returns_chart(summary), images),
        _returns_table(summary),
    ]
    if summary.goals:
        parts.append("<h2>Goals by status</h2>")
        charts = [
            _chart(
                bar_chart(
                    f"{goals.title} ({goals.total})",
                    [
                        (status, [(n, STATUS_COLOURS.get(status, BLUE))])
                        for status, n in goals.counts
                    ],
                    [],
                    width=330,
                    label_width=110,
                ),
                images,
            )
            for goals in summary.goals
        ]
        parts.append('<table class="charts"><tr>' + "".join(f"<td>{c}</td>" for c in charts))
        parts.append("</tr></table>")
    parts.append(_attention(summary))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _returns_chart(summary: ProgramSummary) -> str:
    rows = []
    for stage in summary.stages:
        for form in stage.forms:
            label = form.title if len(summary.stages) == 1 else f"{stage.title}: {form.title}"
            rows.append(
                (label, [(form.returned, BLUE), (form.missing, RED), (form.not_sent, GREY)])
            )
    legend = [("Returned", BLUE), ("Missing", RED), ("Not sent yet", GREY)]
    return bar_chart("Forms per pair", rows, legend)


def _returns_table(summary: ProgramSummary) -> str:
    head = ["Stage", "Form", "Returned", "Complete", "Signed", "Missing", "Not sent yet"]
    out = ["<table><tr>" + "".join(_th(h, i > 1) for i, h in enumerate(head)) + "</tr>"]
    for stage in summary.stages:
        for form in stage.forms:
            cells = [stage.title, form.title]
            numbers = [form.returned, form.complete, form.signed, form.missing, form.not_sent]
            out.append(
                "<tr>"
                + "".join(f"<td>{escape(c)}</td>" for c in cells)
                + "".join(f'<td class="n">{n}</td>' for n in numbers)
                + "</tr>"
            )
    out.append("</table>")
    return "".join(out)


def _attention(summary: ProgramSummary) -> str:
    pairs = summary.attention
    out = [f"<h2>Pairs that need attention ({len(pairs)})</h2>"]
    if not pairs:
        out.append(
            '<p class="note">None: every active pair has returned every form sent to it, '
            "complete and signed, and no goal is at risk.</p>"
        )
        return "".join(out)
    out.append(
        "<table><tr>"
        + "".join(_th(h) for h in ("Pair", "Mentor", "Mentee", "What needs attention"))
        + "</tr>"
    )
    for pair in pairs[:ATTENTION_SHOWN]:
        reasons = "; ".join(pair.reasons[:REASONS_SHOWN])
        if len(pair.reasons) > REASONS_SHOWN:
            reasons += f"; and {len(pair.reasons) - REASONS_SHOWN} more"
        cells = [pair.pair_id, pair.mentor, pair.mentee, reasons]
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    if len(pairs) > ATTENTION_SHOWN:
        out.append(
            f'<p class="note">... and {len(pairs) - ATTENTION_SHOWN} more pairs: the Summary '
            "sheet of summary.xlsx lists every one.</p>"
        )
    return "".join(out)


def _th(text: str, number: bool = False) -> str:
    return f'<th class="n">{escape(text)}</th>' if number else f"<th>{escape(text)}</th>"


def _chart(svg: str, images: bool) -> str:
    if not images:
        return svg
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    width, height = _size(svg)
    return (
        f'<img src="data:image/svg+xml;base64,{data}" width="{width}" height="{height}" '
        'alt="chart">'
    )


def _size(svg: str) -> tuple[str, str]:
    head = svg[: svg.index(">")]
    width = head.split('width="', 1)[1].split('"', 1)[0]
    height = head.split('height="', 1)[1].split('"', 1)[0]
    return width, height


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[int, str]]]],
    legend: Sequence[tuple[str, str]],
    *,
    width: int = 680,
    label_width: int = 220,
) -> str:
    """A horizontal bar chart as SVG: one bar per row, its segments (value, colour) stacked,
    each segment's value written in it; ``legend`` names the colours."""
    bar_height, gap, top = 14, 6, 22
    scale_max = max([sum(v for v, _ in segments) for _, segments in rows] + [1])
    area = width - label_width - 30
    height = top + len(rows) * (bar_height + gap) + (22 if legend else 4)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Sans, Arial, sans-serif" '
        f'font-size="10" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="13" font-size="11" font-weight="bold" fill="#1F4E78">{escape(title)}</text>',
    ]
    for index, (label, segments) in enumerate(rows):
        y = top + index * (bar_height + gap)
        shown = label if len(label) <= 38 else label[:37] + "\u2026"
        out.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 3}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        x = float(label_width)
        for value, colour in segments:
            if value <= 0:
                continue
            length = area * value / scale_max
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{colour}"/>'
            )
            if length >= 14 and len(segments) > 1:  # a single bar's value follows it
                out.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + bar_height - 3}" '
                    f'text-anchor="middle" fill="#FFFFFF">{value}</text>'
                )
            x += length
        if len(segments) == 1:
            value = segments[0][0]
            out.append(f'<text x="{x + 4:.1f}" y="{y + bar_height - 3}">{value}</text>')
    if legend:
        y = top + len(rows) * (bar_height + gap) + 8
        x = float(label_width)
        for name, colour in legend:
            out.append(f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{colour}"/>')
            out.append(f'<text x="{x + 14:.1f}" y="{y + 9}">{escape(name)}</text>')
            x += 24 + 6 * len(name)
    out.append("</svg>")
    return "".join(out)
