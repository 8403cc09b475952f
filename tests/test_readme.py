"""The README's quoted commands print what the README says they print.

The convention (README, "Project layout and contributing"): every ```console block of
README.md is run here, so a new quote is checked without anyone listing it.

- A line starting with `$ ` is a command, run by bash (a trailing backslash continues it
  on the next line). The lines after it, up to the next command, are what it prints,
  stdout and stderr together, as a terminal shows them.
- In what it prints, a line `...` stands for any number of lines, and a line ending in
  ` ...` for one line that starts with the text before it.
- An HTML comment right before the block sets it up: `<!-- readme-run: KEY=VALUE ... -->`.
  `zenodo=NAME`: a fake Zenodo stands in for zenodo.org, holding what the scenario NAME
  (below) puts there, and its address is shown as https://zenodo.org; the block runs in
  the scenario's folder. `today=YYYY-MM-DD`: today's date is shown as that day, the day
  the example pretends to be.

A block without a scenario runs in a scratch copy of examples/ (as the repository's root
would be), so nothing it writes lands in the checkout. `zenodo-action` is this checkout's.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.fakes.zenodo import FakeZenodo

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SEPARATOR = "\x1e zenodo-action readme command"


@dataclass
class Command:
    text: str  # as quoted, without `$ `
    printed: list[str] = field(default_factory=list)  # the quoted output lines


@dataclass
class Block:
    line: int  # where it starts in the README, for messages
    options: dict[str, str]
    commands: list[Command]


def console_blocks(text: str) -> list[Block]:
    """Every ```console block, with the options of a `readme-run` comment right before it."""
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != "```console":
            continue
        end = next(i for i in range(number + 1, len(lines)) if lines[i].strip() == "```")
        before = next((lines[i] for i in range(number - 1, -1, -1) if lines[i].strip()), "")
        blocks.append(Block(number + 1, _options(before), _commands(lines[number + 1 : end])))
    return blocks


def _options(line: str) -> dict[str, str]:
    match = re.fullmatch(r"\s*<!--\s*readme-run:(.*?)-->\s*", line)
    return dict(word.split("=", 1) for word in match.group(1).split()) if match else {}


def _commands(lines: list[str]) -> list[Command]:
    commands: list[Command] = []
    continued = False
    for line in lines:
        if continued:
            commands[-1].text += "\n" + line
        elif line.startswith("$ "):
            commands.append(Command(line[2:]))
        elif commands:
            commands[-1].printed.append(line)
        continued = bool(commands) and line.endswith("\\") and not commands[-1].printed
    return commands


def matches(expected: list[str], actual: list[str]) -> bool:
    """`...` lines match any run of lines; a line ending in ` ...` matches by its start."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, actual[skip:]) for skip in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0]
    same = line.startswith(head[:-3]) if head.endswith(" ...") else line == head
    return same and matches(rest, actual[1:])


# --- scenarios: what a fake zenodo.org holds for an example -----------------------------

TIDEWATCH_METADATA = """\
upload_type: software
title: "tidewatch: tide-gauge quality control in Python"
description: <p>tidewatch flags spikes, flat lines and datum shifts in tide-gauge records.</p>
creators:
  - name: Lovelace, Ada
    orcid: 0000-0002-1825-0097
license: BSD-3-Clause
keywords: [oceanography, sea level]
"""


def tidewatch(folder: Path, zenodo: FakeZenodo) -> None:
    """Version 1.1.0 of concept 10.5281/zenodo.1234567 on Zenodo (published 2024-03-01,
    one file of 1.2 MB); in the folder, the metadata and 1.2.0's file of 1.3 MB."""
    (folder / ".zenodo.yml").write_text(TIDEWATCH_METADATA)
    (folder / "dist").mkdir()
    (folder / "dist" / "tidewatch-1.2.0.tar.gz").write_bytes(_sdist(1_300_000))
    metadata = {**yaml.safe_load(TIDEWATCH_METADATA), "publication_date": "2024-03-01"}
    old = {"tidewatch-1.1.0.tar.gz": b"\x00" * 1_200_000}
    owner = zenodo.add_user("...")  # the README's `export ZENODO_TOKEN=...`
    zenodo.seed_concept([{"version": "1.1.0", "files": old, "metadata": metadata}], owner)


def _sdist(size: int) -> bytes:
    """A real tar.gz of about `size` bytes (archives among the files are looked into)."""
    content = random.Random(size).randbytes(size - 1200)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("tidewatch-1.2.0/data.bin")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return raw.getvalue()


SCENARIOS: dict[str, Callable[[Path, FakeZenodo], None]] = {"tidewatch": tidewatch}


# --- running a block ------------------------------------------------------------------


