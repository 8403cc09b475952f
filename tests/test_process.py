"""`process.end`: a quick exit that still runs every exit handler and flushes the streams."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
import atexit, sys
from pathlib import Path
from zenodo_action import process
from zenodo_action.secrets import guard_std_streams

guard_std_streams()
atexit.register(lambda: Path(sys.argv[1]).write_text("handler ran"))
sys.stdout.write("no newline, still buffered")
sys.stderr.write("on stderr too")
process.end(3)
print("never reached")
"""


def test_end_runs_exit_handlers_flushes_and_exits_with_the_code(tmp_path: Path):
    marker = tmp_path / "marker"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(marker)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert done.stdout == "no newline, still buffered"
    assert done.stderr == "on stderr too"
    assert marker.read_text() == "handler ran"


def test_the_command_exits_through_it_with_mains_code_and_all_its_output(tmp_path: Path):
    def run(config: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "zenodo_action", "validate", "--config", config]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)

    missing = run("missing.yml")
    assert missing.returncode == 2
    assert missing.stderr == (
        "error: missing.yml: no such file\n"
        "hint: check --config missing.yml: a relative path is read from the current directory\n"
    )
    (tmp_path / "bad.yml").write_text("title: x\nupload_type: sofware\n")
    bad = run("bad.yml")
    assert bad.returncode == 1 and "bad.yml:2:" in bad.stdout + bad.stderr
