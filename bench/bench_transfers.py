"""Benchmark: transfers at the limit (issue 10). `zenodo-action publish` against baselines.

Not a test. Run it from the repository root with the project's virtualenv:

    .venv/bin/python bench/bench_transfers.py [--sizes 256 1024 4096] [--runs 5]
        [--small-files 100] [--latency 0.05] [--tmp DIR] [--compare-with DIR] [--quick]

Everything runs against bench/stand_in.py, a Zenodo stand-in that drains a bucket PUT at
wire speed (proved first with `curl -T` of 1 GiB) and answers MD5s registered before
timing, so the figures are the client's, not a slow fake's. Every measured command is a
fresh process under GNU time (wall time, user+sys CPU, peak RSS); within a round the
commands take turns, the order rotated each round, so they share the machine's load.

1. One big file per size: `curl -T` into a bucket; the ideal one-pass Python client (read
   1 MiB, md5.update, send, in one PUT, then compare the server's MD5); and a publish of
   that file as the next version of a freshly seeded concept.
2. Many small files (1 MiB each) with a latency per request: one curl process sending them
   one after the other over one connection, the same with 4 in parallel, a publish with
   the default upload workers and one with --upload-workers 1.
3. The requests each publish sent, by endpoint, against its budget (Zenodo's deposit API:
   N+8; InvenioRDM's records API: 3N+9 plus one per vocabulary id checked), and their
   share of a 100-requests-a-minute rate limit.
4. Peak RSS of each command per size.

Every publish runs twice per round, through each API: `publish` (Zenodo's deposit API,
chosen by `api: auto`) and `publish, records API` (`--api records`); the stand-in serves
both over the same state.

--compare-with DIR also times an older checkout of the package (its zenodo_action/ run
with PYTHONPATH=DIR) in the same rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import machine  # bench/machine.py (a script's folder is on sys.path)
from stand_in import MIB, SCRATCH, Served, StandIn, curl_gbps, curl_put, write_random_file

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "software" / ".zenodo.yml"
GNU_TIME = "/usr/bin/time"
PROOF_MIB = 1024
BIG_TARGET = 1.15  # publish / ideal client, at most
SMALL_TARGET = 2.5  # sequential curl / publish, at least
OTHER_REQUESTS = 8  # a next version of N files: N + 8 requests (+1 per file it drops)
# Through the records API: 3 requests a file, 9 others, one per vocabulary id checked
# (10 distinct ids in examples/software/.zenodo.yml), and no DELETE of a dropped file
# when no file stays (nothing is linked into the new version then).
RECORDS_PER_FILE = 3
RECORDS_OTHERS = 9
RECORDS_VOCABULARY = 10
RATE_LIMIT = 100  # requests a minute, Zenodo's and InvenioRDM's default for a user
RECORDS = "publish, records API"
OLD_FILE = "release-0.1.txt"  # what the seeded previous version holds, unless same names
UPLOAD = "PUT /files/{bucket}/{key}"  # the stand-in's label of a bucket PUT
# ... and of the records API's three requests a file: initialise, send, commit
RECORDS_UPLOAD = (
    "POST /records/{id}/draft/files",
    "PUT /records/{id}/draft/files/{key}/{content|commit}",
    "POST /records/{id}/draft/files/{key}/{content|commit}",
)

# The best a Python client can do in one pass: one PUT, each 1 MiB block read into one
# reused buffer, hashed, sent; then the server's MD5 must be the one computed.
IDEAL_PUT = """
import hashlib, http.client, json, os, sys
host, port, path, token, name = sys.argv[1:]
connection = http.client.HTTPConnection(host, int(port))
connection.putrequest("PUT", path, skip_accept_encoding=True)
connection.putheader("Authorization", "Bearer " + token)
connection.putheader("Content-Length", str(os.path.getsize(name)))
connection.endheaders()
digest = hashlib.md5(usedforsecurity=False)
block = memoryview(bytearray(1 << 20))
with open(name, "rb", buffering=0) as source:
    while count := source.readinto(block):
        digest.update(block[:count])
        connection.send(block[:count])
