"""Invariants checked after a soak, against the database itself (Django must
be configured on the soak's database). Used by bench/soak.py, bench/faults.py
and tests/test_soak_invariants.py. Bench-only: the product never imports it.

``check_all(declaration_id, records)`` takes the client-side request log
(bench/soak_load.Rec as dicts) and returns one result per invariant:

1. acknowledged writes exist exactly once: every 2xx write is in the
   database once (found by the unique marker the request carried, or, for
   withdrawals, which carry none, by counting the events on their target);
2. refused writes do not exist: no 4xx/5xx write left anything behind (and
   no marked write exists that no request accounts for);
3. every revision's text is its predecessor plus the proposals it
   incorporated (re-derived: accepted replace/alternative/delete/insert_after
   applied in the order they were accepted, as drafting/services/working_text.py
   does), and no revision is half-written;
4. the event log replays to the current state: proposal statuses, versions,
   positions, paragraph objections, paragraph states and texts;
5. no paragraph was agreed while an objection stood (at the moment of each
   agreement, replaying the log, and in the final state);
6. every export job acknowledged ended done with a file python-docx opens.

Requests that got no answer (timeouts, refused connections) are "unknown":
their write may or may not exist, and both are accepted.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

MARK = re.compile(r"(sk-[a-z0-9_]+-\d+x\d+)")
MARKED_OPS = {
    "submit", "support", "object", "object_paragraph", "accept", "reject", "next_revision",
    "transition_agree", "transition_reopen", "transition_open", "transition_bracket", "transition_unbracket",
}  # fmt: skip
# Where the events of each marked write go (verb → op).
EVENT_OP = {
    "proposal.supported": "support",
    "proposal.objected": "object",
    "paragraph.objected": "object_paragraph",
    "proposal.accepted": "accept",
    "proposal.rejected": "reject",
}
BULK_STATUS = {"carried_over": "submitted", "refitted": "submitted"}


@dataclass
class Result:
    name: str
    held: bool
    checked: int = 0
    details: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.held = False
        if len(self.details) < 20:
            self.details.append(message)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "held": self.held, "checked": self.checked, "details": self.details,
                "info": self.info}  # fmt: skip


def outcome(status: int) -> str:
    if 200 <= status < 300:
        return "acked"
    if status >= 400:
        return "refused"
    return "unknown"


def _marker(value: Any) -> str | None:
    if isinstance(value, str):
        m = MARK.search(value)
        return m.group(1) if m else None
    return None


def check_writes(declaration_id: int, records: list[dict[str, Any]]) -> tuple[Result, Result]:
    """Invariants 1 and 2."""
    from drafting.models import Event, Proposal, Revision

    acked = Result("every acknowledged write exists exactly once", True)
    refused = Result("no refused write exists", True)
    stored: Counter[str] = Counter()  # marker → rows/events carrying it
    where: dict[str, str] = {}
    for rationale in Proposal.objects.filter(declaration_id=declaration_id).values_list("rationale", flat=True):
        if (m := _marker(rationale)) is not None:
            stored[m] += 1
            where[m] = "proposal"
    for note in Revision.objects.filter(declaration_id=declaration_id).values_list("note", flat=True):
        if (m := _marker(note)) is not None:
            stored[m] += 1
            where[m] = "revision"
    for verb, after in Event.objects.filter(declaration_id=declaration_id).values_list("verb", "after"):
        if not isinstance(after, dict):
            continue
        if verb in EVENT_OP or (verb.startswith("paragraph.") and verb != "paragraph.changed"):
            m = _marker(after.get("reason")) or _marker(after.get("note"))
            if m is not None:
                stored[m] += 1
                where[m] = verb
    by_marker: dict[str, dict[str, Any]] = {}
    outcomes: Counter[str] = Counter()
    for r in records:
        if r["op"] in MARKED_OPS and r.get("marker"):
            by_marker[r["marker"]] = r
            o = outcome(r["status"])
            outcomes[f"{r['op']}:{o}"] += 1
            n = stored.get(r["marker"], 0)
            if o == "acked":
                acked.checked += 1
                if n != 1:
                    acked.fail(f"{r['op']} {r['marker']} answered {r['status']} but is stored {n} times")
                elif (
                    r["op"] == "submit"
                    and r.get("created") is not None
                    and not Proposal.objects.filter(pk=r["created"], rationale=r["marker"]).exists()
                ):
                    acked.fail(f"submit {r['marker']} answered id {r['created']}, which does not carry it")
            elif o == "refused":
                refused.checked += 1
                if n:
                    refused.fail(f"{r['op']} {r['marker']} answered {r['status']} but is stored {n} times")
    orphans = [m for m in stored if m not in by_marker]
    for m in orphans[:20]:
        refused.fail(f"{where[m]} carries marker {m}, which no request sent")
    refused.info["orphans"] = len(orphans)

    # Withdrawals carry no marker: count the events on their target.
    targets = {
        "withdraw": ("proposal.withdrawn", False),
        "withdraw_position": ("position.withdrawn", True),
        "withdraw_paragraph_objection": ("paragraph.objection_withdrawn", True),
    }
    events: Counter[tuple[str, int, str]] = Counter()
    for verb, proposal_id, paragraph_id, code in Event.objects.filter(
        declaration_id=declaration_id, verb__in=[v for v, _ in targets.values()]
    ).values_list("verb", "proposal_id", "paragraph_id", "delegation__code"):
        target = paragraph_id if verb == "paragraph.objection_withdrawn" else proposal_id
        events[(verb, target, code if verb != "proposal.withdrawn" else "")] += 1
    asked: dict[tuple[str, int, str], Counter[str]] = defaultdict(Counter)
    for r in records:
        if r["op"] in targets and r.get("target") is not None:
            verb, per_delegation = targets[r["op"]]
            o = outcome(r["status"])
            outcomes[f"{r['op']}:{o}"] += 1
            asked[(verb, r["target"], r["code"] if per_delegation else "")][o] += 1
    for key, counts in asked.items():
        n = events.get(key, 0)
        if counts["acked"]:
            acked.checked += counts["acked"]
        refused.checked += counts["refused"]
        if not counts["acked"] <= n <= counts["acked"] + counts["unknown"]:
            (acked if n < counts["acked"] else refused).fail(
                f"{key[0]} on {key[1]} {key[2]}: {counts['acked']} acknowledged, {counts['refused']} refused, "
                f"{counts['unknown']} unanswered, {n} in the record"
            )
    for key, n in events.items():
        if key not in asked:
            refused.fail(f"{key[0]} on {key[1]} {key[2]}: {n} in the record, no request asked for it")
    acked.info = dict(sorted(outcomes.items()))
    return acked, refused


def _derive(previous: list[tuple[int, str]], accepted: list[Any]) -> list[tuple[int, str]]:
    """The working text after applying ``accepted`` (in acceptance order) to a
    revision's paragraphs, as drafting/services/working_text.py applies them."""
    rows: list[dict[str, Any]] = [
        {"id": pid, "text": text, "inserted": False, "deleted": False} for pid, text in previous
    ]
    for p in accepted:
        index = next((i for i, row in enumerate(rows) if row["id"] == p.paragraph_id), None)
        if index is None:
            raise LookupError(f"proposal {p.pk} edits paragraph {p.paragraph_id}, which is not in the text")
        if p.kind == "insert_after":
            at = index + 1
            while at < len(rows) and rows[at]["inserted"]:
                at += 1
            rows.insert(at, {"id": p.created_paragraph_id, "text": p.text, "inserted": True, "deleted": False})
        elif p.kind == "delete":
            rows[index]["deleted"] = True
        else:
            rows[index]["text"] = p.text
    return [(row["id"], row["text"]) for row in rows if not row["deleted"]]


