"""What trusting the data costs: the Git LFS scan of a source archive as it downloads, and
packing a folder against `zip -X -r`.

1. scan: a big zip and a big tar.gz are served by a loopback stand-in of GitHub's archive
   endpoint (302 to a storage path that streams the file with sendfile, flat out or paced
   at GitHub-like rates), and downloaded by `releases.download_source_archive`
   without the scan, with it, and (tar.gz) with the scan in the downloading thread as it
   was first written; the order rotates every round; medians and ratios to the download.
2. pack: a folder of many files packed by `zip -X -r -q` (Debian's `zip` package: a
   prerequisite of this bench, `apt-get install zip`) and by a fresh `python` process
   calling `zenodo_action.folders.pack`, with and without deflate threads; the order
   rotates every round; medians, CPU time and the ratio to zip.

    .venv/bin/python bench/bench_archives.py                 # 1 GiB archives, 10,000 files
    .venv/bin/python bench/bench_archives.py --quick         # 128 MiB, 2,000 files
    .venv/bin/python bench/bench_archives.py --only scan --rates 0 100 50
"""

from __future__ import annotations

import argparse
import http.server
import io
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from functools import partial
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from zenodo_action import archive_scan, packing
from zenodo_action.github import releases
from zenodo_action.github.client import GitHubClient

BLOCK = 4 * 1024 * 1024


def text_block(seed: int) -> bytes:
    """4 MiB of CSV-like text that deflates about 2.5x, as source and data files do."""
    rng = random.Random(seed)
    lines = [
        f"{rng.randint(0, 10**6)},{rng.random():.6f},sample-{rng.randint(0, 999)}\n"
        for _ in range(130_000)
    ]
    return "".join(lines).encode()[:BLOCK]