response = connection.getresponse()
answer = json.loads(response.read())
if response.status != 201 or answer["checksum"] != "md5:" + digest.hexdigest():
    sys.exit(f"ideal client: {response.status} {answer}")
"""


# --- measuring ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process
    max_rss: int  # KiB
    started: float = 0.0  # perf_counter when the process was started
    requests: Mapping[str, int] = field(default_factory=dict)  # a publish's, by endpoint
    phases: Mapping[str, float] = field(default_factory=dict)  # a publish's, seconds


def measure(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> Sample:
    """Run a command under GNU time. Not os.wait4: a child forked from this process (which
    holds the stand-in and its buffers) reports this process's high-water mark until it
    execs; GNU time measures the exec'd command alone."""
    with tempfile.NamedTemporaryFile("r") as usage:
        timed = [GNU_TIME, "--format", "%U %S %M", "--output", usage.name, *command]
        start = time.perf_counter()
        result = subprocess.run(timed, capture_output=True, env=env, cwd=cwd, check=False)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            sys.exit(f"{' '.join(command[:4])} ... failed ({result.returncode}):\n{output}")
        user, system, max_rss = usage.read().split()[-3:]
    return Sample(wall, float(user) + float(system), int(max_rss), start)


@dataclass(frozen=True)
class Command:
    name: str
    run: Callable[[], Sample]  # prepares the stand-in, runs once, checks the outcome


def take_turns(commands: Sequence[Command], runs: int) -> dict[str, list[Sample]]:
    """Each round runs every command once, the order rotated by one each round: A B C,
    B C A, C A B ... so no command always follows the same one."""
    samples: dict[str, list[Sample]] = {c.name: [] for c in commands}
    for round_ in range(runs):
        shift = round_ % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            samples[command.name].append(command.run())
    return samples


# --- the clients and their commands ---------------------------------------------------


@dataclass(frozen=True)
class Client:
    """A zenodo-action to run: this checkout, or an older one given by --compare-with."""

    name: str
    pythonpath: str | None = None  # the checkout's folder; None: the installed package
    flags: tuple[str, ...] = ()  # e.g. --api records

    def command(self) -> list[str]:
        # `python -m` for both, not the console script, so they start the same way.
        return [sys.executable, "-m", "zenodo_action"]

    def publish_flags(self) -> list[str]:
        """The test files live beside the working directory, not in it: a checkout that
        knows the flag refuses them without it (issue 12), older ones do not know it."""
        knows = self.pythonpath is None or "--allow-outside-root" in (
            Path(self.pythonpath) / "zenodo_action" / "cli.py"
        ).read_text(encoding="utf-8")
        return (["--allow-outside-root"] if knows else []) + list(self.flags)


@dataclass
class Bench:
    server: StandIn
    work: Path  # the publish's working directory: it holds .zenodo.yml
    pycache: Path  # bytecode of every Python process measured
    clients: list[Client]
    version: int = 0  # every publish gets a new version string

    def env(self, client: Client | None = None) -> dict[str, str]:
        """The environment of a measured command. Bytecode is cached (in a folder of this
        run, the checkouts stay untouched), as in an installed package: where the shell
        sets PYTHONDONTWRITEBYTECODE, every run would otherwise compile the package's
        modules again (about 50 ms on the reference machine)."""
        env = {**os.environ, "ZENODO_TOKEN": self.server.token}
        env["PYTHONPYCACHEPREFIX"] = str(self.pycache)
        for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        if client and client.pythonpath:
            env["PYTHONPATH"] = client.pythonpath
        return env

    def publish(
        self,
        client: Client,
        files: Sequence[Path],
        previous: Mapping[str, tuple[int, str]],
        extra: Sequence[str] = (),
    ) -> Sample:
        """Publish `files` as the next version of a fresh concept whose latest version
        holds `previous`; check that the stand-in holds exactly them afterwards."""
        concept = self.server.seed(previous)
        self.version += 1
        version = f"bench-{self.version}"
        command = [
            *client.command(),
            "publish",
            *client.publish_flags(),
            "--zenodo-url",
            self.server.url,
            "--concept",
            str(concept),
            "--files",
            *(str(path) for path in files),
            "--version",
            version,
            "--json",
            *extra,
        ]
        sample = measure(command, self.env(client), self.work)
        published, held = self.server.latest_published()
        wanted = {path.name: self.server.md5s[path.name] for path in files}
        if published != version or held != wanted:
            sys.exit(f"{client.name}: the stand-in holds version {published} with {held}")
        served = self.server.served()
        return replace(sample, requests=self.server.counts(), phases=phases(sample, served))

    def curl(self, command: Sequence[str], uploads: int) -> Sample:
        self.server.reset_counts()
        sample = measure(command, self.env(), self.work)
        sent = self.server.counts().get("PUT /files/{bucket}/{key}", 0)
        if sent != uploads:
            sys.exit(f"curl sent {sent} uploads, not {uploads}: {' '.join(command[:8])} ...")
        return sample