@dataclass
class Setting:
    folder: Path
    environment: dict[str, str]
    shown: dict[str, str]  # what the output says -> what the README says instead


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Callable[[Block], Setting]]:
    started: list[FakeZenodo] = []

    def make(block: Block) -> Setting:
        folder, shown = tmp_path / "work", {}
        folder.mkdir()
        zenodo_url = None
        if "zenodo" in block.options:
            zenodo = FakeZenodo(first_id=1234567).start()
            started.append(zenodo)
            SCENARIOS[block.options["zenodo"]](folder, zenodo)
            zenodo_url, shown[zenodo.url] = zenodo.url, "https://zenodo.org"
        else:
            shutil.copytree(ROOT / "examples", folder / "examples")
        if "today" in block.options:
            for today in {dt.date.today(), dt.datetime.now(dt.timezone.utc).date()}:
                shown[today.isoformat()] = block.options["today"]
        return Setting(folder, _environment(tmp_path, zenodo_url), shown)

    yield make
    for zenodo in started:
        zenodo.stop()
        zenodo.check_server_errors()


def _environment(tmp_path: Path, zenodo_url: str | None) -> dict[str, str]:
    """A clean shell: `zenodo-action` first on PATH, nothing of the runner's."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "zenodo-action"
    stand_in = f"settings.ZENODO_URL = {zenodo_url!r}  # the fake stands in" if zenodo_url else ""
    shim.write_text(
        f"#!{sys.executable}\n"
        "from zenodo_action.settings import values as settings\n"
        f"{stand_in}\n"
        "from zenodo_action.cli import console\n"
        "console()\n"
    )
    shim.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as on a terminal
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_block(block: Block, setting: Setting) -> list[list[str]]:
    """Each command's output lines, run one after the other in one shell."""
    script = "".join(
        f"printf '%s\\n' {shlex.quote(SEPARATOR)}\n{{ {command.text}\n}} 2>&1\n"
        for command in block.commands
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=setting.folder,
        env=setting.environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout
    for said, instead in setting.shown.items():
        output = output.replace(said, instead)
    chunks = output.split(SEPARATOR + "\n")[1:]
    assert len(chunks) == len(block.commands), output
    return [chunk.splitlines() for chunk in chunks]


BLOCKS = console_blocks(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README line {b.line}" for b in BLOCKS])
def test_each_quoted_command_prints_what_the_readme_says(block, setting):
    printed = run_block(block, setting(block))
    for command, actual in zip(block.commands, printed, strict=True):
        assert matches(command.printed, actual), (
            f"README line {block.line}: `{command.text}` printed\n"
            + "\n".join(actual)
            + "\n\nbut the README says\n"
            + "\n".join(command.printed)
        )


def test_the_readme_quotes_commands_in_console_blocks():
    """The quick start, validate, and the dry run's plan redirected to a file at least."""
    quoted = [c.text for block in BLOCKS for c in block.commands]
    assert any(text.startswith("zenodo-action validate") for text in quoted)
    assert any("--dry-run > plan.txt" in text for text in quoted)
    assert all(block.commands for block in BLOCKS)


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "b", "c"], False),
        (["a", "...", "z"], ["a", "z"], True),
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "...", "z"], ["a", "b"], False),
        (["error: upload_type: 'sofware' ..."], ["error: upload_type: 'sofware' is bad"], True),
        (["error: x ..."], ["error: y"], False),
        (["dry run..."], ["dry run: nothing"], False),  # `...` needs the space to mean more
    ],
)
def test_the_convention_matches_as_documented(expected, actual, same):
    assert matches(expected, actual) is same


def test_blocks_are_parsed_with_their_options_and_continued_commands():
    text = (
        "<!-- readme-run: zenodo=tidewatch today=2024-06-12 -->\n"
        "```console\n$ zenodo-action publish \\\n  --dry-run\nplan\n$ cat x\nx\n```\n"
    )
    [block] = console_blocks(text)
    assert block.options == {"zenodo": "tidewatch", "today": "2024-06-12"}
    assert [c.text for c in block.commands] == ["zenodo-action publish \\\n  --dry-run", "cat x"]
    assert [c.printed for c in block.commands] == [["plan"], ["x"]]


QUOTE = re.compile(r"<!-- readme-quote: (\S+) -->\n```\w*\n(.*?)```\n", re.S)


def test_files_the_readme_quotes_are_quoted_as_they_are():
    """A block after `<!-- readme-quote: PATH -->` is that file, its leading comments aside."""
    quotes = QUOTE.findall(README.read_text(encoding="utf-8"))
    assert quotes
    for path, quoted in quotes:
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines(keepends=True)
        while lines and lines[0].startswith("#"):
            lines.pop(0)
        assert quoted == "".join(lines), f"the README's copy of {path} differs from the file"
