"""Benchmark: finding the badge markers in a README, on adversarial shapes of 50 KB and 1 MB.

Not a test. Run it from the repository root with the project's virtualenv:

    .venv/bin/python bench/bench_readme.py [--runs 5] [--timeout 60] [--compare-with DIR]

Two figures per shape, each the CPU time of a fresh process that has read the README (on
a shared machine, wall time also counts the others): **scan**, `readme_markers` once (one
scan of one text); **write-back**, all a run does with that README: the trial edit and its
read-back before the publish (writeback.check_targets), its marker count, then the edit and
read-back after the publish, of the default branch's copy (an equal text, another string).

`--compare-with DIR` times an older checkout as well, in the same rounds: each round runs
this checkout and the older one in turn. A run past --timeout is stopped and shown as
"> timeout", and not run again for that shape. Medians, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import machine  # bench/machine.py (a script's folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
MARKERS = "<!-- zenodo-badge --><!-- /zenodo-badge -->"


def shapes(size: int) -> dict[str, str]:
    """README texts of about `size` characters, each built to hurt one kind of scan."""
    return {name: text + MARKERS + "\n" for name, text in _shapes(size).items()}


def _shapes(size: int) -> dict[str, str]:
    """(Each gets one marker pair at its end, so that the whole scan runs.)"""
    runs, length = [], 1
    while sum(runs) + length + 1 < size:  # backtick runs of lengths that never pair
        runs.append(length)
        length += 1
    return {
        "`<!--` then blanks": "# T\n\n<!--" + " " * size + "\n",
        "many `<!--` that are no marker": "<!-- x -->\n" * (size // 11),
        "many markers": f"Badge: {MARKERS}\n" * (size // (len(MARKERS) + 8)),
        "many code spans": "Use `a` and `b`.\n" * (size // 17),
        "markers among code spans": f"`x` {MARKERS} `y`\n" * (size // (len(MARKERS) + 10)),
        "backtick runs that never pair": "a " + " ".join("`" * n for n in runs) + "\n",
        "fences and lists": (
            f"- item\n\n  ```md\n  {MARKERS}\n  ```\n\n> quote `{MARKERS}`\n\n" * (size // 90)
        ),
        "one line per character": "\n" * size,
        "spans of 40 runs each": ("`" + " ``" * 40 + " `\n") * (size // 125),
        "a backtick that never closes, then spans": "``" + "Use `a` and `b`.\n" * (size // 17),
        "escaped backticks": "\\`a` `b` \\\\`c`\n" * (size // 16),
        "a list, an item a line": "- [name](https://example.org) `x`\n" * (size // 35),
        "lists in quotes": "> - a\n>   - b `x`\n>\n" * (size // 20),
        # nesting: the depth of open block quotes and list items must not multiply the work
        "items nested on one line": "- " * (size // 2) + "x\n",
        "nested items, then blank lines": "- " * (size // 4) + "x\n" + " \n" * (size // 4),
        "a quote of nested items, then quote lines": (
            "> " + "- " * (size // 4) + "x\n" + ">\n" * (size // 4)
        ),
        "quotes and items nested on one line": "> - " * (size // 4) + "x\n",
        "lines of items 500 deep": ("- " * 500 + "x\n") * (size // 1002),
        "lines of quotes 700 deep": ("> " * 700 + "x\n") * (size // 1402),
        "a list nesting down to 700 levels": _staircase(size),
        "lazy lines in a quote": "> a\n" + "b\n" * (size // 2),
        "setext underlines and thematic breaks": "a\n---\n***\n" * (size // 10),
        "ordered items": "".join(f"{n}. x\n" for n in range(size // 9)),
        # HTML blocks: each line's end mark looked for once, tags read without backtracking
        "HTML blocks with indented lines": "<div>\n    x\n\n" * (size // 13),
        "an HTML comment that never ends": "<!--\n" + "x -- >\n" * (size // 7),
        "lone tags going on with a paragraph": "a\n" + "<span x='y'>\n" * (size // 13),
        "a tag of many attributes, unclosed": "<a" + " b=c" * (size // 4) + "\n",
    }


def _staircase(size: int) -> str:
    """Items each one level deeper than the one before, down to 700, then again."""
    lines, total, depth = [], 0, 0
    while total < size:
        lines.append("  " * depth + "- x\n")
        total += len(lines[-1])
        depth = (depth + 1) % 700
    return "".join(lines)


PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from zenodo_action import edits, readback
text = open(sys.argv[2], encoding="utf-8").read()
def facts(number):
    doi = f"10.5281/zenodo.{number}"
    badge = f"[![DOI](https://zenodo.org/badge/DOI/{doi}.svg)](https://doi.org/{doi})"
    return edits.DoiFacts(doi, doi, "1.2.0", "2024-05-15", badge)
start = time.process_time()  # CPU time: the machine is shared, wall time wanders
if sys.argv[3] == "scan":
    edits.readme_markers(text)
else:
    readback.edit("readme", text, facts(1), path="README.md")  # check_targets' trial
    edits.readme_markers(text, path="README.md")
    copy = (text + " ")[:-1]  # the default branch's copy, read after the publish
    readback.edit("readme", copy, facts(1234567), path="README.md")
print(time.process_time() - start)
"""