def publish_command(
    bench: Bench,
    client: Client,
    files: Sequence[Path],
    extra: Sequence[str] = (),
    name: str | None = None,
) -> Command:
    """A publish of `files` over a previous version holding one file of another name."""
    return Command(
        name or client.name, lambda: bench.publish(client, files, previous_version(), extra)
    )


def phases(sample: Sample, served: Sequence[Served]) -> dict[str, float]:
    """Where a publish's wall time went, from the stand-in's log of the requests: before
    its first request (interpreter, imports, metadata, files), the requests before the
    first upload, the uploads, the requests after the last one, and the exit after the
    last answer."""
    uploads = [s for s in served if s.label == UPLOAD or s.label in RECORDS_UPLOAD]
    first, last = served[0], served[-1]
    uploads_end = max(s.end for s in uploads)
    return {
        "start-up": first.start - sample.started,
        "requests before uploads": uploads[0].start - first.start,
        "uploads": uploads_end - uploads[0].start,
        "requests after uploads": last.end - uploads_end,
        "exit": sample.started + sample.wall - last.end,
    }


def curl_many(server: StandIn, files: Sequence[Path], parallel: int = 0) -> list[str]:
    """One curl process uploading every file: `-T "dir/{a,b,...}" URL/` maps each name to
    URL/name (curl 7.88); sequential transfers reuse one kept-alive connection."""
    folder = files[0].parent
    command = curl_put(server, folder / ("{" + ",".join(p.name for p in files) + "}"))
    command[-1] = server.scratch_url("")
    if parallel:
        # --parallel-immediate: open the connections at once, instead of waiting to see
        # whether the first one could multiplex (HTTP/2 only); without it, curl sends the
        # first files one by one on one connection.
        command[1:1] = ["--parallel", "--parallel-immediate", "--parallel-max", str(parallel)]
    return command


def ideal_put(server: StandIn, path: Path) -> list[str]:
    host, port = server.url.removeprefix("http://").split(":")
    target = f"/api/files/{SCRATCH}/{path.name}"
    return [sys.executable, "-c", IDEAL_PUT, host, port, target, server.token, str(path)]


# --- test files -----------------------------------------------------------------------


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    block = memoryview(bytearray(MIB))
    with open(path, "rb", buffering=0) as handle:
        while count := handle.readinto(block):
            digest.update(block[:count])
    return digest.hexdigest()


def big_file(folder: Path, size_mib: int) -> Path:
    path = folder / f"data-{size_mib}MiB.bin"
    if not path.exists():
        write_random_file(path, size_mib * MIB)
    return path


def small_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"part-{index:03d}.bin" for index in range(count)]
    for path in paths:
        write_random_file(path, MIB)
    return paths


