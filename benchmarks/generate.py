"""Benchmark: how fast `mentordocs generate` makes packets, against the obvious docxtpl loop.

    python benchmarks/generate.py                 # 1,000 pairs, jobs 1 and 2
    python benchmarks/generate.py --pairs 200 --jobs 2
    python benchmarks/generate.py --memory        # also peak memory, 1,000 vs 10,000 pairs

What it does:
1. Writes a roster workbook of N pairs (the sample roster's pairs, repeated with new ids and
   e-mail addresses; meetings worked out from each pair's day and frequency) with openpyxl and
   reads it with ``load_roster``, as a coordinator's run would.
2. Runs ``generate_packets`` end to end into a fresh temporary folder: compile the templates,
   check them, render, write every .docx and .ics atomically, write the manifest. Documents per
   second counts the .docx forms (N x 4); the N .ics files are written too, for free. Each
   --jobs value runs --rounds times (3), each into a new folder, and the median counts: the
   speed of creating files on a virtual disk swings (a probe before the rounds prints it).
3. Times the naive loop ``DocxTemplate(path).render(ctx, autoescape=True); doc.save(file)`` on
   the same templates and contexts for a sample of documents (at least 100), and prints the ratio.
4. With --memory: in a fresh process each, loads a roster of 1,000 and 10,000 pairs with the
   plain and the fast roster reader (MENTORDOCS_ROSTER_READER) and prints what the fast one
   buys; then, in a fresh process each, generates 1,000 and 10,000 pairs and prints the peak
   resident memory of the generation (the roster already loaded) and the ratio between them.

A script, not a test: the figures depend on the machine. Nothing is written outside a temporary
folder.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mentordocs.forms import load_form_specs, stage_forms  # noqa: E402
from mentordocs.generate.context import build_context, program_context  # noqa: E402
from mentordocs.generate.packets import generate_packets  # noqa: E402
from mentordocs.roster import load_roster  # noqa: E402

SAMPLE = REPO / "samples" / "roster.xlsx"
FORM_IDS = stage_forms()  # the packet: the forms "generate" makes by default


def build_roster_workbook(pairs: int, path: Path) -> Path:
    """The sample roster with its Pairs (and their Goals) repeated to ``pairs`` rows."""
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book["Pairs"]
    header = [cell.value for cell in sheet[1]]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    status = header.index("Status")
    id_col = header.index("Pair ID")
    email_cols = [i for i, name in enumerate(header) if name and "email" in str(name).lower()]
    goals_sheet = book["Goals"]
    goals_by_pair: dict[str, list[list]] = {}
    for row in goals_sheet.iter_rows(min_row=2, values_only=True):
        if row[0]:
            goals_by_pair.setdefault(row[0], []).append(list(row))

    commitments = book["Commitments"]
    pair_commitments: dict[str, list[list]] = {}
    program_wide = []
    for row in commitments.iter_rows(min_row=2, values_only=True):
        if row[0]:
            pair_commitments.setdefault(row[0], []).append(list(row))
        elif any(row):
            program_wide.append(list(row))

    sheet.delete_rows(2, sheet.max_row)
    goals_sheet.delete_rows(2, goals_sheet.max_row)
    commitments.delete_rows(2, commitments.max_row)
    for row in program_wide:
        commitments.append(row)
    meetings = book["Meetings"]
    meetings.delete_rows(2, meetings.max_row)  # every pair's meetings come from day + frequency
    for number in range(1, pairs + 1):
        source = rows[(number - 1) % len(rows)]
        row = list(source)
        pair_id = f"B{number:05d}"
        row[id_col] = pair_id
        row[status] = "Active"
        for col in email_cols:
            if row[col]:
                local, _, domain = str(row[col]).partition("@")
                row[col] = f"{local}.{number}@{domain}"
        sheet.append(row)
        for goal in goals_by_pair.get(source[id_col], []):
            goals_sheet.append([pair_id, *goal[1:]])
        for commitment in pair_commitments.get(source[id_col], []):
            commitments.append([pair_id, *commitment[1:]])
    book.save(path)
    return path


def load_big_roster(pairs: int, folder: Path):
    started = time.perf_counter()
    path = build_roster_workbook(pairs, folder / f"roster-{pairs}.xlsx")
    built = time.perf_counter()
    roster = load_roster(path)
    loaded = time.perf_counter()
    return roster, built - started, loaded - built


def naive_rate(roster, sample_pairs: int, folder: Path) -> tuple[int, float]:
    """Documents per second of DocxTemplate(path).render(ctx); save() on the same data."""
    from docxtpl import DocxTemplate

    specs = load_form_specs(stage="start")
    program = program_context(roster.program)
    contexts = [build_context(roster, pair, program) for pair in roster.pairs[:sample_pairs]]
    out = folder / "naive"
    out.mkdir()
    started = time.perf_counter()
    count = 0
    for number, context in enumerate(contexts):
        for form in FORM_IDS:
            doc = DocxTemplate(specs[form].template_path)
            doc.render(context, autoescape=True)
            doc.save(out / f"{number}_{form}.docx")
            count += 1
    return count, time.perf_counter() - started


def render_rate(roster) -> tuple[int, float]:
    """Documents per second of CompiledTemplate.render alone: in memory, one process, no files."""
    from mentordocs.generate.render import CompiledTemplate

    specs = load_form_specs(stage="start")
    templates = {
        form: CompiledTemplate.load(spec.template_path, version=spec.version)
        for form, spec in specs.items()
    }
    program = program_context(roster.program)
    started = time.perf_counter()
    count = 0
    for pair in roster.pairs:
        context = build_context(roster, pair, program)
        for form, template in templates.items():
            template.render(context, {"mentordocs.form": form})
            count += 1
    return count, time.perf_counter() - started


def pack_rates(roster, pairs: int = 50) -> tuple[int, float, float]:
    """Packing alone, the plain way (zipfile) and the fast way (fastzip), on the same parts:
    every form of the first ``pairs`` pairs, rendered once beforehand."""
    import io
    import zipfile

    from mentordocs.generate.packaging import StaticParts, pack_plain
    from mentordocs.generate.render import CompiledTemplate

    program = program_context(roster.program)
    jobs: list[tuple[StaticParts, list[tuple[str, bytes]]]] = []
    for spec in load_form_specs(stage="start").values():
        template = CompiledTemplate.load(spec.template_path)
        data = template.render(build_context(roster, roster.pairs[0], program))
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = [(i.filename, package.read(i)) for i in package.infolist()]
        rendered_names = set(template.parts) | {"docProps/custom.xml"}
        static = StaticParts([p for p in parts if p[0] not in rendered_names])
        for pair in roster.pairs[:pairs]:
            data = template.render(build_context(roster, pair, program))
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                rendered = [(n, package.read(n)) for n in package.namelist() if n in rendered_names]
            jobs.append((static, rendered))
    started = time.perf_counter()
    for static, rendered in jobs:
        pack_plain([*static.parts, *rendered])
    plain = time.perf_counter() - started
    started = time.perf_counter()
    for static, rendered in jobs:
        static.pack(rendered)
    fast = time.perf_counter() - started
    return len(jobs), plain, fast


def generate_rate(roster, jobs: int, folder: Path, run: int = 1) -> tuple[int, float, int]:
    out = folder / f"packets-jobs{jobs}-{run}"
    started = time.perf_counter()
    result = generate_packets(roster, out, jobs=jobs)
    elapsed = time.perf_counter() - started
    docs = sum(1 for rel in result.written if rel.endswith(".docx"))
    others = len(result.written) - docs
    return docs, elapsed, others


def file_creation_ms(folder: Path, count: int = 200) -> float:
    """Milliseconds to create and write one 50 KB file here, on a probe of ``count`` files.

    On this kind of virtual disk it swings between about 0.05 and 1 ms: for some seconds after
    a large folder is deleted (by an earlier run, say), every new file waits. Printed so that a
    slow round can be told from a slow program.
    """
    probe = folder / f"probe-{time.monotonic_ns()}"
    probe.mkdir()
    data = b"x" * 50_000
    started = time.perf_counter()
    for number in range(count):
        (probe / f"{number}.bin").write_bytes(data)
    return (time.perf_counter() - started) / count * 1000


# ---- memory (each size in a fresh process) ------------------------------------------------------


def _status_kib(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _descendants(root: int) -> list[int]:
    """Process ids below ``root`` (workers are children of the forkserver, not of us)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


