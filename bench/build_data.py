"""Build the benchmark data set in a fresh PostgreSQL database.

    .venv/bin/python bench/build_data.py [--db consenso_bench] [--paragraphs 200] [--proposals 2000]

Drops and re-creates the database ``consenso_bench`` on 127.0.0.1:5432
(user postgres, trust auth), migrates it, and builds, through the services
that users' requests go through:

* the 11 RCM member delegations (El Salvador holds the PPT), all present,
  one delegate each, and the Technical Secretariat with one staff user;
* a declaration whose 200-paragraph zero draft (title, 40 preambular and
  159 operative paragraphs of 400-600 characters of agreed RCM language
  taken from shared/seeds/004) is issued with ``services.revision_issue``;
* 2,000 proposals spread over the paragraphs, each made with
  ``services.proposal_submit`` by a member delegation (replace, insert
  after, alternative, delete), then supports and objections (with reasons)
  from other delegations with ``services.position_set``, and a few
  withdrawals and PPT decisions, so statuses are mixed.

Only the organisation (users, delegations, meeting) is created directly, as
tests/factories.py does. The build is deterministic (fixed seed); it writes
bench/out/dataset.json with the revision id, the reader's token and counts.
Commits use ``synchronous_commit=off`` in the builder's session only (it
changes durability of the build, not what is built).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from drafting.services.revisions import SectionInput

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
SEED_FILE = Path(os.environ.get("BENCH_SEED_FILE", "/work/shared/seeds/004_76bd39aa7b786ee1.txt"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

MEMBERS = [
    ("BLZ", "Belize"),
    ("CAN", "Canada"),
    ("CRI", "Costa Rica"),
    ("DOM", "Dominican Republic"),
    ("SLV", "El Salvador"),
    ("GTM", "Guatemala"),
    ("HND", "Honduras"),
    ("MEX", "Mexico"),
    ("NIC", "Nicaragua"),
    ("PAN", "Panama"),
    ("USA", "United States"),
]
PPT = "SLV"
READER = "bench-mex"  # the user whose token the load uses: a member delegate

PREAMBLE_OPENERS = [
    "Recalling",
    "Reaffirming",
    "Recognizing",
    "Acknowledging",
    "Bearing in mind",
    "Noting with concern",
    "Emphasizing",
    "Considering",
    "Welcoming",
    "Mindful",
]
INSERTIONS = [
    "in accordance with national legislation and international obligations",
    "as appropriate and in line with national priorities",
    "with full respect for the human rights of all migrants, regardless of their migratory status",
    "in coordination with civil society organizations and the private sector",
    "taking into account the best interests of the child and the principle of family unity",
    "through the existing mechanisms of the Regional Conference on Migration",
    "with a gender-sensitive and child-sensitive approach",
    "within the framework of the Global Compact for Safe, Orderly and Regular Migration",
    "subject to the availability of resources",
    "in close cooperation with countries of origin, transit, destination and return",
]
RATIONALES = [
    "Aligns the paragraph with the agreed language of the Global Compact.",
    "Our delegation proposes to streamline the text and avoid duplication with the preceding paragraph.",
    "Brings the wording in line with previous RCM declarations adopted by consensus.",
    "Clarifies the scope of the commitment and the role of national authorities.",
    "The current wording could be read as creating new obligations; we propose softer language.",
    "Adds a reference to civil society, as agreed at the last Vice-Ministerial meeting.",
    "",
]
OBJECTIONS = [
    "We cannot accept language that goes beyond what was agreed in the Global Compact; we prefer the original wording.",
    "This proposal would create a financial commitment that our delegation is not in a position to accept.",
    "The reference to national legislation weakens the commitment; we ask to keep the text as drafted.",
    "Our capital has not yet cleared this language; we need more time for internal consultations.",
    "The proposed wording duplicates operative paragraph 12 and should be addressed there.",
    "We object to the deletion: the paragraph reflects a long-standing RCM position.",
]


# --- Text ----------------------------------------------------------------------------
def statement_pool(path: Path) -> list[str]:
    """Agreed RCM statements from the compilation (HTML, cross-reference marks and
    table columns stripped)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split("\t")
        if len(columns) < 2 or "RCM" not in columns[1]:  # a statement row: text, meeting, "still valid?"
            continue
        cell = re.sub(r"<[^>]+>", "", columns[0])
        cell = re.sub(r"\*Statement also relevant[^*]*\*", "", cell)
        cell = re.sub(r"\[bookmark:[^\]]*\]", "", cell)
        cell = re.sub(r"\s+", " ", cell).strip(" -|*")
        if len(cell) >= 60:
            out.append(cell if cell.endswith((".", ";", ":")) else cell + ".")
    if len(out) < 50:
        raise SystemExit(f"{path}: expected RCM statements, found {len(out)}")
    return out