def timed(checkout: Path, readme: Path, what: str, timeout: float) -> float | None:
    """Seconds `what` took in `checkout`; None when stopped at the timeout."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(checkout), str(readme), what],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def show(seconds: list[float | None], timeout: float) -> str:
    if any(s is None for s in seconds):
        return f"> {timeout:.0f} s"
    median = statistics.median(s for s in seconds if s is not None)
    return f"{median * 1000:.1f} ms" if median < 1 else f"{median:.2f} s"


def ratio(ours: list[float | None], theirs: list[float | None]) -> str:
    mine = [seconds for seconds in ours if seconds is not None]
    older = [seconds for seconds in theirs if seconds is not None]
    if len(mine) < len(ours) or len(older) < len(theirs):
        return " - |"  # (one was stopped at the timeout)
    times = statistics.median(older) / statistics.median(mine)
    return f" {times:.2g}x |" if times < 10 else f" {times:.0f}x |"


def measure(
    checkouts: dict[str, Path], readme: Path, runs: int, timeout: float
) -> dict[tuple[str, str], list[float | None]]:
    """(what, checkout) -> seconds of each round; the commands take turns in every round."""
    samples: dict[tuple[str, str], list[float | None]] = {
        (what, label): [] for what in WHAT for label in checkouts
    }
    for _ in range(runs):
        for (what, label), seconds in samples.items():
            if None not in seconds:  # once stopped at the timeout, not again
                seconds.append(timed(checkouts[label], readme, what, timeout))
    return samples


WHAT = ("scan", "write-back")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--compare-with", type=Path, metavar="DIR", help="an older checkout")
    parser.add_argument("--only", nargs="+", metavar="SHAPE", help="these shapes only")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT}
    if args.compare_with:
        checkouts["before"] = args.compare_with.resolve()

    print(machine.describe())
    columns = [f"{what}: {label}" for what in WHAT for label in checkouts]
    if len(checkouts) == 2:
        columns = [columns[0], columns[1], "ratio", columns[2], columns[3], "ratio"]
    print(f"\n| shape | size | {' | '.join(columns)} |")
    print("|---|---:|" + "---:|" * len(columns))
    with tempfile.TemporaryDirectory() as folder:
        readme = Path(folder) / "README.md"
        for size in args.sizes:
            for name, text in shapes(size).items():
                if args.only and name not in args.only:
                    continue
                readme.write_text(text, encoding="utf-8")
                samples = measure(checkouts, readme, args.runs, args.timeout)
                cells = ""
                for what in WHAT:
                    times = [samples[what, label] for label in checkouts]
                    cells += "".join(f" {show(seconds, args.timeout)} |" for seconds in times)
                    cells += ratio(*times) if len(times) == 2 else ""
                print(f"| {name} | {len(text) // 1000} KB |{cells}")
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