class _WorkerPeak(threading.Thread):
    """Samples the peak RSS (VmHWM) of every worker process while generation runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.running = True

    def run(self) -> None:
        while self.running:
            for pid in _descendants(os.getpid()):
                try:
                    text = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
                if found:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), int(found.group(1)))
            time.sleep(0.1)


def memory_child(pairs: int, jobs: int) -> dict:
    """Runs in its own process: load the roster, then generate; peak memory of the generation."""
    with tempfile.TemporaryDirectory(prefix="mentordocs-bench-") as scratch:
        folder = Path(scratch)
        roster, _, _ = load_big_roster(pairs, folder)
        gc.collect()
        before = _status_kib("VmRSS")
        # Reset the kernel's peak-RSS mark so the peak below is the generation's alone.
        can_reset = True
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            can_reset = False
        sampler = _WorkerPeak()
        sampler.start()
        started = time.perf_counter()
        result = generate_packets(roster, folder / "packets", jobs=jobs)
        elapsed = time.perf_counter() - started
        sampler.running = False
        sampler.join()
        peak = _status_kib("VmHWM") if can_reset else 0
        children = max(sampler.peaks.values(), default=0) if jobs > 1 else 0
        return {
            "pairs": pairs,
            "jobs": jobs,
            "files": len(result.written),
            "seconds": elapsed,
            "rss_before_mib": before / 1024,
            "peak_rss_mib": peak / 1024,
            "growth_mib": (peak - before) / 1024,
            "worker_peak_mib": children / 1024,
        }


def load_child(path: Path) -> dict:
    """Runs in its own process: load_roster alone, with the reader MENTORDOCS_ROSTER_READER
    names (the plain one: openpyxl's normal mode; unset: the fast one)."""
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    roster = load_roster(path)
    elapsed = time.perf_counter() - started
    gc.collect()
    return {
        "pairs": len(roster.pairs),
        "seconds": elapsed,
        "rss_before_mib": before / 1024,
        "rss_mib": _status_kib("VmRSS") / 1024,
        "peak_mib": _status_kib("VmHWM") / 1024,
    }


def measure_readers() -> None:
    """What the fast roster reader buys: load_roster with each reader, each in a fresh
    process, on the same workbooks (written beforehand, in this process)."""
    print("\nRoster reading (load_roster alone, each in a fresh process):")
    with tempfile.TemporaryDirectory(prefix="mentordocs-bench-") as scratch:
        for pairs in (1000, 10000):
            path = build_roster_workbook(pairs, Path(scratch) / f"roster-{pairs}.xlsx")
            found = {}
            for reader in ("plain", "fast"):
                env = {**os.environ, "MENTORDOCS_ROSTER_READER": reader}
                command = [sys.executable, __file__, "--load-child", str(path)]
                completed = subprocess.run(
                    command, capture_output=True, text=True, check=True, env=env
                )
                found[reader] = f = json.loads(completed.stdout.strip().splitlines()[-1])
                print(
                    f"  {pairs:>6,} pairs, {reader:<5} reader: {f['seconds']:5.1f} s; RSS "
                    f"{f['rss_before_mib']:.0f} -> {f['rss_mib']:.0f} MiB after loading, "
                    f"peak {f['peak_mib']:.0f} MiB"
                )
            plain, fast = found["plain"], found["fast"]
            print(
                f"  {pairs:>6,} pairs: the fast reader leaves the process "
                f"{plain['rss_mib'] - fast['rss_mib']:.0f} MiB smaller "
                f"({plain['rss_mib'] / fast['rss_mib']:.1f} x), peak "
                f"{plain['peak_mib'] / fast['peak_mib']:.1f} x lower, "
                f"{plain['seconds'] / fast['seconds']:.1f} x faster"
            )


def measure_memory(jobs: int) -> None:
    measure_readers()
    figures = []
    for pairs in (1000, 10000):
        command = [sys.executable, __file__, "--memory-child", str(pairs), "--jobs", str(jobs)]
        command += ["--tmp", tempfile.gettempdir()]
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
        figures.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    print(f"\nMemory (each size in a fresh process, jobs={jobs}, roster loaded before measuring):")
    for f in figures:
        print(
            f"  {f['pairs']:>6,} pairs: {f['files']:>6,} files in {f['seconds']:.1f} s; "
            f"RSS with roster loaded {f['rss_before_mib']:.0f} MiB; peak RSS while generating "
            f"{f['peak_rss_mib']:.0f} MiB (+{f['growth_mib']:.0f} MiB)"
            + (f"; largest worker peak {f['worker_peak_mib']:.0f} MiB" if f["jobs"] > 1 else "")
        )
    small, big = figures
    print(
        f"  peak RSS ratio 10,000 / 1,000 pairs: {big['peak_rss_mib'] / small['peak_rss_mib']:.2f}"
        f" (target <= 2.0); growth while generating: {small['growth_mib']:.0f} -> "
        f"{big['growth_mib']:.0f} MiB"
        + (
            f"; worker peak ratio {big['worker_peak_mib'] / small['worker_peak_mib']:.2f}"
            if small["worker_peak_mib"]
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000, help="pairs in the roster (1000)")
    parser.add_argument(
        "--jobs", type=int, action="append", help="worker processes; repeat (default: 1 and 2)"
    )
    parser.add_argument("--naive-pairs", type=int, default=25, help="pairs for the naive loop")
    parser.add_argument(
        "--rounds", type=int, default=3, help="end-to-end runs per --jobs value; the median counts"
    )
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument(
        "--tmp",
        help="folder for the temporary files (default: the system's temp folder); file "
        "creation speed differs a lot between file systems",
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    jobs_list = args.jobs or [1, 2]
    if args.tmp:
        Path(args.tmp).mkdir(parents=True, exist_ok=True)
        tempfile.tempdir = args.tmp

    if args.load_child:
        print(json.dumps(load_child(args.load_child)))
        return
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, jobs_list[-1])))
        return

    print(f"mentordocs generate benchmark: {args.pairs:,} pairs x {len(FORM_IDS)} forms")
    print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    print(f"temporary folder: {tempfile.gettempdir()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="mentordocs-bench-") as scratch:
        folder = Path(scratch)
        roster, build_s, load_s = load_big_roster(args.pairs, folder)
        print(
            f"roster: workbook written in {build_s:.1f} s, load_roster {load_s:.1f} s "
            f"({len(roster.pairs):,} pairs, "
            f"{sum(len(p.meetings) for p in roster.pairs):,} meetings)"
        )
        naive_docs, naive_s = naive_rate(roster, args.naive_pairs, folder)
        naive = naive_docs / naive_s
        print(
            f"naive docxtpl loop:   {naive_docs:>6,} docs in {naive_s:6.2f} s = {naive:8.1f} docs/s"
        )
        docs, seconds = render_rate(roster)
        print(
            f"render only (memory): {docs:>6,} docs in {seconds:6.2f} s = {docs / seconds:8.1f} "
            f"docs/s in one process, no files; {docs / seconds / naive:5.1f} x naive"
        )
        packed, plain_s, fast_s = pack_rates(roster)
        print(
            f"packing alone:        {packed:>6,} docs: zipfile {packed / plain_s:8.1f} docs/s, "
            f"fastzip {packed / fast_s:8.1f} docs/s; fastzip buys {plain_s / fast_s:4.1f} x"
        )
        print(f"disk: creating a 50 KB file takes {file_creation_ms(folder):.2f} ms here now")
        for jobs in jobs_list:
            rates = []
            for run in range(1, args.rounds + 1):
                docs, seconds, others = generate_rate(roster, jobs, folder, run)
                rates.append(docs / seconds)
                print(
                    f"generate_packets --jobs {jobs} (round {run}): {docs:>6,} docs "
                    f"(+{others:,} .ics) in {seconds:6.2f} s = {docs / seconds:8.1f} docs/s"
                )
            rate = statistics.median(rates)
            print(
                f"generate_packets --jobs {jobs}: median of {len(rates)} rounds {rate:8.1f} docs/s "
                f"end to end; {rate / naive:5.1f} x naive (guard rail >= 50 x naive: "
                f"{'met' if rate >= 50 * naive else 'NOT met'})"
            )
    if args.memory:
        measure_memory(jobs_list[-1])


if __name__ == "__main__":
    main()