def previous_version(same_names: Sequence[Path] = ()) -> dict[str, tuple[int, str]]:
    """What the seeded latest version holds: one small file of another name (the new
    version drops it: one DELETE), or files of the same names and sizes, other bytes (a
    regenerated dataset: each is hashed before, then overwritten by its PUT)."""
    if same_names:
        return {p.name: (p.stat().st_size, md5_text("previous " + p.name)) for p in same_names}
    return {OLD_FILE: (4, md5_text("0.1\n"))}


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# --- reporting ------------------------------------------------------------------------


def median_wall(samples: Sequence[Sample]) -> float:
    return statistics.median(s.wall for s in samples)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def timing_row(
    name: str, samples: Sequence[Sample], size: int, baselines: Mapping[str, float]
) -> list[str]:
    walls = [s.wall for s in samples]
    wall = statistics.median(walls)
    spread = (max(walls) - min(walls)) / wall * 100
    row = [
        name,
        f"{wall:.3f}",
        f"{min(walls):.3f}-{max(walls):.3f} (±{spread / 2:.0f}%)",
        f"{size / MIB / wall:,.0f}",
        f"{statistics.median(s.cpu for s in samples):.2f}",
        f"{max(s.max_rss for s in samples) / 1024:.1f}",
    ]
    return row + [f"{wall / base:.2f}x" for base in baselines.values()]


def timing_table(samples: Mapping[str, list[Sample]], size: int, baselines: Sequence[str]) -> str:
    bases = {name: median_wall(samples[name]) for name in baselines}
    header = ["command", "median s", "min-max s", "MiB/s", "CPU s", "peak RSS MiB"]
    header += [f"/ {name}" for name in baselines]
    rows = [timing_row(name, runs, size, bases) for name, runs in samples.items()]
    return table(header, rows)


def phase_table(samples: Mapping[str, list[Sample]]) -> str:
    """Medians over the rounds of each publish's phases (see `phases`)."""
    publishes = {name: runs for name, runs in samples.items() if runs[0].phases}
    names = list(next(iter(publishes.values()))[0].phases)
    rows = []
    for name, runs in publishes.items():
        medians = [statistics.median(s.phases[phase] for s in runs) for phase in names]
        rows.append([name, *(f"{m:.3f}" for m in medians), f"{median_wall(runs):.3f}"])
    return table(["seconds (medians)", *names, "wall"], rows)


# --- the comparisons ------------------------------------------------------------------


@dataclass(frozen=True)
class RequestCount:
    """The requests one publish sent."""

    files: int  # N
    dropped: int  # files of the previous version the new one drops (a DELETE each)
    sample: Sample
    records: bool = False  # through the records API

    @property
    def total(self) -> int:
        return sum(self.sample.requests.values())

    @property
    def budget(self) -> int:
        if self.records:  # nothing linked, nothing to drop (see RECORDS_PER_FILE)
            return self.files * RECORDS_PER_FILE + RECORDS_OTHERS + RECORDS_VOCABULARY
        return self.files + OTHER_REQUESTS + self.dropped

    @property
    def formula(self) -> str:
        if self.records:
            return f"3N+9+{RECORDS_VOCABULARY} = {self.budget}"
        dropped = f" + {self.dropped} dropped" if self.dropped else ""
        return f"N+8{dropped} = {self.budget}"


@dataclass
class Results:
    big: dict[int, dict[str, list[Sample]]] = field(default_factory=dict)  # by size in MiB
    requests: dict[str, RequestCount] = field(default_factory=dict)  # by case
    targets: list[str] = field(default_factory=list)
    current: str = "publish"  # the client the targets are about


def prove_stand_in(bench: Bench, folder: Path) -> float:
    path = big_file(folder, PROOF_MIB)
    speeds = curl_gbps(bench.server, path, runs=3)
    speed = statistics.median(speeds)
    print(
        f"\nstand-in: `curl -T` of {PROOF_MIB} MiB into a bucket: {speed:.2f} GB/s "
        f"(median of 3, {min(speeds):.2f}-{max(speeds):.2f}; must be > 1 GB/s): "
        f"{verdict(speed > 1)}"
    )
    return speed