def check_revisions(declaration_id: int) -> Result:
    """Invariant 3."""
    from drafting.models import Event, Proposal, Revision, RevisionParagraph

    result = Result("every revision = its predecessor + the proposals it incorporated; none half-written", True)
    revisions = list(Revision.objects.filter(declaration_id=declaration_id).order_by("number"))
    issued = Counter(
        Event.objects.filter(declaration_id=declaration_id, verb="revision.issued").values_list("object_id", flat=True)
    )
    sizes = {
        e["revision"]: e.get("paragraphs")
        for e in Event.objects.filter(declaration_id=declaration_id, verb="revision.issued").values_list(
            "after", flat=True
        )
        if e is not None
    }
    accepted_at = {
        pid: eid
        for eid, pid in Event.objects.filter(declaration_id=declaration_id, verb="proposal.accepted").values_list(
            "id", "proposal_id"
        )
    }
    texts: dict[int, list[tuple[int, str]]] = {}
    for r in revisions:
        texts[r.pk] = list(
            RevisionParagraph.objects.filter(revision=r).order_by("position").values_list("paragraph_id", "text")
        )
    for n, r in enumerate(revisions):
        result.checked += 1
        if r.number != n:
            result.fail(f"revision numbers are not contiguous: {r.label} is number {r.number}, expected {n}")
        if issued.get(str(r.pk), 0) != 1:
            result.fail(f"{r.label}: {issued.get(str(r.pk), 0)} revision.issued events")
        if sizes.get(r.pk) != len(texts[r.pk]) or not r.sections.exists():
            result.fail(f"{r.label}: {len(texts[r.pk])} paragraphs stored, the record says {sizes.get(r.pk)}")
        if n == 0:
            continue
        incorporated = [
            p for p in Proposal.objects.filter(incorporated_in=r)
            if not (p.refit and p.refit.get("status") == "already_incorporated")
        ]  # fmt: skip
        missing = [p.pk for p in incorporated if p.pk not in accepted_at]
        if missing:
            result.fail(f"{r.label}: incorporated proposals {missing[:5]} were never accepted")
            continue
        incorporated.sort(key=lambda p: accepted_at[p.pk])
        try:
            expected = _derive(texts[revisions[n - 1].pk], incorporated)
        except LookupError as exc:
            result.fail(f"{r.label}: {exc}")
            continue
        if expected != texts[r.pk]:
            diff = next(
                (i for i, (a, b) in enumerate(zip(expected, texts[r.pk], strict=False)) if a != b),
                min(len(expected), len(texts[r.pk])),
            )
            result.fail(
                f"{r.label}: differs from {revisions[n - 1].label} + {len(incorporated)} accepted proposals at "
                f"paragraph {diff}: expected {expected[diff : diff + 1]}, stored {texts[r.pk][diff : diff + 1]}"
            )
    result.info = {"revisions": len(revisions), "incorporated": Proposal.objects.filter(
        declaration_id=declaration_id, status="incorporated").count()}  # fmt: skip
    return result