def _cut(text: str, limit: int, floor: int = 0) -> str:
    """At most ``limit`` characters (and, where possible, at least ``floor``), ending
    at a sentence or word boundary, with a full stop."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(". "), head.rfind("; "))
    if stop + 1 >= floor and stop > 0:
        return head[: stop + 1].rstrip(";") + ("" if head[stop] == "." else ".")
    return head[: head.rfind(" ")].rstrip(",;:") + "."


class Texts:
    def __init__(self, pool: list[str], rng: random.Random) -> None:
        self.pool, self.rng, self.cursor = pool, rng, 0

    def take(self, low: int, high: int) -> str:
        target = self.rng.randint(low, high)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < low:
            parts.append(self.pool[self.cursor % len(self.pool)])
            self.cursor += 1
        return _cut(" ".join(parts), max(target, low), low)

    def paragraph(self, kind: str) -> str:
        text = self.take(400, 600)
        if kind == "preambular":
            opener = self.rng.choice(PREAMBLE_OPENERS)
            text = _cut(f"{opener} that {text[0].lower()}{text[1:]}", 600, 400).rstrip(".;:") + ","
        return text


def zero_draft(texts: Texts, n: int) -> list[dict[str, Any]]:
    n_preamble = max(1, round((n - 1) * 0.2))
    n_operative = n - 1 - n_preamble
    return [
        {
            "kind": "title",
            "paragraphs": [
                {
                    "kind": "title",
                    "text": "Declaration of San Salvador: Regional cooperation for safe, orderly and regular migration",
                },
            ],
        },
        {
            "kind": "preamble",
            "paragraphs": [{"kind": "preambular", "text": texts.paragraph("preambular")} for _ in range(n_preamble)],
        },
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [{"kind": "operative", "text": texts.paragraph("operative")} for _ in range(n_operative)],
        },
    ]


def edited(base: str, rng: random.Random) -> str:
    """A delegation's redraft of ``base``: a qualifier inserted, a clause dropped or reworded."""
    words = base.split(" ")
    choice = rng.random()
    if choice < 0.5:
        at = rng.randint(max(1, len(words) // 4), max(2, len(words) - 2))
        words[at:at] = [rng.choice(INSERTIONS) + ","]
    elif choice < 0.8:
        start = rng.randint(1, max(1, len(words) - 12))
        del words[start : start + rng.randint(4, 10)]
    else:
        start = rng.randint(1, max(1, len(words) - 8))
        words[start : start + rng.randint(3, 8)] = rng.choice(INSERTIONS).split(" ")
    text = " ".join(words)
    return text if text != base else base + " " + rng.choice(INSERTIONS) + "."


# --- Database ------------------------------------------------------------------------
def create_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def build(*, n_paragraphs: int, n_proposals: int, seed: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from drafting import services
    from drafting.models import (
        ApiToken,
        Declaration,
        Delegate,
        Delegation,
        Event,
        Position,
        Proposal,
        RevisionParagraph,
    )

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")

    rng = random.Random(seed)
    texts = Texts(statement_pool(SEED_FILE), rng)
    User = get_user_model()

    delegations = {
        code: Delegation.objects.create(code=code, name_en=name, name_es=name, kind=Delegation.Kind.MEMBER_STATE)
        for code, name in MEMBERS
    }
    ts_delegation = Delegation.objects.create(
        code="TS", name_en="Technical Secretariat", name_es="Secretaría Técnica", kind=Delegation.Kind.SECRETARIAT
    )
    users = {}
    for code in delegations:
        user = User.objects.create_user(username=f"bench-{code.lower()}")  # unusable password: tokens only
        Delegate.objects.create(user=user, delegation=delegations[code])
        users[code] = user
    ts = User.objects.create_user(username="bench-ts")
    Delegate.objects.create(user=ts, delegation=ts_delegation)

    from drafting.models import Meeting

    meeting = Meeting.objects.create(
        title="XXXI RCM Vice-Ministerial Meeting (benchmark)",
        place="San Salvador",
        start_date=datetime.date(2026, 6, 10),
        end_date=datetime.date(2026, 6, 11),
        ppt=delegations[PPT],
    )
    meeting.participants.set(delegations.values())
    meeting.secretariat_staff.set([ts])

    t0 = time.perf_counter()
    declaration = services.declaration_create(actor=ts, meeting=meeting, title="Declaration of San Salvador")
    revision = services.revision_issue(
        actor=ts,
        declaration=declaration,
        sections=cast("list[SectionInput]", zero_draft(texts, n_paragraphs)),
        note="Zero draft prepared by the Technical Secretariat.",
    )
    paragraphs = list(
        RevisionParagraph.objects.filter(revision=revision).order_by("position").values("paragraph_id", "kind", "text")
    )
    t_revision = time.perf_counter() - t0

    # Proposals: more on operative paragraphs than on the preamble, none on the title.
    candidates = [p for p in paragraphs if p["kind"] != "title"]
    weights = [3 if p["kind"] == "operative" else 1 for p in candidates]
    codes = list(delegations)
    proposals = []
    t0 = time.perf_counter()
    for _ in range(n_proposals):
        para = rng.choices(candidates, weights)[0]
        code = rng.choice(codes)
        kind = rng.choices(["replace", "insert_after", "alternative", "delete"], [55, 20, 15, 10])[0]
        if kind == "delete":
            text = ""
        elif kind == "insert_after":
            text = texts.take(250, 550)
        else:
            text = edited(para["text"], rng)
        proposals.append(
            services.proposal_submit(
                actor=users[code],
                declaration=declaration,
                revision_id=revision.pk,
                paragraph_id=para["paragraph_id"],
                kind=kind,
                text=text,
                rationale=rng.choice(RATIONALES),
            )
        )
    t_proposals = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_positions = 0
    for proposal in proposals:
        others = [c for c in codes if c != proposal.delegation.code]
        n_support = rng.choice([0, 1, 1, 2, 2, 3, 4])
        n_object = rng.choice([0, 0, 0, 1, 1, 2])
        chosen = rng.sample(others, n_support + n_object)
        for i, code in enumerate(chosen):
            stance = "support" if i < n_support else "object"
            services.position_set(
                actor=users[code],
                proposal=proposal,
                stance=stance,
                reason=rng.choice(OBJECTIONS) if stance == "object" else "",
            )
            n_positions += 1
    # A few withdrawals and PPT decisions, so statuses are mixed as in a real reading. The PPT
    # accepts only what nobody objects to; where the domain still refuses (the rules of
    # acceptance evolve), it rejects instead.
    from drafting.errors import Conflict, InvalidInput

    for proposal in rng.sample(proposals, n_proposals // 10):
        r = rng.random()
        current = Proposal.objects.get(pk=proposal.pk)
        if current.status != Proposal.Status.SUBMITTED:
            continue  # an accepted proposal on the same paragraph superseded it
        if r < 0.3:
            services.proposal_withdraw(actor=users[proposal.delegation.code], proposal=current)
            continue
        objected = Position.objects.filter(proposal=current, stance="object").exists()
        decision = "accept" if r < 0.65 and not objected else "reject"
        try:
            with transaction.atomic():
                services.proposal_decide(
                    actor=users[PPT],
                    proposal=current,
                    decision=decision,
                    version=current.version,
                    note="Decided in the reading of the zero draft.",
                )
        except (Conflict, InvalidInput):
            if decision == "reject":
                raise
            current = Proposal.objects.get(pk=proposal.pk)
            services.proposal_decide(
                actor=users[PPT],
                proposal=current,
                decision="reject",
                version=current.version,
                note="Decided in the reading of the zero draft.",
            )
    t_positions = time.perf_counter() - t0

    reader = users[READER.removeprefix("bench-").upper()]
    token, _ = ApiToken.objects.get_or_create(user=reader)
    with connection.cursor() as cursor:
        # As autovacuum would have done on a live database: thousands of version bumps
        # left dead row versions (the declaration row alone was updated 7,000 times).
        cursor.execute("VACUUM (ANALYZE)")
    lengths = [len(p["text"]) for p in paragraphs if p["kind"] != "title"]
    return {
        "revision_id": revision.pk,
        "declaration_id": declaration.pk,
        "declaration_version": Declaration.objects.get(pk=declaration.pk).version,
        "reader": reader.get_username(),
        "token": token.key,
        "paragraphs": len(paragraphs),
        "paragraph_chars": {"min": min(lengths), "max": max(lengths), "mean": round(sum(lengths) / len(lengths))},
        "proposals": Proposal.objects.filter(revision=revision).count(),
        "proposal_statuses": dict(
            sorted(
                (s, Proposal.objects.filter(revision=revision, status=s).count())
                for s in Proposal.Status.values
                if Proposal.objects.filter(revision=revision, status=s).exists()
            )
        ),
        "positions": Position.objects.filter(proposal__revision=revision).count(),
        "positions_set_calls": n_positions,
        "events": Event.objects.count(),
        "seconds": {
            "revision_issue": round(t_revision, 2),
            "proposal_submit": round(t_proposals, 2),
            "positions_and_decisions": round(t_positions, 2),
        },
        "built_with": "drafting.services (revision_issue, proposal_submit, position_set, proposal_withdraw, "
        "proposal_decide)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="consenso_bench")
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=OUT / "dataset.json")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    url = create_database(args.db)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    info = build(n_paragraphs=args.paragraphs, n_proposals=args.proposals, seed=args.seed)
    info["database"] = args.db
    info["source"] = os.environ.get("BENCH_SOURCE", str(ROOT))
    info["seconds"]["total"] = round(time.perf_counter() - started, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