def compare_big(bench: Bench, folder: Path, size_mib: int, runs: int, results: Results) -> None:
    path = big_file(folder, size_mib)
    start = time.perf_counter()
    bench.server.md5s[path.name] = md5_of(path)
    hashing = path.stat().st_size / (time.perf_counter() - start) / 1e9
    bench.server.latency = 0.0
    current = bench.clients[0]
    commands = [
        Command("curl -T", lambda: bench.curl(curl_put(bench.server, path, path.name), 1)),
        Command(
            "ideal client", lambda: measure(ideal_put(bench.server, path), bench.env(), bench.work)
        ),
    ]
    commands += [publish_command(bench, client, [path]) for client in bench.clients]
    samples = take_turns(commands, runs)
    results.big[size_mib] = samples
    print(f"\n### One file of {size_mib} MiB ({runs} rounds)\n")
    print(timing_table(samples, path.stat().st_size, ["ideal client", "curl -T"]))
    for name in (current.name, RECORDS):
        ratio = median_wall(samples[name]) / median_wall(samples["ideal client"])
        line = (
            f"- {size_mib} MiB: {name} / ideal client = {ratio:.2f}x "
            f"(target ≤ {BIG_TARGET}x): {verdict(ratio <= BIG_TARGET)}"
        )
        print(f"\n{line}" if name == current.name else line)
        results.targets.append(line)
    print(f"- MD5 of this file in the benchmark process, alone: {hashing:.2f} GB/s\n")
    print(phase_table(samples))
    for client in bench.clients:
        case = f"one file, {size_mib} MiB: {client.name}"
        results.requests[case] = RequestCount(
            1, 1, samples[client.name][-1], records=client.name == RECORDS
        )
    path.unlink()


def compare_small(
    bench: Bench, files: list[Path], runs: int, latency: float, results: Results
) -> None:
    bench.server.latency = latency
    current, *others = bench.clients
    count = len(files)
    sequential = "curl, sequential"
    commands = [
        Command(sequential, lambda: bench.curl(curl_many(bench.server, files), count)),
        Command(
            "curl, 4 in parallel", lambda: bench.curl(curl_many(bench.server, files, 4), count)
        ),
        publish_command(bench, current, files, name=f"{current.name} (4 workers)"),
        publish_command(
            bench, current, files, ["--upload-workers", "1"], f"{current.name} --upload-workers 1"
        ),
    ]
    commands += [publish_command(bench, client, files) for client in others]
    samples = take_turns(commands, runs)
    print(f"\n### {count} files of 1 MiB, {latency * 1000:.0f} ms per request ({runs} rounds)\n")
    print(timing_table(samples, count * MIB, [sequential]))
    rounds_4 = math.ceil(count / 4)
    print(
        f"\nThe stand-in sleeps {latency * 1000:.0f} ms before every answer. Floors: curl "
        f"sequential {count} x {latency:.2f} s = {count * latency:.2f} s; 4 at a time "
        f"{rounds_4} x {latency:.2f} s = {rounds_4 * latency:.2f} s. A publish also sends "
        f"{OTHER_REQUESTS} other requests (+1 DELETE of the file it drops), one after the "
        f"other, each paying the {latency * 1000:.0f} ms too: "
        f"+{(OTHER_REQUESTS + 1) * latency:.2f} s on top of its uploads."
    )
    publish = f"{current.name} (4 workers)"
    speedup = median_wall(samples[sequential]) / median_wall(samples[publish])
    line = (
        f"- {count} x 1 MiB at {latency * 1000:.0f} ms: {sequential} / {publish} = "
        f"{speedup:.2f}x faster (target ≥ {SMALL_TARGET}x): {verdict(speedup >= SMALL_TARGET)}"
    )
    print(f"\n{line}\n")
    print(phase_table(samples))
    results.targets.append(line)
    results.requests[f"{count} new names: {current.name}"] = RequestCount(
        count, 1, samples[publish][-1]
    )
    for client in others:
        case = f"{count} new names: {client.name}"
        results.requests[case] = RequestCount(
            count, 1, samples[client.name][-1], records=client.name == RECORDS
        )