def check_replay(declaration_id: int) -> tuple[Result, Result]:
    """Invariants 4 and 5: replay the event log from the zero draft."""
    from drafting.models import Event, ParagraphObjection, Position, Proposal, Revision

    replay = Result("the event log replays to the current state", True)
    agreement = Result("no paragraph agreed while an objection stood", True)
    zero = Revision.objects.filter(declaration_id=declaration_id, number=0).first()
    if zero is None:
        replay.fail("no zero draft")
        return replay, agreement
    state: dict[int, str] = {}
    text: dict[int, str] = {}
    for pid, t in zero.paragraphs.values_list("paragraph_id", "text"):
        state[pid], text[pid] = "open", t
    status: dict[int, str] = {}
    version: dict[int, int] = {}
    kind: dict[int, str] = {}
    anchor: dict[int, int] = {}
    wording: dict[int, str] = {}  # a proposal's text, as submitted or re-fitted
    positions: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    objections: dict[int, dict[str, str]] = defaultdict(dict)
    agreements = 0
    for verb, proposal_id, paragraph_id, code, before, after in (
        Event.objects.filter(declaration_id=declaration_id)
        .order_by("id")
        .values_list("verb", "proposal_id", "paragraph_id", "delegation__code", "before", "after")
    ):
        after = after or {}
        if verb == "proposal.submitted":
            status[proposal_id], version[proposal_id] = "submitted", 1
            kind[proposal_id], anchor[proposal_id] = after["kind"], paragraph_id
            wording[proposal_id] = after["text"]
            continue
        if verb in ("proposal.supported", "proposal.objected"):
            positions[proposal_id][code] = (after["stance"], after["reason"])
        elif verb == "position.withdrawn":
            positions[proposal_id].pop(code, None)
        elif verb == "paragraph.objected":
            objections[paragraph_id][code] = after["reason"]
        elif verb == "paragraph.objection_withdrawn":
            objections[paragraph_id].pop(code, None)
        elif verb == "paragraph.changed":
            state[paragraph_id], text[paragraph_id] = after["state"], after["text"]
        elif verb.startswith("paragraph."):
            if verb in ("paragraph.agree", "paragraph.agree_ad_ref"):
                agreements += 1
                standing = sorted(objections[paragraph_id]) + sorted(
                    c for q, a in anchor.items() if a == paragraph_id and status.get(q) == "submitted"
                    for c, (stance, _) in positions[q].items() if stance == "object"
                )  # fmt: skip
                if standing:
                    agreement.fail(f"paragraph {paragraph_id} agreed while {standing} objected")
            if "state" in after:
                state[paragraph_id] = after["state"]
        if verb.startswith("proposal.") and proposal_id is not None:
            new = BULK_STATUS.get(after.get("status", ""), after.get("status"))
            if new:
                status[proposal_id] = new
            if "text" in after and verb != "proposal.accepted":
                wording[proposal_id] = after["text"]  # a clean re-fit rewrote it
            if after.get("inserted_paragraph"):
                pid = after["inserted_paragraph"]
                state[pid], text[pid] = "under_discussion", wording.get(proposal_id, "")
        # Every change bumps the proposal's version, except the bulk move of
        # accepted proposals to "incorporated" at a revision.
        bulk_incorporation = verb == "proposal.incorporated" and (before or {}).get("status") == "accepted"
        if (verb.startswith("proposal.") or verb == "position.withdrawn") and proposal_id and not bulk_incorporation:
            version[proposal_id] = version.get(proposal_id, 1) + 1
    agreement.checked = agreements

    rows = {p.pk: p for p in Proposal.objects.filter(declaration_id=declaration_id)}
    for pk, p in rows.items():
        replay.checked += 1
        if status.get(pk) != p.status:
            replay.fail(f"proposal {pk}: the record says {status.get(pk)}, the row {p.status}")
        if version.get(pk) != p.version:
            replay.fail(f"proposal {pk}: the record gives version {version.get(pk)}, the row {p.version}")
    for pk in set(status) - set(rows):
        replay.fail(f"proposal {pk} is in the record but not in the table")
    stored_positions: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for pid, code, stance, reason in Position.objects.filter(proposal__declaration_id=declaration_id).values_list(
        "proposal_id", "delegation__code", "stance", "reason"
    ):
        stored_positions[pid][code] = (stance, reason)
    for pid in set(positions) | set(stored_positions):
        replay.checked += 1
        if dict(positions.get(pid, {})) != stored_positions.get(pid, {}):
            replay.fail(f"positions on proposal {pid}: record {positions.get(pid)} vs rows {stored_positions.get(pid)}")
    stored_objections: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, code, reason in ParagraphObjection.objects.filter(paragraph__declaration_id=declaration_id).values_list(
        "paragraph_id", "delegation__code", "reason"
    ):
        stored_objections[pid][code] = reason
    for pid in set(objections) | set(stored_objections):
        replay.checked += 1
        if dict(objections.get(pid, {})) != stored_objections.get(pid, {}):
            replay.fail(
                f"objections to paragraph {pid}: record {objections.get(pid)} vs rows {stored_objections.get(pid)}"
            )
    from drafting.models import Paragraph

    for par in Paragraph.objects.filter(declaration_id=declaration_id):
        replay.checked += 1
        if state.get(par.pk) != par.state:
            replay.fail(f"paragraph {par.pk}: the record says {state.get(par.pk)}, the row {par.state}")
        if text.get(par.pk) != par.text:
            replay.fail(f"paragraph {par.pk}: the record's text differs from the row's")

    # The final state: an agreed paragraph has no objection standing against it
    # (to itself, or to a pending proposal rewording or deleting it).
    for par in Paragraph.objects.filter(declaration_id=declaration_id, state__in=["agreed", "agreed_ad_ref"]):
        agreement.checked += 1
        standing = sorted(stored_objections.get(par.pk, {})) + sorted(
            code for q in rows.values() if q.paragraph_id == par.pk and q.status == "submitted"
            and q.kind != "insert_after" for code, (stance, _) in stored_positions.get(q.pk, {}).items()
            if stance == "object"
        )  # fmt: skip
        if standing:
            agreement.fail(f"paragraph {par.pk} is {par.state} while {standing} object")
    agreement.info = {"agreements_in_record": agreements}
    return replay, agreement


