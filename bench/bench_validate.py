"""Benchmark: wall time of `zenodo-action validate` on a realistic file, next to `python -c pass`.

Not a test. Run it from the repository root with the project's virtualenv:

    .venv/bin/python bench/bench_validate.py [--runs 30] [--config examples/software/.zenodo.yml]

Each round runs every command once, in turn, so all of them see the same machine load.
Medians are printed with the ratio to a bare interpreter start, and the machine is described.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py (a script's folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "examples" / "software" / ".zenodo.yml"


def validate_command(config: Path) -> list[str]:
    script = Path(sys.executable).parent / "zenodo-action"
    if not script.exists():
        script = Path(shutil.which("zenodo-action") or "")
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "zenodo_action"]
    return [*base, "validate", "--config", str(config)]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    args = parser.parse_args()

    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import jsonschema'": [sys.executable, "-c", "import jsonschema"],
        "zenodo-action validate": validate_command(args.config),
    }
    for command in commands.values():  # warm the page cache and .pyc files
        wall_time(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(wall_time(command))

    size = args.config.stat().st_size
    print(machine.describe())
    print(f"file:    {args.config} ({size} bytes), {args.runs} runs each, medians:")
    baseline = statistics.median(samples["python -c pass"])
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"  {name:<32} {median * 1000:7.1f} ms  ({median / baseline:4.1f}x python -c pass)")


if __name__ == "__main__":
    main()
