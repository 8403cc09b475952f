"""Benchmark: speed and peak memory of `zenodo-action publish` with a big file, next to curl.

Not a test. Run it from the repository root with the project's virtualenv:

    .venv/bin/python bench/bench_upload.py [--sizes 256 1024] [--runs 3] [--tmp DIR]

Each measurement publishes one file of SIZE MiB as a new version of a seeded concept on a
fresh fake Zenodo (tests/fakes/zenodo.py, a real HTTP server on 127.0.0.1, started in this
process). The client runs as a subprocess under GNU time (/usr/bin/time, Debian package
`time`), so its CPU time and peak RSS are its own: the fake keeps every upload in memory, the
client must not. (Not os.wait4's ru_maxrss: a child started from this process inherits this
process's high-water mark until it execs, and this process holds the fake's uploads.)

In the same rounds, two baselines PUT the same file into a draft's bucket on the same kind of
server: `curl -T` and a plain `requests.put(url, data=open(path, "rb"))` in a fresh
interpreter. The publish does more than they do (hashes the file before the upload, hashes
what it sends, creates the new version, sets the metadata, publishes and reads the result
back), so the gap is the price of those steps. The file is read from the page cache: it was
just written. The three commands take turns in every round, so they see the same load.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.fakes

import machine  # noqa: E402 - bench/machine.py (a script's folder is on sys.path)

from tests.fakes.zenodo import FakeZenodo  # noqa: E402

GNU_TIME = "/usr/bin/time"
CONFIG = ROOT / "examples" / "software" / ".zenodo.yml"
MIB = 1024 * 1024
PLAIN_PUT = """
import sys, requests
url, token, path = sys.argv[1:]
with open(path, "rb") as body:
    response = requests.put(url, data=body, headers={"Authorization": f"Bearer {token}"})
response.raise_for_status()
"""


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    max_rss: int  # KiB


def measure(command: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """Run a command to completion: wall time, and CPU time and peak RSS from GNU time."""
    with tempfile.NamedTemporaryFile("r") as usage:
        timed = [GNU_TIME, "--format", "%U %S %M", "--output", usage.name, *command]
        start = time.perf_counter()
        result = subprocess.run(timed, capture_output=True, env=env, cwd=cwd, check=False)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            sys.exit(f"{command[0]} failed ({result.returncode}):\n{output}")
        user, system, max_rss = usage.read().split()[-3:]
    return Sample(wall, float(user) + float(system), int(max_rss))


def make_file(path: Path, size_mib: int) -> None:
    """Incompressible bytes: one random MiB, each copy stamped with its index."""
    block = bytearray(random.Random(size_mib).randbytes(MIB))
    with open(path, "wb") as handle:
        for index in range(size_mib):
            block[:8] = index.to_bytes(8, "little")
            handle.write(block)


def cli() -> list[str]:
    script = Path(sys.executable).parent / "zenodo-action"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "zenodo_action"]


def fresh_fake() -> tuple[FakeZenodo, int]:
    """A running fake with one published version (a small file) to add a version to."""
    fake = FakeZenodo().start()
    concept = fake.seed_concept(versions=[{"version": "0.1"}])
    return fake, concept.concept_id


def draft_bucket(fake: FakeZenodo) -> str:
    response = requests.post(
        f"{fake.api_url}/deposit/depositions",
        json={},
        headers={"Authorization": f"Bearer {fake.token}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["links"]["bucket"]


def publish_once(path: Path, run: int, work: Path) -> Sample:
    fake, concept_id = fresh_fake()
    try:
        env = {**os.environ, "ZENODO_TOKEN": fake.token}
        command = [
            *cli(),
            "publish",
            "--zenodo-url",
            fake.url,
            "--concept",
            str(concept_id),
            "--config",
            str(CONFIG),
            "--files",
            str(path),
            "--version",
            f"bench-{run}",
            "--json",
        ]
        sample = measure(command, env, work)
        versions = fake.published_versions(concept_id)
        if versions[-1]["version"] != f"bench-{run}" or path.name not in versions[-1]["files"]:
            sys.exit(f"publish did not create version bench-{run}: {json.dumps(versions[-1])}")
        return sample
    finally:
        fake.stop()


def baseline_once(kind: str, path: Path, work: Path) -> Sample:
    fake, _ = fresh_fake()
    try:
        url = f"{draft_bucket(fake)}/{path.name}"
        if kind == "curl":
            command = [
                "curl",
                "--silent",
                "--show-error",
                "--fail",
                "--header",
                f"Authorization: Bearer {fake.token}",
                "--header",
                "Expect:",  # no 100-continue round trip, as requests sends none
                "--upload-file",
                str(path),
                url,
            ]
        else:
            command = [sys.executable, "-c", PLAIN_PUT, url, fake.token, str(path)]
        return measure(command, dict(os.environ), work)
    finally:
        fake.stop()


def report(name: str, samples: list[Sample], size: int, baseline: float | None) -> str:
    walls = [s.wall for s in samples]
    wall = statistics.median(walls)
    cpu = statistics.median(s.cpu for s in samples)
    rss = max(s.max_rss for s in samples) / 1024
    ratio = f"  {wall / baseline:4.2f}x curl" if baseline else ""
    return (
        f"  {name:<24} {wall:6.2f} s ({min(walls):.2f}-{max(walls):.2f})"
        f" {size / MIB / wall:5.0f} MiB/s  cpu {cpu:5.2f} s  peak RSS {rss:5.1f} MiB{ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024], metavar="MIB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmp", type=Path, default=None, help="where to write the test files")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed for the baseline (apt-get install curl)")
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"{GNU_TIME} is needed to measure peak memory (apt-get install time)")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    print(machine.describe())
    print(f"{args.runs} runs per size: median wall time (min-max), MiB/s at the median, median CPU")
    print("time of the client process, its largest peak RSS")
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="bench-upload-") as tmp:
        work = Path(tmp)
        for size_mib in args.sizes:
            path = work / f"data-{size_mib}MiB.bin"
            make_file(path, size_mib)
            samples: dict[str, list[Sample]] = {"curl": [], "requests": [], "publish": []}
            for run in range(args.runs):
                samples["curl"].append(baseline_once("curl", path, work))
                samples["requests"].append(baseline_once("requests", path, work))
                samples["publish"].append(publish_once(path, run, work))
            size = path.stat().st_size
            curl = statistics.median(s.wall for s in samples["curl"])
            print(f"file of {size_mib} MiB:")
            print(report("curl -T (PUT only)", samples["curl"], size, None))
            print(report("requests.put (PUT only)", samples["requests"], size, curl))
            print(report("zenodo-action publish", samples["publish"], size, curl))
            path.unlink()


if __name__ == "__main__":
    main()
