"""Build the "General Assembly" data set of bench/scale_ga.py in a fresh PostgreSQL database.

    .venv/bin/python bench/scale_ga_build.py [--db consenso_ga] [--delegations 193]
        [--paragraphs 500] [--proposals 20000] [--out bench/out/scale_ga_dataset.json]

Drops and re-creates the database, migrates it and builds, **through the
domain services** (``drafting.services``) for everything a user does:

* 193 member delegations (``MS001`` … ``MS193``), each with one delegate
  user, the Technical Secretariat with one staff user, a meeting with every
  delegation present and ``MS001`` as the PPT (organisation rows are created
  directly, as tests/factories.py and bench/build_data.py do: there is no
  service for them);
* a 500-paragraph zero draft (title, 100 preambular, 399 operative) of real
  RCM language (tests/data/rcm_paragraphs.json cycled; statements joined up to
  300-700 characters), issued with ``services.revision_issue``;
* 20,000 proposals with ``services.proposal_submit`` (replace and alternative:
  word-level edits of 1-3 words; insert after: a new paragraph of RCM
  language; delete), three times as many on operative paragraphs;
* about 2.6 supports or objections (with reasons) per proposal with
  ``services.position_set``;
* some withdrawals, rejections and acceptances by the PPT
  (``services.proposal_withdraw``, ``services.proposal_decide``), so statuses
  are mixed.

Nothing of the negotiation is bulk-created. Commits use
``synchronous_commit=off`` in the builder's session only (durability of the
build, not what is built). Deterministic (fixed seed). Writes the data set's
description (ids, tokens, counts, build rates) as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from drafting.services.revisions import SectionInput

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
DATA = ROOT / "tests" / "data" / "rcm_paragraphs.json"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

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
RATIONALES = [
    "Aligns the paragraph with the agreed language of the Global Compact.",
    "Our delegation proposes to streamline the text and avoid duplication.",
    "Brings the wording in line with resolutions adopted by consensus.",
    "Clarifies the scope of the commitment and the role of national authorities.",
    "",
]
OBJECTIONS = [
    "We cannot accept language that goes beyond what was agreed; we prefer the original wording.",
    "This would create a financial commitment that our delegation is not in a position to accept.",
    "Our capital has not yet cleared this language; we need more time for internal consultations.",
    "The proposed wording duplicates another operative paragraph and should be addressed there.",
]


def log(message: str) -> None:
    print(f"[scale_ga build] {message}", file=sys.stderr, flush=True)


# --- Text ----------------------------------------------------------------------------
def corpus() -> list[str]:
    """Real RCM paragraphs: both declarations and the 004 compilation's statements, with the
    compilation's cross-reference marks removed."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    texts = list(data["declaration_2022"]["paragraphs"]) + list(data["declaration_2021"]["paragraphs"])
    for statement in data["compilation_004"]["statements"]:
        text = re.sub(r"\s*\*Statement also relevant[^*]*\*", "", statement["text"]).strip()
        text = text.replace("*", "")
        if len(text) >= 60:
            texts.append(text if text.endswith((".", ";", ":")) else text + ".")
    return [re.sub(r"\s+", " ", t).replace("**", "") for t in texts if not t.startswith("-")]


class Texts:
    def __init__(self, pool: list[str]) -> None:
        self.pool, self.cursor = pool, 0
        self.vocabulary = sorted({w.strip(".,;:()") for t in pool for w in t.split() if w.isalpha() and len(w) > 3})

    def take(self, low: int, high: int) -> str:
        """Consecutive statements of the pool (cycled) joined up to ``low``-``high`` characters."""
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < low:
            part = self.pool[self.cursor % len(self.pool)]
            self.cursor += 1
            if parts and sum(len(p) + 1 for p in parts) + len(part) > high:
                continue
            parts.append(part)
        return " ".join(parts)

    def edit(self, base: str, rng: random.Random, edits: int) -> str:
        """``edits`` word-level edits of ``base``: replace, insert or delete 1-3 words."""
        words = base.split(" ")
        for _ in range(edits):
            at = rng.randrange(1, max(2, len(words) - 1))
            n = rng.randint(1, 3)
            op = rng.random()
            new = [rng.choice(self.vocabulary).lower() for _ in range(n)]
            if op < 0.5:
                words[at : at + n] = new
            elif op < 0.8:
                words[at:at] = new
            elif len(words) > n + 4:
                del words[at : at + n]
        text = " ".join(words)
        return text if text != base else base + " as appropriate."


