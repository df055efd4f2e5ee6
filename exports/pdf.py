"""PDF (and ODT) from our Word documents, through LibreOffice headless.

Every conversion runs in a fresh temporary directory with its own LibreOffice
user profile (``-env:UserInstallation``): with the shared default profile a
second ``soffice`` started while one runs hands its job to the first and exits
without output, or waits on the profile lock. LibreOffice exits 0 even when it
could not load a file, so success is judged by the output file, not the status.
LibreOffice starts a child process (``soffice.bin``); it runs in a session of
its own so that a timeout kills the whole group, not only the launcher.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "PdfConversionFailed",
    "PdfError",
    "PdfUnavailable",
    "convert",
    "docx_to_odt",
    "docx_to_pdf",
    "libreoffice_path",
    "pdf_available",
]

_CANDIDATES = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice")
_MAGIC = {"pdf": b"%PDF-", "odt": b"PK\x03\x04"}
# ODF's mimetype is the first entry of the zip, stored uncompressed.
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


class PdfError(Exception):
    """A document could not be converted with LibreOffice."""


class PdfUnavailable(PdfError):
    """LibreOffice is not installed on this server."""


class PdfConversionFailed(PdfError):
    """LibreOffice ran but produced no usable file; the message says what to do."""


def libreoffice_path() -> str | None:
    """The LibreOffice executable: ``soffice`` or ``libreoffice`` on PATH, else a
    usual install location; ``None`` when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _CANDIDATES if os.access(p, os.X_OK)), None)


def pdf_available() -> bool:
    return libreoffice_path() is not None


def docx_to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """The PDF of one .docx. Raises :class:`PdfUnavailable` or :class:`PdfConversionFailed`."""
    return convert([docx], to="pdf", timeout=timeout)[0]


def docx_to_odt(docx: bytes, *, timeout: float = 120) -> bytes:
    """The OpenDocument text of one .docx (LibreOffice's own reading of it)."""
    return convert([docx], to="odt", timeout=timeout)[0]


_WORKDIR_PREFIX = "consenso-lo-"


def sweep_stale_workdirs() -> list[Path]:
    """Remove the work directories (documents and a LibreOffice profile, some
    30 MB) that conversions killed mid-way left behind: a worker killed at
    its time limit never runs its cleanup. Each directory is named after
    the process that made it; one whose process is gone is stale."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{_WORKDIR_PREFIX}*-*"):
        pid = folder.name[len(_WORKDIR_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def convert(documents: Sequence[bytes], *, to: str, timeout: float = 120) -> list[bytes]:
    """Convert several .docx to ``to`` (``"pdf"`` or ``"odt"``) in one LibreOffice
    run (it starts once, ~1-2 s, then converts each file); results in order."""
    if to not in _MAGIC:
        raise ValueError(f"Unsupported target format {to!r}; use one of {', '.join(_MAGIC)}.")
    program = libreoffice_path()
    if program is None:
        raise PdfUnavailable("PDF export is not available: LibreOffice is not installed on the server.")
    if not documents:
        return []
    sweep_stale_workdirs()
    with tempfile.TemporaryDirectory(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-") as work:
        root = Path(work)
        sources = []
        for number, data in enumerate(documents, start=1):
            source = root / f"document-{number}.docx"
            source.write_bytes(data)
            sources.append(source)
        out = root / "out"
        command = [
            program,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            *map(str, sources),
        ]
        stderr = _run(command, cwd=root, timeout=timeout)
        results = []
        for source in sources:
            target = out / f"{source.stem}.{to}"
            data = target.read_bytes() if target.is_file() else b""
            if not _looks_like(data, to):
                detail = f" ({stderr})" if stderr else ""
                raise PdfConversionFailed(
                    f"LibreOffice could not convert the document to {to.upper()}{detail}. "
                    "Download the Word document instead, or report the problem to the Technical Secretariat."
                )
            results.append(data)
        return results


def _looks_like(data: bytes, to: str) -> bool:
    if to == "odt":
        return data.startswith(_MAGIC[to]) and _ODT_MIMETYPE in data[:100]
    return data.startswith(_MAGIC[to])


def _run(command: list[str], *, cwd: Path, timeout: float) -> str:
    """Run LibreOffice; its last error message, or its exit status if not 0, or ''."""
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        raise PdfUnavailable(f"PDF export is not available: LibreOffice could not be started ({error}).") from error
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PdfConversionFailed(
            f"LibreOffice took longer than {timeout:g} s to convert the document and was stopped. "
            "Try again in a few minutes, or download the Word document instead."
        ) from None
    # It prints warnings (javaldx, fonts) that say nothing about the document.
    errors = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if "error" in line.lower()]
    if errors:
        return errors[-1][:200]
    return f"exit status {process.returncode}" if process.returncode else ""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the launcher and soffice.bin, its child, in the session started for them."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
