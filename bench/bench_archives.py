"""What trusting the data costs: the Git LFS scan of a source archive as it downloads, and
packing a folder against `zip -X -r`.

1. scan: a big zip and a big tar.gz are served by a loopback stand-in of GitHub's archive
   endpoint (302 to a storage path that streams the file with sendfile), and downloaded by
   `GitHubClient.download_source_archive` with the scan (A) and without it (B), A and B
   alternating; medians and the ratio A/B.
2. pack: a folder of many files packed by `zip -X -r -q` (Debian's `zip` package: a
   prerequisite of this bench, `apt-get install zip`) and by a fresh `python` process
   calling `zenodo_action.folders.pack`, alternating; medians and the ratio.

    .venv/bin/python bench/bench_archives.py                 # 1 GiB archives, 10,000 files
    .venv/bin/python bench/bench_archives.py --quick         # 128 MiB, 2,000 files
"""

from __future__ import annotations

import argparse
import http.server
import io
import os
import random
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
from zenodo_action import archive_scan
from zenodo_action.github.releases import GitHubClient

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

    def do_GET(self) -> None:
        if "/zipball/" in self.path or "/tarball/" in self.path:
            fmt = "zip" if "/zipball/" in self.path else "tar.gz"
            self.send_response(302)
            self.send_header("Location", f"/storage/{fmt}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.archives[self.path.rsplit("/", 1)[1]]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()
        with open(path, "rb") as handle:
            self.wfile.flush()
            os.sendfile(self.connection.fileno(), handle.fileno(), 0, path.stat().st_size)

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


def bench_scan(url: str, archives: dict[str, Path], runs: int, work: Path) -> None:
    client = GitHubClient(url, "octo/repo", None)
    for fmt, path in archives.items():
        with_scan, without = [], []

        def download(scan: bool, fmt: str = fmt) -> None:
            folder = Path(tempfile.mkdtemp(dir=work))
            found = partial(archive_scan.scanner, fmt) if scan else None
            client.download_source_archive("v1", fmt, folder, scan=found)  # type: ignore[arg-type]
            shutil.rmtree(folder)

        endpoint = f"{url}/repos/octo/repo/{'zipball' if fmt == 'zip' else 'tarball'}/v1"
        curl_command = ["curl", "-sS", "-L", "-o", "/dev/null", endpoint]
        curl = [timed(partial(subprocess.run, curl_command, check=True)) for _ in range(3)]
        for _ in range(runs):
            with_scan.append(timed(lambda: download(True)))
            without.append(timed(lambda: download(False)))
        size = path.stat().st_size / 2**20
        a, b = statistics.median(with_scan), statistics.median(without)
        print(
            f"{fmt:7} {size:7.0f} MiB  stand-in to curl: {statistics.median(curl):.3f} s  "
            f"download+scan {a:.3f} s ({min(with_scan):.3f}-{max(with_scan):.3f})  "
            f"download {b:.3f} s ({min(without):.3f}-{max(without):.3f})  ratio {a / b:.2f}x"
        )


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


def bench_pack(folder: Path, runs: int, work: Path) -> None:
    if shutil.which("zip") is None:
        print("pack: skipped, `zip` is not installed (apt-get install zip)")
        return
    root = folder.parent
    probe = (
        "import sys; from pathlib import Path; from zenodo_action import folders, lfs; "
        "folders.pack(['results/'], Path(sys.argv[1]), Path(sys.argv[2]), "
        "pointers=lfs.PointerCheck())"
    )
    zip_times, pack_times = [], []
    for _ in range(runs):
        out = Path(tempfile.mkdtemp(dir=work))
        zip_command = ["zip", "-X", "-r", "-q", str(out / "z.zip"), "results"]
        zip_times.append(timed(partial(subprocess.run, zip_command, cwd=root, check=True)))
        pack_command = [sys.executable, "-c", probe, str(root), str(out)]
        pack_times.append(timed(partial(subprocess.run, pack_command, check=True)))
        sizes = (out / "z.zip").stat().st_size, (out / "results.zip").stat().st_size
        shutil.rmtree(out)
    content = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    a, b = statistics.median(pack_times), statistics.median(zip_times)
    print(
        f"pack    {count} files, {content / 2**20:.1f} MiB  zip -X -r: {b:.3f} s "
        f"({min(zip_times):.3f}-{max(zip_times):.3f}), {sizes[0]} bytes  "
        f"pack: {a:.3f} s ({min(pack_times):.3f}-{max(pack_times):.3f}), {sizes[1]} bytes  "
        f"ratio {a / b:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="archive size before compression")
    parser.add_argument("--files", type=int, default=10_000, help="files in the packed folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.mib, args.files, args.runs = 128, 2000, 2
    print(describe())
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="bench-archives-") as temp:
        work = Path(temp)
        archives = make_archives(work, args.mib)
        bench_scan(serve(archives), archives, args.runs, work)
        bench_pack(make_folder(work / "folder", args.files), args.runs, work)


if __name__ == "__main__":
    main()
