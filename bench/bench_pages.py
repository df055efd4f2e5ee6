"""Server time to render the live room's text page (and the chair's console,
and a live poll) at 200 paragraphs and 2,000 pending proposals.

    .venv/bin/python bench/bench_pages.py [--repeat 30] [--paragraphs 200] [--proposals 2000]

In process, through Django's test client (middleware, session, template:
everything but the socket), on a fresh SQLite file under bench/out/. The
zero draft is issued through ``services.revision_issue``; the proposals and
positions are bulk-inserted (2,000 calls of ``proposal_submit`` would measure
the submission, which bench/soak.py does): texts are real word edits of their
paragraph, so every redline is a real diff. Reports the first (cold: no
redline cached) and the warm medians and p95. Goal: < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORDS = (  # noqa: SIM905 - a sentence is easier to read than 50 quoted words
    "migration regional cooperation safe orderly regular states shall promote protection of migrants rights "
    "dignity labour mobility pathways return reintegration consular assistance human trafficking smuggling "
    "children unaccompanied families reunification border management data sharing capacity building the and "
    "with in for to by through consistent international law obligations commitments framework"
).split()


def sentence(rng: random.Random, n_chars: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < n_chars:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def edited(base: str, rng: random.Random) -> str:
    words = base.split(" ")
    at = rng.randint(1, max(1, len(words) - 6))
    if rng.random() < 0.5:
        words[at:at] = ["in", "full", "respect", "of", "sovereignty,"]
    else:
        del words[at : at + rng.randint(2, 6)]
    return " ".join(words)


def build(n_paragraphs: int, n_proposals: int) -> tuple[int, int, list[int]]:
    from django.contrib.auth.models import User

    from drafting import services
    from drafting.models import Delegate, Delegation, Meeting, Paragraph, Position, Proposal

    rng = random.Random(14)
    codes = ["BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA"]
    members = [Delegation.objects.create(code=c, name_en=c, kind="member_state") for c in codes]
    ts_del = Delegation.objects.create(code="TS", name_en="Technical Secretariat", kind="secretariat")
    users = {}
    for d in [*members, ts_del]:
        users[d.code] = User.objects.create_user(d.code.lower(), password="bench-password-14")
        Delegate.objects.create(user=users[d.code], delegation=d)
    import datetime

    from drafting.services.revisions import SectionInput

    meeting = Meeting.objects.create(
        title="Bench",
        place="San Salvador",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 1, 2),
        ppt=members[4],
    )
    meeting.participants.set(members)
    meeting.secretariat_staff.set([users["TS"]])
    declaration = services.declaration_create(actor=users["TS"], meeting=meeting, title="Bench declaration")
    n_pre = n_paragraphs // 5
    sections: list[SectionInput] = [
        {"kind": "title", "paragraphs": [{"kind": "title", "text": "Declaration of San Salvador"}]},
        {"kind": "preamble", "paragraphs": [{"kind": "preambular", "text": sentence(rng, 450)} for _ in range(n_pre)]},
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [{"kind": "operative", "text": sentence(rng, 450)} for _ in range(n_paragraphs - 1 - n_pre)],
        },
    ]
    revision = services.revision_issue(actor=users["TS"], declaration=declaration, sections=sections)
    paragraphs = list(Paragraph.objects.filter(declaration=declaration).order_by("position"))
    proposals = []
    for i in range(n_proposals):
        p = paragraphs[1 + i % (len(paragraphs) - 1)]
        d = members[i % len(members)]
        text = edited(p.text, rng)
        proposals.append(
            Proposal(
                declaration=declaration,
                paragraph=p,
                revision=revision,
                delegation=d,
                author=users[d.code],
                kind="replace",
                base_text=p.text,
                text=text,
            )
        )
    Proposal.objects.bulk_create(proposals, batch_size=500)
    positions = []
    for proposal in Proposal.objects.filter(declaration=declaration).order_by("id"):
        for d in rng.sample([m for m in members if m.pk != proposal.delegation_id], 2):
            stance = "object" if rng.random() < 0.2 else "support"
            positions.append(
                Position(
                    proposal=proposal,
                    delegation=d,
                    author=users[d.code],
                    stance=stance,
                    reason="Not agreed language" if stance == "object" else "",
                )
            )
    Position.objects.bulk_create(positions, batch_size=1000)
    return declaration.pk, meeting.pk, [users["MEX"].pk, users["SLV"].pk]


def timed(client: object, url: str, repeat: int, **headers: str) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, **headers)  # type: ignore[attr-defined]
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code in (200, 304), (url, response.status_code)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "min_ms": round(ordered[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=2000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp(dir=OUT)) / "pages.sqlite3"
    os.environ.update({"CONSENSO_SQLITE_PATH": str(db), "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "backend.settings"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    declaration_id, _meeting_id, (mex_id, ppt_id) = build(args.paragraphs, args.proposals)
    print(f"built {args.paragraphs} paragraphs, {args.proposals} proposals in {time.perf_counter() - t:.1f} s")
    results: dict[str, object] = {"paragraphs": args.paragraphs, "proposals": args.proposals, "load": os.getloadavg()}
    mex, ppt = Client(), Client()
    mex.force_login(User.objects.get(pk=mex_id))
    ppt.force_login(User.objects.get(pk=ppt_id))
    text_url = f"/declarations/{declaration_id}/text/"
    results["text_cold_ms"] = round(timed(mex, text_url, 1)[0], 1)
    results["text_warm"] = summary(timed(mex, text_url, args.repeat))
    results["text_filtered_mine"] = summary(timed(mex, text_url + "?show=mine", args.repeat))
    results["chair_console"] = summary(timed(ppt, f"/declarations/{declaration_id}/chair/", args.repeat))
    results["screen"] = summary(timed(mex, f"/declarations/{declaration_id}/screen/", args.repeat))
    import html
    import re

    page = mex.get(text_url).content.decode()
    found = re.search(r'data-live="([^"]+)" data-etag="([^"]+)"', page)
    assert found
    live, etag = html.unescape(found.group(1)), html.unescape(found.group(2))
    results["live_poll_304"] = summary(timed(mex, live, args.repeat * 10, HTTP_IF_NONE_MATCH=etag))
    size = len(mex.get(text_url).content)
    results["text_page_bytes"] = size
    print(json.dumps(results, indent=2))
    (OUT / "pages-latest.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
