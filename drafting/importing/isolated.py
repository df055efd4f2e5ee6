"""Reading an upload in a separate, limited process.

``read_isolated`` runs ``read_document`` in a child Python process that
first lowers its own operating-system limits (``resource.setrlimit``): CPU
time, address space, no file writing, no core dump; and the parent waits at
most a wall-clock deadline. Whatever a file makes the reader do, the worst
outcome is that this child dies, and the job fails once with a clear
reason: the worker (Celery's, or the embedded runner) goes on, nothing is
redelivered, no web request or deadline sweep waits on it.

The limits inside the reader (``limits``) answer the files we know of with
a precise message; these are the fence for the ones we do not.

The child gets the file on stdin and writes one JSON object on stdout:
``{"result": …}`` or ``{"error": msgid, "params": …}`` (the refusal, as
``UnreadableDocument`` holds it, so that the parent raises it again to be
read in the reader's language), and ``"stats"`` (CPU seconds and peak
memory, which the hostile-input tests assert on). It opens no database and
reads no settings, and gets none of the worker's environment (no database
URL, no secret key): nothing but the bytes goes in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drafting.importing.errors import UnreadableDocument
from drafting.importing.result import ImportResult

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProcessLimits:
    cpu_seconds: int = 15
    memory_bytes: int = 768 * 1024 * 1024  # address space, not resident memory: Python and lxml reserve some
    wall_seconds: float = 25.0


@dataclass(frozen=True)
class Stats:
    cpu_seconds: float
    peak_rss_bytes: int
    wall_seconds: float


@dataclass(frozen=True)
class Outcome:
    """What the child answered: a result or the reason it could not read the
    file, and its measurements (None when it was stopped before answering)."""

    result: ImportResult | None
    refusal: UnreadableDocument | None
    stats: Stats | None

    @property
    def error(self) -> str:
        """The refusal in English ("" with a result)."""
        return "" if self.refusal is None else str(self.refusal)


def run_isolated(data: bytes, *, filename: str, max_bytes: int, limits: ProcessLimits = ProcessLimits()) -> Outcome:
    """``read_document(data)`` in a limited child process (see the module doc)."""
    began = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drafting.importing.isolated",
            str(limits.cpu_seconds),
            str(limits.memory_bytes),
            str(max_bytes),
            filename,
        ],
        cwd=ROOT,
        # nothing of the worker's environment (database URL, secret key): the child needs none of it
        env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(data, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        refusal = UnreadableDocument(
            "Reading this file took longer than %(seconds)s s and was stopped. "
            "Save it again as .docx (or split it) and upload it again.",
            params={"seconds": f"{limits.wall_seconds:g}"},
        )
        return Outcome(None, refusal, None)
    wall = time.monotonic() - began
    try:
        answer: dict[str, Any] = json.loads(out) if out else {}
    except ValueError:
        answer = {}
    if "stats" not in answer:
        return Outcome(None, _why_stopped(proc.returncode, err, limits), None)
    stats = Stats(answer["stats"]["cpu_seconds"], answer["stats"]["peak_rss_bytes"], wall)
    if "error" in answer:
        params = {str(k): str(v) for k, v in (answer.get("params") or {}).items()}
        return Outcome(None, UnreadableDocument(str(answer["error"]), params=params), stats)
    return Outcome(ImportResult.from_json(answer["result"]), None, stats)


def read_isolated(
    data: bytes, *, filename: str, max_bytes: int, limits: ProcessLimits = ProcessLimits()
) -> ImportResult:
    """The result, or ``UnreadableDocument`` for what the reader refused and
    for what the limits stopped."""
    outcome = run_isolated(data, filename=filename, max_bytes=max_bytes, limits=limits)
    if outcome.result is None:
        assert outcome.refusal is not None
        raise outcome.refusal
    return outcome.result


def _why_stopped(returncode: int, stderr: bytes, limits: ProcessLimits) -> UnreadableDocument:
    import signal

    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return UnreadableDocument(
            "Reading this file needed more than %(seconds)s s of processing and was stopped. "
            "Save it again as .docx (or split it) and upload it again.",
            params={"seconds": str(limits.cpu_seconds)},
        )
    if b"MemoryError" in stderr:
        return _out_of_memory(limits.memory_bytes)
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {returncode}"]
    return UnreadableDocument(
        "This file could not be read (the reader stopped: %(reason)s). Save it again as .docx and retry.",
        params={"reason": tail[0][:200]},
    )


def _out_of_memory(memory_bytes: int) -> UnreadableDocument:
    return UnreadableDocument(
        "Reading this file needed more than %(megabytes)s MB of memory and was stopped. "
        "Save it again as .docx (or split it) and upload it again.",
        params={"megabytes": str(memory_bytes // (1024 * 1024))},
    )


# -- the child ------------------------------------------------------------------


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # the reader writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _stats() -> dict[str, Any]:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_bytes": _peak_rss(usage.ru_maxrss * 1024)}


def _peak_rss(fallback: int) -> int:
    """This process's own peak resident memory: Linux's VmHWM. (``ru_maxrss``
    survives ``exec`` and so may be the forking parent's size, not ours.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return fallback


def _child(argv: list[str]) -> None:
    cpu_seconds, memory_bytes, max_bytes, filename = int(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    _limit_self(cpu_seconds, memory_bytes)
    data = sys.stdin.buffer.read()
    answer: dict[str, Any]
    refusal: UnreadableDocument | None = None
    try:
        from drafting.importing import read_document

        result = read_document(data, filename=filename, max_bytes=max_bytes)
        answer = {"result": result.to_json()}
    except UnreadableDocument as exc:
        refusal = exc
    except MemoryError:
        refusal = _out_of_memory(memory_bytes)
    except RecursionError:
        refusal = UnreadableDocument(
            "This Word document nests too deeply to be read. Save it again as .docx and retry.", params={}
        )
    except Exception as exc:  # the parser met something unforeseen: the file is what it cannot read
        refusal = UnreadableDocument(
            "This file could not be read (%(error)s). Save it again as .docx and retry.",
            params={"error": type(exc).__name__},
        )
    if refusal is not None:  # the msgid and its params: the parent raises it again, translated when read
        answer = {"error": refusal.msgid, "params": refusal.params}
    answer["stats"] = _stats()
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child(sys.argv[1:])
