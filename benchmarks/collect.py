"""Benchmark: how fast `mentordocs collect` reads returned forms, against python-docx.

    python benchmarks/collect.py                  # 1,000 pairs = 4,000 filled forms
    python benchmarks/collect.py --pairs 250 --sample 100
    python benchmarks/collect.py --keep /tmp/bench   # keep the forms; re-runs skip step 1-2

What it does:
1. Builds a roster of N pairs (the sample roster's pairs repeated with new ids, the same
   way benchmarks/generate.py does) and generates every pair's packet (4 forms each).
2. Fills every field of every form as a person would (text, ticks, dates, drop-down choices;
   the placeholder marker removed), each form with its own values, into a "returned" folder.
3. Runs ``collect_forms`` end to end on that folder: find the files, read and check each
   one, match its fields, write the tracking workbook (every sheet) atomically. Forms per
   second = forms / wall time of the whole run.
4. In the same run, reads a sample of the same files (at least 100) with
   ``collect.read_form`` and with python-docx's ``Document()`` (which only opens the file;
   it cannot even see content controls), and prints forms per second for both and the ratio.
   Each timing runs in a fresh process (one reader, one process, nothing cached from
   earlier), the two alternating for ``--rounds`` rounds; the medians are compared. A fresh
   process each because a process that has just freed python-docx's (or a collect's) many
   objects runs everything after it several times slower, whichever reader comes second.
   A third reader shows the floor under read_form: unzip the main part and parse it with
   the hardened lxml parser, nothing more (no relationships, properties or fields read).

A script, not a test: the figures depend on the machine. Nothing is written outside a
temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from lxml import etree  # noqa: E402

from mentordocs.collect import collect_forms, read_form  # noqa: E402
from mentordocs.forms import load_form_specs  # noqa: E402
from mentordocs.generate.packets import generate_packets  # noqa: E402
from mentordocs.ooxml.fields import set_field_values  # noqa: E402
from mentordocs.ooxml.xml import parse_xml  # noqa: E402
from mentordocs.roster import load_roster  # noqa: E402

FILLABLE = ("word/document.xml", "word/header", "word/footer")


def build_roster(pairs: int, folder: Path) -> Path:
    from generate import build_roster_workbook  # benchmarks/generate.py

    return build_roster_workbook(pairs, folder / "roster.xlsx")


def planned_values(reading, spec) -> dict[str, object]:
    values: dict[str, object] = {}
    for index, field in enumerate(f for f in reading.fields if f.id):
        declared = spec.match(field.id)
        kind = declared.kind if declared else field.kind
        if kind == "checkbox":
            values[field.id] = index % 3 != 0
        elif kind == "date":
            values[field.id] = f"2026-{9 + index % 4:02d}-{1 + index % 28:02d}"
        elif kind == "dropdown":
            choices = declared.choices if declared else ()
            values[field.id] = choices[index % len(choices)] if choices else ""
        else:
            values[field.id] = f"{reading.pair_id} wrote this for {field.id} & <more>\nline 2"
    return values


def fill_one(job: tuple[str, str]) -> None:
    source, target = job
    specs = load_form_specs()
    data = Path(source).read_bytes()
    reading = read_form(data, name=Path(source).name)
    values = planned_values(reading, specs[reading.form])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename.startswith(FILLABLE) and info.filename.endswith(".xml"):
                root = parse_xml(payload)
                if set_field_values(root, values):
                    payload = etree.tostring(
                        root, xml_declaration=True, encoding="UTF-8", standalone=True
                    )
            dst.writestr(info, payload)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_bytes(out.getvalue())


def time_reader(reader: str, warm_up: str, paths: list[str]) -> float:
    """Seconds to open every file in ``paths`` with one reader (run in a fresh process)."""
    if reader == "read_form":

        def read(path: str) -> object:
            return read_form(path)

    elif reader == "lxml parse only":
        from mentordocs.ooxml.xml import parse_xml

        def read(path: str) -> object:
            with zipfile.ZipFile(path) as package:
                return parse_xml(package.read("word/document.xml"))

    else:
        from docx import Document

        def read(path: str) -> object:
            return Document(path)

    read(warm_up)
    gc.collect()
    started = time.perf_counter()
    for path in paths:
        read(path)
    return time.perf_counter() - started


def _rates(runs: list[float]) -> str:
    return ", ".join(f"{r:,.0f}" for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=int, default=1000, help="pairs (4 forms each)")
    parser.add_argument("--sample", type=int, default=200, help="forms read with python-docx")
    parser.add_argument(
        "--keep",
        type=Path,
        help="prepare the filled forms in this folder and keep them; a second run reuses them",
    )
    parser.add_argument("--jobs", type=int, default=0, help="reading processes (0: one per CPU)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh-process timings of each reader (median)"
    )
    args = parser.parse_args()
    sample_size = max(100, args.sample)

    with tempfile.TemporaryDirectory(prefix="mentordocs-bench-collect-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        packets, returned = base / "packets", base / "returned"
        if (base / "roster.xlsx").exists() and returned.is_dir():
            print(f"Reusing the filled forms in {base}")
            roster = load_roster(base / "roster.xlsx")
        else:
            print(f"Preparing {args.pairs} pairs ({args.pairs * 4} forms) in {base} ...")
            roster = load_roster(build_roster(args.pairs, base))
            generate_packets(roster, packets, jobs=0)
            sources = sorted(packets.rglob("*.docx"))
            jobs = [(str(s), str(returned / s.relative_to(packets))) for s in sources]
            started = time.perf_counter()
            with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(fill_one, jobs, chunksize=50))
            print(f"  filled {len(jobs)} forms in {time.perf_counter() - started:.1f} s (setup)")
        files = sorted(returned.rglob("*.docx"))
        for old in (base / "tracking.xlsx", base / "tracking.xlsx.bak"):
            old.unlink(missing_ok=True)

        # 1. The whole collect, workbook written.
        workers = args.jobs or os.cpu_count() or 1
        gc.collect()
        tracking = base / "tracking.xlsx"
        started = time.perf_counter()
        result = collect_forms([returned], tracking, roster, packets_dir=packets, jobs=args.jobs)
        collect_seconds = time.perf_counter() - started
        assert result.new == len(files), (result.new, len(files), result.problems[:3])
        collect_rate = len(files) / collect_seconds

        # 1b. The same again into the same workbook: every file is already in it.
        gc.collect()
        started = time.perf_counter()
        again = collect_forms([returned], tracking, roster, packets_dir=packets, jobs=args.jobs)
        again_seconds = time.perf_counter() - started
        assert again.unchanged == len(files) and again.new == 0

        # 2. Per-form reading on a sample: read_form vs python-docx Document(), each in a
        # fresh process, alternating. A random sample (fixed seed), so the four forms are
        # mixed as in the whole run; one other file warms each reader up (imports).
        picked = random.Random(4).sample(files, min(sample_size + 1, len(files)))
        warm_up, sample = str(picked[0]), [str(p) for p in picked[1:]]
        ours_runs: list[float] = []
        theirs_runs: list[float] = []
        floor_runs: list[float] = []
        spawn = multiprocessing.get_context("spawn")
        for _ in range(max(1, args.rounds)):
            for reader, runs in (
                ("read_form", ours_runs),
                ("python-docx", theirs_runs),
                ("lxml parse only", floor_runs),
            ):
                with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
                    seconds = pool.submit(time_reader, reader, warm_up, sample).result()
                runs.append(len(sample) / seconds)
        ours, theirs = statistics.median(ours_runs), statistics.median(theirs_runs)
        floor = statistics.median(floor_runs)
        ratios = [a / b for a, b in zip(ours_runs, theirs_runs, strict=True)]

        size = tracking.stat().st_size / 1e6
        print()
        print(f"Forms collected:                      {len(files)} ({workers} reading processes)")
        print(
            f"collect_forms, end to end:            {collect_seconds:.2f} s = "
            f"{collect_rate:,.0f} forms/s (workbook {size:.1f} MB written)"
        )
        print(
            f"collect again, nothing new:           {again_seconds:.2f} s "
            "(workbook read back, every file recognised by checksum, workbook rewritten)"
        )
        rounds = len(ours_runs)
        print(
            f"read_form, sample of {len(sample)}:            {ours:,.0f} forms/s "
            f"(median of {rounds} fresh processes: {_rates(ours_runs)})"
        )
        print(
            f"python-docx Document(), same sample:  {theirs:,.0f} forms/s "
            f"(median of {rounds}: {_rates(theirs_runs)})"
        )
        print(
            f"read_form / python-docx:              {ours / theirs:.1f}x (guard rail >= 10x: "
            f"{'met' if ours >= 10 * theirs else 'NOT met'}; "
            f"per round {', '.join(f'{r:.1f}x' for r in ratios)})"
        )
        print(
            f"lxml parse only (unzip + parse):      {floor:,.0f} forms/s "
            f"= {floor / theirs:.1f}x python-docx (the floor under read_form: "
            f"read_form takes {floor / ours:.1f}x its time)"
        )


if __name__ == "__main__":
    main()