def zero_draft(texts: Texts, rng: random.Random, n: int) -> list[dict[str, Any]]:
    n_preamble = round((n - 1) * 0.2)
    n_operative = n - 1 - n_preamble

    def preambular() -> str:
        text = texts.take(300, 700)
        return f"{rng.choice(PREAMBLE_OPENERS)} that {text[0].lower()}{text[1:]}".rstrip(".;:") + ","

    return [
        {
            "kind": "title",
            "paragraphs": [
                {"kind": "title", "text": "Political declaration on safe, orderly and regular migration (simulation)"}
            ],
        },
        {"kind": "preamble", "paragraphs": [{"kind": "preambular", "text": preambular()} for _ in range(n_preamble)]},
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [{"kind": "operative", "text": texts.take(300, 700)} for _ in range(n_operative)],
        },
    ]


# --- Database ------------------------------------------------------------------------
def create_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def build(*, n_delegations: int, n_paragraphs: int, n_proposals: int, seed: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count

    from drafting import services
    from drafting.errors import Conflict
    from drafting.models import (
        ApiToken,
        Declaration,
        Delegate,
        Delegation,
        Event,
        Meeting,
        Position,
        Proposal,
        RevisionParagraph,
    )

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    rng = random.Random(seed)
    texts = Texts(corpus())
    User = get_user_model()
    seconds: dict[str, float] = {}

    # Organisation: no services exist for it (the admin creates it); created directly, as the tests do.
    t0 = time.perf_counter()
    codes = [f"MS{i:03d}" for i in range(1, n_delegations + 1)]
    delegations = {
        code: Delegation.objects.create(
            code=code, name_en=f"Member State {code[2:]}", name_es=f"Estado Miembro {code[2:]}",
            kind=Delegation.Kind.MEMBER_STATE,
        )
        for code in codes
    }  # fmt: skip
    ts_delegation = Delegation.objects.create(
        code="TS", name_en="Secretariat", name_es="Secretaría", kind=Delegation.Kind.SECRETARIAT
    )
    users = {}
    for code in codes:
        user = User.objects.create_user(username=f"ga-{code.lower()}")  # unusable password: tokens only
        Delegate.objects.create(user=user, delegation=delegations[code])
        users[code] = user
    ts = User.objects.create_user(username="ga-ts")
    Delegate.objects.create(user=ts, delegation=ts_delegation)
    ppt_code = codes[0]
    meeting = Meeting.objects.create(
        title="High-level meeting of the General Assembly (scale simulation)",
        place="New York",
        start_date=datetime.date(2026, 9, 21),
        end_date=datetime.date(2026, 9, 25),
        ppt=delegations[ppt_code],
    )
    meeting.participants.set(delegations.values())
    meeting.secretariat_staff.set([ts])
    seconds["organisation"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    declaration = services.declaration_create(actor=ts, meeting=meeting, title="Political declaration (GA simulation)")
    revision = services.revision_issue(
        actor=ts,
        declaration=declaration,
        sections=cast("list[SectionInput]", zero_draft(texts, rng, n_paragraphs)),
        note="Zero draft prepared by the Secretariat.",
    )
    paragraphs = list(
        RevisionParagraph.objects.filter(revision=revision).order_by("position").values("paragraph_id", "kind", "text")
    )
    seconds["revision_issue"] = time.perf_counter() - t0

    candidates = [p for p in paragraphs if p["kind"] != "title"]
    weights = [3 if p["kind"] == "operative" else 1 for p in candidates]
    proposals: list[Any] = []
    t0 = time.perf_counter()
    t_last = t0
    for i in range(n_proposals):
        para = rng.choices(candidates, weights)[0]
        code = rng.choice(codes)
        kind = rng.choices(["replace", "alternative", "insert_after", "delete"], [60, 15, 15, 10])[0]
        if kind == "delete":
            text = ""
        elif kind == "insert_after":
            text = texts.take(250, 600)
        else:
            text = texts.edit(para["text"], rng, rng.randint(1, 3) if kind == "replace" else rng.randint(3, 6))
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
        if (i + 1) % 2000 == 0:
            now = time.perf_counter()
            log(f"{i + 1:,} proposals, {2000 / (now - t_last):.0f}/s over the last 2,000")
            t_last = now
    seconds["proposal_submit"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    t_last = t0
    n_positions = 0
    for i, proposal in enumerate(proposals):
        n = rng.choice([1, 2, 2, 3, 3, 3, 4])
        chosen = [c for c in rng.sample(codes, n + 1) if c != proposal.delegation.code][:n]
        for code in chosen:
            stance = "object" if rng.random() < 0.2 else "support"
            services.position_set(
                actor=users[code],
                proposal=proposal,
                stance=stance,
                reason=rng.choice(OBJECTIONS) if stance == "object" else "",
            )
            n_positions += 1
        if (i + 1) % 4000 == 0:
            now = time.perf_counter()
            log(f"positions on {i + 1:,} proposals ({n_positions:,}), {4000 / (now - t_last):.0f} proposals/s")
            t_last = now
    seconds["position_set"] = time.perf_counter() - t0

    # Decisions: a few withdrawals and rejections everywhere, and the PPT accepting one
    # unobjected replacement on 60 paragraphs (which supersedes the competing proposals there).
    t0 = time.perf_counter()
    n_decisions = 0
    objected = set(Position.objects.filter(stance="object").values_list("proposal_id", flat=True))
    for proposal in rng.sample(proposals, n_proposals // 20):
        current = Proposal.objects.get(pk=proposal.pk)
        if rng.random() < 0.4:
            services.proposal_withdraw(actor=users[current.delegation.code], proposal=current)
        else:
            services.proposal_decide(
                actor=users[ppt_code], proposal=current, decision="reject", version=current.version,
                note="Not retained in the first reading.",
            )  # fmt: skip
        n_decisions += 1
    by_paragraph: dict[int, list[Any]] = {}
    for proposal in proposals:
        by_paragraph.setdefault(proposal.paragraph_id, []).append(proposal)
    accepted_paragraphs = 0
    for paragraph_id in rng.sample(sorted(by_paragraph), min(60, len(by_paragraph))):
        for proposal in by_paragraph[paragraph_id]:
            current = Proposal.objects.get(pk=proposal.pk)
            if current.kind != "replace" or current.status != "submitted" or current.pk in objected:
                continue
            try:
                with transaction.atomic():
                    services.proposal_decide(
                        actor=users[ppt_code], proposal=current, decision="accept", version=current.version,
                        note="Accepted in the first reading.",
                    )  # fmt: skip
            except Conflict:
                continue
            accepted_paragraphs += 1
            n_decisions += 1
            break
    seconds["decisions"] = time.perf_counter() - t0

    tokens = {}
    for name, user in (("reader", users[codes[100]]), ("ppt", users[ppt_code]), ("ts", ts)):
        tokens[name] = ApiToken.objects.get_or_create(user=user)[0].key
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")

    statuses = dict(
        sorted(Proposal.objects.filter(declaration=declaration).values_list("status").annotate(n=Count("id")))
    )
    per_paragraph = sorted(
        Proposal.objects.filter(declaration=declaration)
        .values("paragraph_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    busiest = (
        Proposal.objects.filter(declaration=declaration)
        .values("paragraph_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    lengths = [len(p["text"]) for p in paragraphs if p["kind"] != "title"]
    return {
        "declaration_id": declaration.pk,
        "revision_id": revision.pk,
        "declaration_version": Declaration.objects.get(pk=declaration.pk).version,
        "delegations": len(codes),
        "ppt": ppt_code,
        "tokens": tokens,
        "paragraphs": len(paragraphs),
        "paragraph_chars": {"min": min(lengths), "max": max(lengths), "mean": round(sum(lengths) / len(lengths))},
        "proposals": Proposal.objects.filter(declaration=declaration).count(),
        "proposal_statuses": statuses,
        "proposals_per_paragraph": {
            "min": per_paragraph[0],
            "median": per_paragraph[len(per_paragraph) // 2],
            "max": per_paragraph[-1],
        },
        "busiest_paragraph": {"id": busiest["paragraph_id"], "proposals": busiest["n"]} if busiest else None,
        "typical_paragraph": {"id": paragraphs[len(paragraphs) // 2]["paragraph_id"]},
        "positions": Position.objects.filter(proposal__declaration=declaration).count(),
        "position_set_calls": n_positions,
        "decisions_and_withdrawals": n_decisions,
        "accepted_in_build": accepted_paragraphs,
        "events": Event.objects.count(),
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "rates_per_s": {
            "proposal_submit": round(n_proposals / seconds["proposal_submit"], 1),
            "position_set": round(n_positions / seconds["position_set"], 1),
        },
        "built_with": "drafting.services: declaration_create, revision_issue, proposal_submit, position_set, "
        "proposal_withdraw, proposal_decide; organisation rows (users, delegations, delegates, meeting) directly",
        "bulk_created": "nothing of the negotiation; the organisation rows are created directly (no service exists)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="consenso_ga")
    parser.add_argument("--delegations", type=int, default=193)
    parser.add_argument("--paragraphs", type=int, default=500)
    parser.add_argument("--proposals", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--out", type=Path, default=OUT / "scale_ga_dataset.json")
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
    info = build(
        n_delegations=args.delegations, n_paragraphs=args.paragraphs, n_proposals=args.proposals, seed=args.seed
    )
    info["database"] = args.db
    info["seconds"]["total"] = round(time.perf_counter() - started, 1)
    info["builder_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
