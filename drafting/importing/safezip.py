"""Reading a zip member with a cap on the bytes actually inflated.

The sizes in a zip's headers are claims: a member declared as 2,000 bytes
may inflate to gigabytes, and ``ZipFile.read`` hands the decompressor a
2 GiB output budget in one call before it compares the result with the
declared size. Here a member is read in small chunks and counted, so that
at most ``cap`` bytes (plus one chunk) are ever held, whatever the headers say.

Written by hand because the standard library has no bounded read and the
zip-handling libraries we would weigh (e.g. ``zipfile-deflate64``) widen
formats rather than bound them.
"""

from __future__ import annotations

import zipfile

CHUNK = 64 * 1024


class TooLarge(Exception):
    """The member inflates beyond the cap (its declared size notwithstanding)."""

    def __init__(self, name: str, cap: int) -> None:
        super().__init__(f"{name} inflates to more than {cap:,} bytes")
        self.name = name
        self.cap = cap


def read_member(package: zipfile.ZipFile, name: str, *, cap: int) -> bytes:
    """The member's bytes, or ``TooLarge`` as soon as more than ``cap`` came
    out. ``KeyError`` when there is no such member; ``zipfile.BadZipFile``
    (and friends) when it is damaged, as ``ZipFile.read`` would raise."""
    out = bytearray()
    with package.open(name) as member:
        while True:
            chunk = member.read(CHUNK)
            if not chunk:
                return bytes(out)
            out += chunk
            if len(out) > cap:
                raise TooLarge(name, cap)
