"""The soak's clients: asyncio + httpx, one coroutine per client, each acting
for one seat (a member delegate, an observer, the PPT, the Technical
Secretariat) against the real server, closed loop, until a deadline.

Every request is logged client-side (``Rec``): operation, status, the id it
created, the proposal or paragraph it targeted, and the *marker*: a string
unique to the request that the write carries into the database (a proposal's
rationale, a position's reason, a decision's or a transition's note, a
revision's note), so that afterwards bench/soak_invariants.py can tell, for
every request, whether its write exists, and how many times.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import orjson

from bench.soak_world import Seat

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

PROPOSABLE = {"open", "under_discussion", "bracketed", "reopened"}
DISCUSSABLE = {"under_discussion", "bracketed", "reopened"}


@dataclass
class Rec:
    phase: str
    client: int
    username: str
    code: str
    seat: str
    op: str
    method: str
    path: str
    t: float  # start, seconds since the phase began
    ms: float
    status: int  # 0: no answer (timeout, connection refused or reset)
    marker: str | None = None
    target: int | None = None
    created: int | None = None
    error: str | None = None
    detail: str | None = None


@dataclass
class Shared:
    """What the clients collectively know of the text (refreshed from their
    reads, as a delegation's screen is); often stale, which is the point."""

    declaration: int
    revision: int = 0
    paragraphs: dict[int, dict[str, Any]] = field(default_factory=dict)
    pending: dict[int, dict[str, Any]] = field(default_factory=dict)
    mine: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    positions: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    objections: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    last_revision: float = 0.0
    revision_every: float = 15.0
    export_every: float = 1.0
    last_export: float = 0.0

    def absorb_working_text(self, body: dict[str, Any]) -> None:
        if body.get("revision"):
            self.revision = body["revision"]["id"]
        paragraphs: dict[int, dict[str, Any]] = {}
        pending: dict[int, dict[str, Any]] = {}
        for section in body["sections"]:
            for p in section["paragraphs"]:
                paragraphs[p["paragraph"]] = {
                    "text": p["text"],
                    "state": p["state"],
                    "objections": [o["delegation"] for o in p["objections"]],
                }
                for q in p["proposals"]:
                    if q["status"] == "submitted":
                        pending[q["id"]] = {
                            "paragraph": p["paragraph"],
                            "delegation": q["delegation"],
                            "version": q["version"],
                            "kind": q["kind"],
                            "objections": [o["delegation"] for o in q["objections"]],
                        }
        for q in pending.values():
            if q["objections"]:
                paragraphs[q["paragraph"]]["objections"] += q["objections"]
        self.paragraphs, self.pending = paragraphs, pending


class Client:
    def __init__(
        self,
        index: int,
        seat: Seat,
        shared: Shared,
        http: httpx.AsyncClient,
        base: str,
        recs: list[Rec],
        phase: str,
        t0: float,
        seed: int,
    ) -> None:
        self.index, self.seat, self.shared, self.http, self.base = index, seat, shared, http, base
        self.recs, self.phase, self.t0 = recs, phase, t0
        self.rng = random.Random(seed)
        self.seq = 0
        self.headers = {"Authorization": f"Token {seat.token}"}

    # --- plumbing ---------------------------------------------------------------
    def marker(self) -> str:
        self.seq += 1
        return f"sk-{self.phase}-{self.index}x{self.seq}"

    async def call(
        self,
        op: str,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        marker: str | None = None,
        target: int | None = None,
        parse: bool = False,
    ) -> tuple[int, Any, httpx.Response | None]:
        start = time.perf_counter()
        rec = Rec(self.phase, self.index, self.seat.username, self.seat.code, self.seat.kind, op, method, path,
                  round(start - self.t0, 4), 0.0, 0, marker, target)  # fmt: skip
        data: Any = None
        response: httpx.Response | None = None
        try:
            response = await self.http.request(
                method, self.base + path, content=orjson.dumps(body) if body is not None else None,
                headers={**self.headers, "Content-Type": "application/json"} if body is not None else self.headers,
            )  # fmt: skip
            rec.status = response.status_code
            if response.status_code >= 400 or parse:
                try:
                    data = orjson.loads(response.content) if response.content else None
                except orjson.JSONDecodeError:
                    data = None
                if response.status_code >= 400:
                    rec.detail = (data or {}).get("detail") if isinstance(data, dict) else response.text[:200]
        except httpx.HTTPError as exc:
            rec.error = type(exc).__name__
        rec.ms = round((time.perf_counter() - start) * 1000, 3)
        if isinstance(data, dict) and rec.status in (200, 201) and method == "POST" and "id" in data:
            rec.created = data["id"]
        self.recs.append(rec)
        return rec.status, data, response

    def pick_paragraph(self, states: set[str] | None = None, *, unblocked: bool = False) -> int | None:
        ids = [
            pid for pid, p in self.shared.paragraphs.items()
            if (states is None or p["state"] in states) and not (unblocked and p["objections"])
        ]  # fmt: skip
        return self.rng.choice(ids) if ids else None

    # --- reads ------------------------------------------------------------------
    async def read_text(self) -> None:
        parse = self.rng.random() < 0.05 or not self.shared.revision
        status, data, _ = await self.call("read_text", "GET", f"/api/declarations/{self.shared.declaration}/text/",
                                          parse=parse)  # fmt: skip
        if status == 200 and isinstance(data, dict):
            self.shared.revision = data["id"]

    async def read_working(self, parse: bool | None = None) -> None:
        if parse is None:
            parse = self.rng.random() < 0.2 or not self.shared.paragraphs
        status, data, _ = await self.call(
            "read_working_text", "GET", f"/api/declarations/{self.shared.declaration}/working-text/", parse=parse
        )
        if status == 200 and isinstance(data, dict):
            self.shared.absorb_working_text(data)

    # --- members ----------------------------------------------------------------
    async def submit(self) -> None:
        s, code = self.shared, self.seat.code
        kind = self.rng.choices(["replace", "alternative", "insert_after", "delete"], [55, 15, 20, 10])[0]
        pid = self.pick_paragraph(None if kind == "insert_after" else PROPOSABLE)
        if pid is None or not s.revision:
            return await self.read_working(parse=True)
        mark = self.marker()
        text = {
            "replace": f"{s.paragraphs[pid]['text'][:240]} (as amended, {mark})",
            "alternative": f"Alternative wording from {code}: {s.paragraphs[pid]['text'][:160]} ({mark})",
            "insert_after": f"New paragraph proposed by {code} ({mark}).",
            "delete": "",
        }[kind]
        body = {"declaration": s.declaration, "revision": s.revision, "paragraph": pid, "kind": kind, "text": text,
                "rationale": mark}  # fmt: skip
        status, data, _ = await self.call("submit", "POST", "/api/proposals/", body=body, marker=mark,
                                                  target=pid, parse=True)  # fmt: skip
        if status == 201 and isinstance(data, dict):
            s.pending[data["id"]] = {"paragraph": pid, "delegation": code, "version": data.get("version", 1),
                                     "kind": kind, "objections": []}  # fmt: skip
            s.mine[code].add(data["id"])
        elif status == 409 and isinstance(data, dict) and data.get("current_revision"):
            s.revision = data["current_revision"]

    def pick_pending(self, *, others: bool = True, unobjected: bool = False) -> int | None:
        code = self.seat.code
        ids = [
            i for i, p in self.shared.pending.items()
            if (not others or p["delegation"] != code) and (not unobjected or not p["objections"])
        ]  # fmt: skip
        return self.rng.choice(ids) if ids else None

    async def position(self, stance: str) -> None:
        pid = self.pick_pending()
        if pid is None:
            return await self.read_working(parse=True)
        mark = self.marker()
        reason = f"{'Objection' if stance == 'object' else 'Support'} ({mark})"
        status, _, response = await self.call(stance, "POST", f"/api/proposals/{pid}/{stance}/",
                                              body={"reason": reason}, marker=mark, target=pid)  # fmt: skip
        p = self.shared.pending.get(pid)
        if status == 200 and response is not None:
            self.shared.positions[self.seat.code].add(pid)
            if p is not None:
                p["version"] = int(response.headers.get("ETag", '"0"').strip('"') or 0)
                if stance == "object":
                    p["objections"].append(self.seat.code)
                elif self.seat.code in p["objections"]:
                    p["objections"].remove(self.seat.code)
        elif status == 409:
            self.shared.pending.pop(pid, None)

    async def withdraw(self) -> None:
        mine = self.shared.mine[self.seat.code]
        if not mine:
            return await self.submit()
        pid = self.rng.choice(sorted(mine))
        status, _, _ = await self.call("withdraw", "POST", f"/api/proposals/{pid}/withdraw/", target=pid)
        if status in (200, 409):
            mine.discard(pid)
            self.shared.pending.pop(pid, None)

    async def withdraw_position(self) -> None:
        held = self.shared.positions[self.seat.code]
        if not held:
            return await self.position("support")
        pid = self.rng.choice(sorted(held))
        status, _, _ = await self.call("withdraw_position", "DELETE", f"/api/proposals/{pid}/position/", target=pid)
        if status in (200, 409):
            held.discard(pid)

    async def object_paragraph(self) -> None:
        pid = self.pick_paragraph(PROPOSABLE)
        if pid is None:
            return await self.read_working(parse=True)
        mark = self.marker()
        status, _, _ = await self.call("object_paragraph", "POST", f"/api/paragraphs/{pid}/object/",
                                       body={"reason": f"Cannot accept this paragraph ({mark})"}, marker=mark,
                                       target=pid)  # fmt: skip
        if status == 201:
            self.shared.objections[self.seat.code].add(pid)

    async def withdraw_paragraph_objection(self) -> None:
        held = self.shared.objections[self.seat.code]
        if not held:
            return await self.object_paragraph()
        pid = self.rng.choice(sorted(held))
        status, _, _ = await self.call("withdraw_paragraph_objection", "DELETE", f"/api/paragraphs/{pid}/objection/",
                                       target=pid)  # fmt: skip
        if status in (204, 409):
            held.discard(pid)

    async def export(self, kind: str = "compilation") -> None:
        now = time.monotonic()
        if now - self.shared.last_export < self.shared.export_every:
            return await self.read_text()
        self.shared.last_export = now
        body = {"declaration": self.shared.declaration, "kind": kind, "format": "docx"}
        await self.call(f"export_{kind}", "POST", "/api/exports/", body=body, parse=True)

    # --- the chair --------------------------------------------------------------
    async def decide(self, decision: str) -> None:
        pid = self.pick_pending(others=False, unobjected=decision == "accept")
        if pid is None:
            return await self.read_working(parse=True)
        p = self.shared.pending[pid]
        mark = self.marker()
        status, _, _ = await self.call(decision, "POST", f"/api/proposals/{pid}/{decision}/",
                                       body={"version": p["version"], "note": f"Decided ({mark})"}, marker=mark,
                                       target=pid)  # fmt: skip
        if status in (200, 409, 404):
            self.shared.pending.pop(pid, None)

    async def transition(self) -> None:
        roll = self.rng.random()
        unblocked = False
        if roll < 0.55:
            # Mostly where the chair sees no objection (it may be stale), sometimes anywhere.
            action, states, unblocked = "agree", PROPOSABLE, self.rng.random() < 0.8
        elif roll < 0.75:
            action, states = "reopen", {"agreed", "agreed_ad_ref"}
        elif roll < 0.85:
            action, states = "open", {"open"}
        elif roll < 0.93:
            action, states = "bracket", DISCUSSABLE
        else:
            action, states = "unbracket", {"bracketed"}
        pid = self.pick_paragraph(states, unblocked=unblocked)
        if pid is None:
            return await self.read_working(parse=True)
        mark = self.marker()
        status, data, _ = await self.call(f"transition_{action}", "POST", f"/api/paragraphs/{pid}/transition/",
                                          body={"action": action, "note": f"Chair ({mark})"}, marker=mark,
                                          target=pid, parse=True)  # fmt: skip
        if status == 200 and isinstance(data, dict) and pid in self.shared.paragraphs:
            self.shared.paragraphs[pid]["state"] = data["state"]

    async def next_revision(self) -> None:
        now = time.monotonic()
        if now - self.shared.last_revision < self.shared.revision_every:
            return await self.read_working(parse=True)
        self.shared.last_revision = now
        mark = self.marker()
        path = f"/api/declarations/{self.shared.declaration}/revisions/next/"
        body = {"note": f"Issued by the soak ({mark})"}
        status, data, _ = await self.call("next_revision", "POST", path, body=body, marker=mark, parse=True)
        if status == 201 and isinstance(data, dict):
            self.shared.revision = data["id"]
            await self.read_working(parse=True)

    # --- loops ------------------------------------------------------------------
    MIXES: dict[str, list[tuple[str, float]]] = {
        "member": [("read_text", 22), ("read_working", 10), ("submit", 30), ("support", 13), ("object", 8),
                   ("withdraw", 5), ("withdraw_position", 4), ("object_paragraph", 2),
                   ("withdraw_paragraph_objection", 3), ("export", 3)],
        "observer": [("read_text", 55), ("read_working", 30), ("export", 5), ("submit", 6), ("object", 4)],
        "ppt": [("read_working", 25), ("accept", 30), ("reject", 12), ("transition", 25), ("next_revision", 3),
                ("read_text", 5)],
        "ts": [("read_text", 35), ("read_working", 30), ("export", 15), ("export_tracked", 10),
               ("next_revision", 10)],
    }  # fmt: skip

    async def step(self, op: str) -> None:
        if op == "read_text":
            await self.read_text()
        elif op == "read_working":
            await self.read_working()
        elif op == "submit":
            await self.submit()
        elif op in ("support", "object"):
            await self.position(op)
        elif op == "withdraw":
            await self.withdraw()
        elif op == "withdraw_position":
            await self.withdraw_position()
        elif op == "object_paragraph":
            await self.object_paragraph()
        elif op == "withdraw_paragraph_objection":
            await self.withdraw_paragraph_objection()
        elif op == "export":
            await self.export("compilation")
        elif op == "export_tracked":
            await self.export("tracked")
        elif op in ("accept", "reject"):
            await self.decide(op)
        elif op == "transition":
            await self.transition()
        elif op == "next_revision":
            await self.next_revision()
        else:  # pragma: no cover
            raise ValueError(op)

    async def run(self, deadline: float, mix: list[tuple[str, float]], max_requests: int, interval: float) -> None:
        """Closed loop (``interval`` 0: the next request as soon as the last is
        answered), or paced: one request every ``interval`` seconds, from a
        random offset (a reader reloading the text on a timer)."""
        ops, weights = [o for o, _ in mix], [w for _, w in mix]
        if interval:
            await asyncio.sleep(self.rng.uniform(0, interval))
        while time.monotonic() < deadline and len(self.recs) < max_requests:
            started = time.monotonic()
            await self.step(self.rng.choices(ops, weights)[0])
            if interval:
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


async def run_phase(
    *,
    phase: str,
    base: str,
    shared: Shared,
    seats: list[Seat],
    seconds: float,
    mix: dict[str, list[tuple[str, float]]] | None = None,
    max_requests: int = 2_000_000,
    seed: int = 7,
    timeout: float = 30.0,
    interval: float = 0.0,
) -> tuple[list[Rec], float]:
    """``len(seats)`` clients (one per entry; a seat may appear twice) for
    ``seconds``; returns the log and the phase's wall time."""
    mixes = mix or Client.MIXES
    recs: list[Rec] = []
    limits = httpx.Limits(max_connections=len(seats) + 10, max_keepalive_connections=len(seats) + 10)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        t0 = time.perf_counter()
        deadline = time.monotonic() + seconds
        clients = [
            Client(i, seat, shared, http, base, recs, phase, t0, seed * 1000 + i) for i, seat in enumerate(seats)
        ]
        # Everyone starts from a read of the working text, as a delegation opening the document.
        await clients[0].read_working(parse=True)
        await asyncio.gather(*(c.run(deadline, mixes[c.seat.kind], max_requests, interval) for c in clients))
        wall = time.perf_counter() - t0
    return recs, wall


def records_as_dicts(recs: list[Rec]) -> list[dict[str, Any]]:
    return [asdict(r) for r in recs]