def same_names(bench: Bench, files: list[Path], results: Results) -> None:
    """A regenerated dataset: the previous version holds the same names and sizes, other
    bytes. One run per client (the count does not change between runs)."""
    for client in bench.clients:
        sample = bench.publish(client, files, previous_version(files))
        results.requests[f"{len(files)} same names: {client.name}"] = RequestCount(
            len(files), 0, sample, records=client.name == RECORDS
        )


def report_requests(results: Results, latency: float) -> None:
    print("\n### Requests per publish\n")
    rows = []
    for case, count in results.requests.items():
        requests = count.sample.requests
        deletes = sum(n for label, n in requests.items() if label.startswith("DELETE"))
        ok = count.total <= count.budget
        rows.append(
            [
                case,
                str(count.files),
                str(count.total),
                count.formula,
                f"{count.total / count.files:.2f}",
                f"{count.total / RATE_LIMIT:.2f}",
                str(deletes),
                f"{count.sample.wall:.2f}",
                verdict(ok),
            ]
        )
        if case.endswith((f": {results.current}", f": {RECORDS}")):
            results.targets.append(
                f"- requests, {case}: {count.total} ({count.formula}): {verdict(ok)}"
            )
    header = ["case", "N", "requests", "budget", "per file", "min of 100/min", "DELETEs"]
    print(table([*header, "wall s (last run)", "within"], rows))
    print(
        f"\n'min of 100/min': the publish's share of a {RATE_LIMIT}-requests-a-minute rate "
        "limit (Zenodo's and InvenioRDM's default for an authenticated user), in minutes: "
        "a run that sends more waits for the window (429, Retry-After)."
    )
    print(
        f"\n'dropped': the seeded previous version holds {OLD_FILE}, which the new version "
        "does not: one DELETE, which the README counts on top of N+8. Wall times: the big "
        f"file at 0 ms latency, the many-files cases at {latency * 1000:.0f} ms.\n"
    )
    counts = {case: count.sample.requests for case, count in results.requests.items()}
    labels = sorted({label for requests in counts.values() for label in requests})
    rows = [
        [f"`{label}`", *(str(requests.get(label, 0)) for requests in counts.values())]
        for label in labels
    ]
    print(table(["endpoint", *counts], rows))


def report_rss(results: Results, names: Sequence[str]) -> None:
    print("\n### Peak RSS (MiB, the largest of all rounds)\n")
    rows = [
        [f"{size} MiB", *(f"{max(s.max_rss for s in samples[n]) / 1024:.1f}" for n in names)]
        for size, samples in results.big.items()
    ]
    print(table(["file", *names], rows) + "\n")
    for name in names[2:]:
        peaks = [max(s.max_rss for s in samples[name]) / 1024 for samples in results.big.values()]
        spread = max(peaks) - min(peaks)
        flat = spread <= max(2.0, 0.05 * min(peaks))
        line = (
            f"- peak RSS of {name} across {', '.join(f'{s} MiB' for s in results.big)}: "
            f"{min(peaks):.1f}-{max(peaks):.1f} MiB (flat: within 2 MiB or 5%): {verdict(flat)}"
        )
        print(line)
        if name in (names[2], RECORDS):
            results.targets.append(line)


# --- main -----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 4096], metavar="MIB")
    parser.add_argument("--runs", type=int, default=5, help="rounds per comparison")
    parser.add_argument("--small-files", type=int, default=100, metavar="N")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    # On disk: /tmp may be a tmpfs, where 4 GiB of test file would take memory.
    parser.add_argument("--tmp", type=Path, default=Path("/var/tmp"))  # noqa: S108
    parser.add_argument("--compare-with", type=Path, metavar="DIR", help="an older checkout")
    parser.add_argument("--quick", action="store_true", help="64 MiB, 2 rounds, 20 files")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.small_files = [64], 2, 20
    return args


