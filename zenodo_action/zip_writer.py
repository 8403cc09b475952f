"""Writing a zip's records: local headers, the central directory and its end.

Python's `zipfile` can only deflate a member itself, in the thread that writes the
archive; `packing` deflates members ahead in other threads, so it writes the records
here. The layout is PKWARE's (docs/reference/git-lfs-and-archives.md §6), with the
choices `zipfile` makes, so the two give the same bytes: a unix `create_system`, no
extra field but zip64's, sizes and the CRC in the local header (never a data
descriptor), zip64 records past 2 GiB - 1, UTF-8 names flagged when not ASCII.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

STORED, DEFLATED = 0, 8
ZIP64_LIMIT = (1 << 31) - 1  # past this, zip64 records (readers that take fields as signed)
MOST_ENTRIES = (1 << 16) - 1  # entries the end record can count
_VERSION, _ZIP64_VERSION = 20, 45  # version needed to extract: 2.0, and 4.5 for zip64
_UNIX = 3
_UTF8_NAME = 0x800  # general purpose flag bit 11
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END = struct.Struct("<4s4H2LH")


@dataclass
class _Entry:
    """What the central directory repeats about a member, once its data is written."""

    name: bytes
    flags: int
    method: int
    external: int  # unix mode << 16, plus MS-DOS attribute bits
    offset: int  # of its local header
    zip64_local: bool = False
    crc: int = 0
    compressed: int = 0
    size: int = 0


def dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """(time, date) as MS-DOS stores them: two-second steps, years from 1980."""
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def needs_zip64_header(size: int) -> bool:
    """Whether a member of `size` bytes gets zip64 sizes in its local header: deflate may
    grow data a little, so room is kept for 5% more (zipfile's rule)."""
    return size * 1.05 > ZIP64_LIMIT


class ZipWriter:
    """Writes members one after the other to `out` (a new file, seekable), then the
    central directory; every member has the same time."""

    def __init__(self, out: BinaryIO, date_time: tuple[int, int, int, int, int, int]) -> None:
        self.out = out
        self.time, self.date = dos_time(date_time)
        self.entries: list[_Entry] = []
        self.position = 0

    def add(self, name: str, external: int, method: int, crc: int, size: int, data: bytes) -> None:
        """A member whose data (`size` bytes before compression) is ready."""
        entry = self._entry(name, external, method, zip64_local=needs_zip64_header(size))
        entry.crc, entry.compressed, entry.size = crc, len(data), size
        self._write(self._local_header(entry) + data)

    def begin(self, name: str, external: int, method: int, size: int) -> _Entry:
        """A member whose data follows in pieces (`write`), then `end`."""
        entry = self._entry(name, external, method, zip64_local=needs_zip64_header(size))
        self._write(self._local_header(entry))
        return entry

    def write(self, data: bytes) -> None:
        self._write(data)

    def end(self, entry: _Entry, crc: int, compressed: int, size: int) -> None:
        """The header of the member `begin` started, rewritten with its CRC and sizes."""
        entry.crc, entry.compressed, entry.size = crc, compressed, size
        if not entry.zip64_local and max(size, compressed) > ZIP64_LIMIT:
            raise ValueError(f"{entry.name!r} grew past the size its header was written for")
        self.out.seek(entry.offset)
        self.out.write(self._local_header(entry))
        self.out.seek(self.position)

    def finish(self, comment: bytes) -> None:
        """The central directory, the zip64 end records when needed, the end record."""
        start = self.position
        self._write(b"".join(self._central_header(entry) for entry in self.entries))
        count, size = len(self.entries), self.position - start
        if count > MOST_ENTRIES or start > ZIP64_LIMIT or size > ZIP64_LIMIT:
            end64 = self.position
            self._write(
                _END64.pack(b"PK\x06\x06", _END64.size - 12, _ZIP64_VERSION, _ZIP64_VERSION,
                            0, 0, count, count, size, start)
                + _END64_LOCATOR.pack(b"PK\x06\x07", 0, end64, 1)
            )  # fmt: skip
            count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
        self._write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, len(comment)))
        self._write(comment)

    def _entry(self, name: str, external: int, method: int, *, zip64_local: bool) -> _Entry:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        entry = _Entry(encoded, flags, method, external, self.position, zip64_local)
        self.entries.append(entry)
        return entry

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def _local_header(self, entry: _Entry) -> bytes:
        compressed, size, extra = entry.compressed, entry.size, b""
        if entry.zip64_local:
            extra = struct.pack("<2H2Q", 1, 16, size, compressed)
            compressed = size = 0xFFFFFFFF
        version = _ZIP64_VERSION if entry.zip64_local else _VERSION
        header = _LOCAL.pack(
            b"PK\x03\x04", version, 0, entry.flags, entry.method, self.time, self.date,
            entry.crc, compressed, size, len(entry.name), len(extra),
        )  # fmt: skip
        return header + entry.name + extra

    def _central_header(self, entry: _Entry) -> bytes:
        compressed, size, offset, large = entry.compressed, entry.size, entry.offset, []
        if max(size, compressed) > ZIP64_LIMIT:
            large += [size, compressed]
            compressed = size = 0xFFFFFFFF
        if offset > ZIP64_LIMIT:
            large.append(offset)
            offset = 0xFFFFFFFF
        extra = struct.pack(f"<2H{len(large)}Q", 1, 8 * len(large), *large) if large else b""
        version = _ZIP64_VERSION if large or entry.zip64_local else _VERSION
        header = _CENTRAL.pack(
            b"PK\x01\x02", version, _UNIX, version, 0, entry.flags, entry.method, self.time,
            self.date, entry.crc, compressed, size, len(entry.name), len(extra), 0, 0, 0,
            entry.external, offset,
        )  # fmt: skip
        return header + entry.name + extra