def make_archives(folder: Path, mib: int) -> dict[str, Path]:
    blocks = [text_block(seed) for seed in range(4)]
    tar_path, zip_path = folder / "archive.tar.gz", folder / "archive.zip"
    with (
        tarfile.open(tar_path, "w:gz", compresslevel=6) as tar,
        zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for n in range(mib // 4):
            name = f"repo-abc1234/data/part-{n:04d}.csv"
            data = blocks[n % 4]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            zf.writestr(name, data)
        for n in range(2000):  # small files, as a source tree has, each checked for a pointer
            name = f"repo-abc1234/src/module_{n}.py"
            data = b"def f():\n    return %d\n" % n
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            zf.writestr(name, data)
    return {"tar.gz": tar_path, "zip": zip_path}


class _StandIn(http.server.BaseHTTPRequestHandler):
    archives: ClassVar[dict[str, Path]] = {}
    rate: ClassVar[float] = 0.0  # bytes per second the body is paced at; 0: sendfile, flat out

    def do_GET(self) -> None:
        if "/zipball/" in self.path or "/tarball/" in self.path:
            fmt = "zip" if "/zipball/" in self.path else "tar.gz"
            self.send_response(302)
            self.send_header("Location", f"/storage/{fmt}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.archives[self.path.rsplit("/", 1)[1]]
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.flush()
        with open(path, "rb") as handle:
            if not self.rate:
                os.sendfile(self.connection.fileno(), handle.fileno(), 0, size)
                return
            start, sent = time.perf_counter(), 0
            while sent < size:
                sent += os.sendfile(self.connection.fileno(), handle.fileno(), sent, 256 * 1024)
                ahead = start + sent / self.rate - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)

    def log_message(self, *args: object) -> None:
        pass


def serve(archives: dict[str, Path]) -> str:
    _StandIn.archives = archives
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


SCANS = {
    "download": None,
    "download + scan": archive_scan.scanner,
    # The tar.gz scan as it was first written: inflated in the downloading thread.
    "download + scan in its thread": lambda fmt: archive_scan.TarGzScan(),
}


def bench_scan(url: str, archives: dict[str, Path], runs: int, work: Path, rate: float) -> None:
    """Each archive downloaded without the scan, with it (a tar.gz inflated in a thread
    of its own), and (tar.gz) with it in the downloading thread; the order rotates every
    round. `rate`: the stand-in's pace in MB/s (0: as fast as it goes)."""
    _StandIn.rate = rate * 1e6
    client = GitHubClient(url, "octo/repo", None)
    pace = f"paced at {rate:g} MB/s" if rate else "flat out"
    for fmt, path in archives.items():
        names = [name for name in SCANS if fmt == "tar.gz" or "its thread" not in name]
        times: dict[str, list[float]] = {name: [] for name in names}

        def download(name: str, fmt: str = fmt) -> None:
            folder = Path(tempfile.mkdtemp(dir=work))
            make = SCANS[name]
            scan = partial(make, fmt) if make else None
            releases.download_source_archive(client, "v1", fmt, folder, scan=scan)  # type: ignore[arg-type]
            shutil.rmtree(folder)

        for round_ in range(runs):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                times[name].append(timed(partial(download, name)))
        baseline = statistics.median(times["download"])
        print(f"{fmt:7} {path.stat().st_size / 2**20:.0f} MiB, stand-in {pace}, {runs} rounds")
        for name in names:
            median = statistics.median(times[name])
            print(
                f"  {name:30} {median:.3f} s ({min(times[name]):.3f}-{max(times[name]):.3f})  "
                f"ratio {median / baseline:.2f}x"
            )


def curl_speed(url: str, archives: dict[str, Path]) -> None:
    """The stand-in flat out, to curl: it must be faster than the client."""
    _StandIn.rate = 0.0
    for fmt, path in archives.items():
        endpoint = f"{url}/repos/octo/repo/{'zipball' if fmt == 'zip' else 'tarball'}/v1"
        command = ["curl", "-sS", "-L", "-o", "/dev/null", endpoint]
        took = statistics.median(
            timed(partial(subprocess.run, command, check=True)) for _ in range(3)
        )
        print(f"stand-in to curl, {fmt}: {took:.3f} s, {path.stat().st_size / took / 1e6:.0f} MB/s")


def make_folder(folder: Path, count: int) -> Path:
    data = folder / "results"
    rng = random.Random(7)
    for n in range(count):
        sub = data / f"run-{n // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        rows = "".join(
            f"{rng.randint(0, 10**6)},{rng.random():.6f}\n" for _ in range(rng.randint(50, 400))
        )
        (sub / f"sample-{n:05d}.csv").write_text(rows)
    return data


PACK_PROBE = (
    "import sys; from pathlib import Path; from zenodo_action import folders, lfs; "
    "workers = None if sys.argv[3] == 'default' else int(sys.argv[3]); "
    "folders.pack(['results/'], Path(sys.argv[1]), Path(sys.argv[2]), "
    "pointers=lfs.PointerCheck(), workers=workers)"
)


def bench_pack(folder: Path, runs: int, work: Path) -> None:
    """`zip -X -r`, the pack as the tool runs it (deflating in one thread per core, at
    most 4) and the pack with no deflate thread, each a fresh process; the order rotates
    every round. Wall time and CPU time (user + system) of each process."""
    if shutil.which("zip") is None:
        print("pack: skipped, `zip` is not installed (apt-get install zip)")
        return
    root = folder.parent
    commands = {
        "zip -X -r -q": lambda out: ["zip", "-X", "-r", "-q", str(out / "results.zip"), "results"],
        f"pack ({packing.default_workers(None)} deflate threads)": lambda out: [
            sys.executable, "-c", PACK_PROBE, str(root), str(out), "default"
        ],
        "pack (no deflate thread)": lambda out: [
            sys.executable, "-c", PACK_PROBE, str(root), str(out), "0"
        ],
    }  # fmt: skip
    names = list(commands)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    made: dict[str, bytes] = {}
    for round_ in range(runs):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            out = Path(tempfile.mkdtemp(dir=work))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append(
                timed(partial(subprocess.run, commands[name](out), cwd=root, check=True))
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            made[name] = (out / "results.zip").read_bytes()
            shutil.rmtree(out)
    content = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    baseline = statistics.median(wall[names[0]])
    print(f"pack    {count:,} files, {content / 2**20:.1f} MiB, {runs} rounds")
    for name in names:
        times = wall[name]
        print(
            f"  {name:30} {statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f})  "
            f"cpu {statistics.median(cpu[name]):.3f} s  {len(made[name]):,} bytes  "
            f"ratio {statistics.median(times) / baseline:.2f}x"
        )
    packs = {made[name] for name in names[1:]}
    print(f"  the packs are {'byte-identical' if len(packs) == 1 else 'DIFFERENT'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="archive size before compression")
    parser.add_argument("--files", type=int, default=10_000, help="files in the packed folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["scan", "pack"], help="run one of the two")
    parser.add_argument(
        "--rates", type=float, nargs="+", default=[0, 100, 50],
        help="the stand-in's pace for the scan, MB/s (0: flat out)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.quick:
        args.mib, args.files, args.runs = 128, 2000, 2
    print(describe())
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="bench-archives-") as temp:
        work = Path(temp)
        if args.only != "pack":
            archives = make_archives(work, args.mib)
            url = serve(archives)
            curl_speed(url, archives)
            for rate in args.rates:
                bench_scan(url, archives, args.runs, work, rate)
        if args.only != "scan":
            bench_pack(make_folder(work / "folder", args.files), args.runs, work)
    print("load average at end:   {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