def check_exports(records: list[dict[str, Any]]) -> Result:
    """Invariant 6 (call once the worker has drained the queue)."""
    import docx

    from drafting.models import ExportJob

    result = Result("every acknowledged export ended done with a file python-docx opens", True)
    ids: Counter[int] = Counter()
    for r in records:
        if r["op"].startswith("export_") and outcome(r["status"]) == "acked" and r.get("created") is not None:
            ids[r["created"]] += 1
            if r["status"] == 201 and ids[r["created"]] > 1:
                pass  # a 201 and then 200s for the same inputs: the same job, as documented
    created = Counter(r["created"] for r in records if r["op"].startswith("export_") and r["status"] == 201)
    for job_id, n in created.items():
        if n > 1:
            result.fail(f"export job {job_id} was answered as new (201) {n} times")
    statuses: Counter[str] = Counter()
    for job in ExportJob.objects.filter(pk__in=list(ids)):
        result.checked += 1
        statuses[job.status] += 1
        if job.status != "done":
            result.fail(
                f"export job {job.pk} ({job.kind}) is {job.status} (created {job.created_at:%H:%M:%S.%f}, handed "
                f"to the broker {job.dispatched_at and f'{job.dispatched_at:%H:%M:%S.%f}'}, {job.attempts} attempts)"
                f"{': ' + job.error if job.error else ''}"
            )
            continue
        with job.file.open("rb") as handle:
            content = handle.read()
        if hashlib.sha256(content).hexdigest() != job.checksum or len(content) != job.size:
            result.fail(f"export job {job.pk}: the file does not match its checksum or size")
            continue
        try:
            document = docx.Document(io.BytesIO(content))
        except Exception as exc:  # any failure to open is the finding
            result.fail(f"export job {job.pk}: python-docx cannot open it ({exc})")
            continue
        if not any(p.text.strip() for p in document.paragraphs):
            result.fail(f"export job {job.pk}: the document is empty")
    missing = set(ids) - set(ExportJob.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))
    for job_id in sorted(missing)[:10]:
        result.fail(f"export job {job_id} was acknowledged but does not exist")
    result.info = {"jobs": len(ids), **statuses}
    return result


def check_all(declaration_id: int, records: list[dict[str, Any]], *, exports: bool = True) -> list[Result]:
    results = [*check_writes(declaration_id, records), check_revisions(declaration_id), *check_replay(declaration_id)]
    if exports:
        results.append(check_exports(records))
    return results


def summary(results: list[Result]) -> str:
    lines = []
    for r in results:
        lines.append(f"{'HELD  ' if r.held else 'BROKEN'} {r.name} ({r.checked} checked)")
        lines += [f"         {d}" for d in r.details[:10]]
    return "\n".join(lines)