def check_tools(compare_with: Path | None) -> None:
    if shutil.which("curl") is None:
        sys.exit("curl is needed for the baselines (apt-get install curl)")
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"{GNU_TIME} is needed to measure CPU time and peak memory (apt-get install time)")
    if compare_with and not (compare_with / "zenodo_action" / "__main__.py").is_file():
        sys.exit(f"--compare-with {compare_with}: no zenodo_action/ package there")


def warm_up(bench: Bench, folder: Path) -> None:
    """Untimed runs of every Python command: their bytecode compiled and cached."""
    path = folder / "warm-up.txt"
    path.write_text("warm\n")
    bench.server.md5s[path.name] = md5_text("warm\n")
    measure(ideal_put(bench.server, path), bench.env(), bench.work)
    for client in bench.clients:
        bench.publish(client, [path], previous_version())


def curl_version() -> str:
    return subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_times() -> list[int]:
    """The machine's CPU time so far, by kind (user nice system idle iowait irq softirq
    steal ...), in ticks."""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def noise(before: Sequence[int], after: Sequence[int]) -> str:
    """How busy the machine was during the run, and how much a hypervisor took (steal): a
    busy or stolen CPU is noise in every figure above."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent[:8]) or 1
    busy = total - spent[3] - spent[4]
    return f"CPU busy {busy / total:.0%} of the run (both cores), steal {spent[7] / total:.1%}"


def main() -> None:
    args = parse_args()
    check_tools(args.compare_with)
    started, ticks = time.perf_counter(), cpu_times()
    clients = [Client("publish"), Client(RECORDS, flags=("--api", "records"))]
    if args.compare_with:
        clients.append(Client("publish, before", str(args.compare_with.resolve())))
    print("## Transfers at the limit: `bench/bench_transfers.py`\n")
    print(machine.describe().replace("\n", "  \n"))
    print(f"curl:    {curl_version()}")
    print(f"load average at the start: {load()}")
    results = Results()
    with (
        tempfile.TemporaryDirectory(dir=args.tmp, prefix="bench-transfers-") as tmp,
        StandIn() as server,
    ):
        root = Path(tmp)
        work, big, small = root / "work", root / "big", root / "small"
        for folder in (work, big):
            folder.mkdir()
        shutil.copy(CONFIG, work / ".zenodo.yml")
        bench = Bench(server, work, root / "pycache", clients)
        warm_up(bench, root)
        prove_stand_in(bench, big)
        if PROOF_MIB not in args.sizes:
            (big / f"data-{PROOF_MIB}MiB.bin").unlink()
        print(
            "\nTest files: random bytes, read from the page cache (just written); their MD5s "
            "registered with the stand-in before timing. Ratios: median / median of the "
            "column's command, from the same rounds; ± is half the min-max spread. The "
            "ideal client and the publish hash (MD5) every byte they send, curl does not. "
            "Python's bytecode is cached for every run (PYTHONPYCACHEPREFIX, filled by an "
            "untimed warm-up), as in an installed package. Phases of a publish, from the "
            "stand-in's request log: start-up (interpreter, imports, metadata, files; "
            "a checkout that hashes every file first does it here), requests before the "
            "first upload, uploads, requests after them, exit after the last answer."
        )
        for size_mib in args.sizes:
            compare_big(bench, big, size_mib, args.runs, results)
        files = small_files(small, args.small_files)
        server.md5s.update({path.name: md5_of(path) for path in files})
        compare_small(bench, files, args.runs, args.latency, results)
        same_names(bench, files, results)
        report_requests(results, args.latency)
        report_rss(results, ["curl -T", "ideal client", *(c.name for c in clients)])
    print("\n### Targets\n")
    if args.quick:
        print("(--quick: not the targets' sizes and N; these verdicts only show it works)\n")
    print("\n".join(results.targets))
    minutes, seconds = divmod(time.perf_counter() - started, 60)
    print(
        f"\nload average at the end: {load()}; {noise(ticks, cpu_times())}; "
        f"total run time {minutes:.0f} min {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
