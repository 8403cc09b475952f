"""Benchmark: finding the badge markers in a README, on adversarial shapes of 50 KB and 1 MB.

Not a test. Run it from the repository root with the project's virtualenv:

    .venv/bin/python bench/bench_readme.py [--runs 5] [--timeout 60] [--compare-with DIR]

`--compare-with DIR` times an older checkout's `zenodo_action/edits.py` as well (e.g. the
state before the README scan followed CommonMark in linear time), in the same rounds: each
round runs this checkout and the older one in turn, each in a fresh process that reads the
README, then times `readme_markers` alone (what writeback.check_targets and the write-back
both run), as the CPU time of that process (on a shared machine, wall time also counts the others).
A run past --timeout is stopped and shown as "> timeout". Medians, and their ratio.
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
    }


PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from zenodo_action import edits
text = open(sys.argv[2], encoding="utf-8").read()
start = time.process_time()  # CPU time: the machine is shared, wall time wanders
edits.readme_markers(text)
print(time.process_time() - start)
"""


def timed(checkout: Path, readme: Path, timeout: float) -> float | None:
    """Seconds `readme_markers` took in `checkout`; None when stopped at the timeout."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(checkout), str(readme)],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--compare-with", type=Path, metavar="DIR", help="an older checkout")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT}
    if args.compare_with:
        checkouts["before"] = args.compare_with.resolve()

    print(machine.describe())
    header = " | ".join(checkouts)
    print(f"\n| shape | size | {header} |" + (" ratio |" if len(checkouts) == 2 else ""))
    print("|---|---:|" + "---:|" * (len(checkouts) + (len(checkouts) == 2)))
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            for name, text in shapes(size).items():
                readme = Path(folder) / "README.md"
                readme.write_text(text, encoding="utf-8")
                samples: dict[str, list[float | None]] = {label: [] for label in checkouts}
                for _ in range(args.runs):  # A and B take turns in every round
                    for label, checkout in checkouts.items():
                        if None in samples[label]:
                            continue  # once stopped at the timeout, not again
                        samples[label].append(timed(checkout, readme, args.timeout))
                cells = [show(samples[label], args.timeout) for label in checkouts]
                ratio = ""
                if len(checkouts) == 2:
                    ours, theirs = (samples[label] for label in checkouts)
                    if None not in ours and None not in theirs:
                        times = statistics.median(theirs) / statistics.median(ours)  # type: ignore[arg-type]
                        ratio = f" {times:.2g}x |" if times < 10 else f" {times:.0f}x |"
                    else:
                        ratio = " - |"
                print(f"| {name} | {len(text) // 1000} KB | {' | '.join(cells)} |{ratio}")
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
