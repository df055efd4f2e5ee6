"""Generated requests against our own OpenAPI schema (schemathesis).

Every operation in ``/api/schema/`` gets ``CONSENSO_FUZZ_EXAMPLES`` generated
requests (default 25: about 1,200 in all), each sent by one of the demo users
of every role (the PPT El Salvador, members present, a member not present, an
observer state, an observer organization, civil society, the Technical
Secretariat) or anonymously, with schema-valid and schema-violating data, and
with the ids of objects that exist about half the time. Every answer must
be no 5xx, a documented status (errors included: backend/api/schema.py
documents them), a documented content type and a body that matches the
schema.

The demo (``drafting.demo.demo_load``) plus a few proposals, positions, a
paragraph objection, an export and an import job, and two texts in
adoption (in session, objected to, with a statement; under silence) are loaded once for the module; each generated
request runs in a savepoint that is rolled back, so every request meets the
same data.

    CONSENSO_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/test_schemathesis.py -q
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.wsgi import application
from drafting import services
from drafting.demo import demo_load
from drafting.models import (
    Declaration,
    Delegation,
    ExportJob,
    ImportJob,
    Meeting,
    Paragraph,
    Proposal,
    Revision,
)
from drafting.states import State
from workers import exporting

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("CONSENSO_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,  # errors are documented too (backend/api/schema.py)
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# role → demo user (None: anonymous)
ROLES: dict[str, str | None] = {
    "ppt": "ppt.slv",  # member, Presidency Pro-Tempore
    "member": "mex",  # member present
    "member-2": "can",  # member present
    "absent": "nic",  # member, not present
    "observer-state": "arg",
    "observer-org": "iom",
    "civil-society": "rncom",
    "secretariat": "ts",
    "anonymous": None,
}

# The first segment of a path names what its {id} is.
MODELS: dict[str, Any] = {
    "declarations": Declaration,
    "delegations": Delegation,
    "exports": ExportJob,
    "imports": ImportJob,
    "meetings": Meeting,
    "paragraphs": Paragraph,
    "proposals": Proposal,
    "revisions": Revision,
}

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@dataclass
class Seed:
    tokens: dict[str, str]
    ids: dict[str, list[int]]
    meeting: int
    declaration: int
    revision: int
    paragraphs: list[int]
    proposals: list[int]


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)


TALLY = Tally()


@pytest.fixture(scope="module")
def seed(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
    )
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        declaration, users = demo_load()
        by_name = {u.username: u.token for u in users}
        user = {name: get_user_model().objects.get(username=name) for name in ("mex", "can", "ppt.slv", "ts", "pan")}
        revision = declaration.revisions.order_by("-number").first()
        assert revision is not None
        paragraphs = list(revision.paragraphs.order_by("position").values_list("paragraph_id", flat=True))
        mine = services.proposal_submit(
            actor=user["mex"],
            declaration=declaration,
            revision_id=revision.pk,
            paragraph_id=paragraphs[3],
            kind="replace",
            text="Mexico's wording for this paragraph.",
        )
        services.proposal_submit(
            actor=user["can"],
            declaration=declaration,
            revision_id=revision.pk,
            paragraph_id=paragraphs[4],
            kind="delete",
        )
        services.position_set(actor=user["can"], proposal=mine, stance="object", reason="Too broad.")
        services.position_set(actor=user["pan"], proposal=mine, stance="support")
        services.paragraph_object(
            actor=user["can"], paragraph=Paragraph.objects.get(pk=paragraphs[5]), reason="Not yet."
        )
        for kind in ("compilation", "record"):  # the record rendered (its file downloads), the compilation queued
            job, _ = services.export_job_request(
                actor=user["ts"],
                declaration_id=declaration.pk,
                kind=kind,
                pdf_available=False,
                dispatch=lambda job_id: None,
            )
        services.export_job_run(job_id=job.pk, render=exporting.render_job)
        services.import_job_create(
            actor=user["ts"],
            meeting=declaration.meeting,
            content=b"A draft\n\n1. Promote regular pathways.\n",
            filename="draft.txt",
            dispatch=lambda job_id: None,
        )
        # two more texts of the workshop, agreed: one put to adoption in session (objected to
        # by Canada, with a statement), one circulated under silence
        texts = []
        for title in ("Short text", "Text under silence"):
            text = services.declaration_create(actor=user["ts"], meeting=declaration.meeting, title=title)
            services.revision_issue(
                actor=user["ts"],
                declaration=text,
                # both language versions, so that it can be put to adoption (issue 15)
                sections=[
                    {
                        "kind": "operative",
                        "paragraphs": [
                            {"kind": "operative", "text": "Promote rights.", "translation_text": "Promover derechos."}
                        ],
                    }
                ],
            )
            Paragraph.objects.filter(declaration=text).update(state=State.AGREED)
            texts.append((text, services.revision_issue_from_working_text(actor=user["ts"], declaration=text)))
        (in_session, agreed), (silent, circulated) = texts
        services.adoption_propose(actor=user["ppt.slv"], declaration=in_session, revision_id=agreed.pk)
        services.silence_launch(actor=user["ppt.slv"], declaration=silent, revision_id=circulated.pk)
        services.adoption_object(actor=user["can"], declaration=in_session, reason="Not yet.")
        services.statement_record(actor=user["mex"], declaration=in_session, kind="explanation", text="On record.")
        ids = {name: list(model.objects.values_list("pk", flat=True)) for name, model in MODELS.items()}
        tokens = {role: by_name[username] for role, username in ROLES.items() if username is not None}
        yield Seed(
            tokens=tokens,
            ids=ids,
            meeting=declaration.meeting_id,
            declaration=declaration.pk,
            revision=revision.pk,
            paragraphs=paragraphs,
            proposals=list(Proposal.objects.values_list("pk", flat=True)),
        )
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes the database
    connection when a request ends; inside the test's transaction that would
    break every later query. Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


TEXT = st.text(max_size=300)
ACTIONS = ["open", "bracket", "unbracket", "agree", "agree_ad_ref", "confirm", "hold", "resume", "reopen"]


def bodies(label: str, seed: Seed) -> st.SearchStrategy[Any] | None:
    """Bodies that name objects that exist, for the writes whose generated
    bodies would almost never get past "no such declaration"."""
    real = {
        "POST /api/proposals/": st.fixed_dictionaries(
            {
                "declaration": st.just(seed.declaration),
                "revision": st.just(seed.revision),
                "paragraph": st.sampled_from(seed.paragraphs),
                "kind": st.sampled_from([k.value for k in Proposal.Kind]),
            },
            optional={"text": TEXT, "rationale": TEXT},
        ),
        "POST /api/proposals/{id}/object/": st.fixed_dictionaries({"reason": TEXT}),
        "POST /api/proposals/{id}/accept/": st.fixed_dictionaries(
            {"version": st.integers(0, 4)}, optional={"note": TEXT}
        ),
        "POST /api/proposals/{id}/reject/": st.fixed_dictionaries(
            {"version": st.integers(0, 4)}, optional={"note": TEXT}
        ),
        "POST /api/paragraphs/{id}/transition/": st.fixed_dictionaries(
            {"action": st.sampled_from(ACTIONS)}, optional={"delegation": st.sampled_from(["MEX", "CAN", "xx"])}
        ),
        "POST /api/paragraphs/{id}/object/": st.fixed_dictionaries({"reason": TEXT}),
        "POST /api/exports/": st.fixed_dictionaries(
            {"declaration": st.just(seed.declaration), "kind": st.sampled_from([k.value for k in ExportJob.Kind])},
            optional={"revision": st.just(seed.revision), "format": st.just("docx")},
        ),
        "POST /api/declarations/{id}/statements/": st.fixed_dictionaries(
            {"kind": st.sampled_from(["reservation", "explanation"]), "text": TEXT},
            optional={"paragraph": st.sampled_from(seed.paragraphs)},
        ),
    }
    # the zero draft again, each paragraph keeping its identity, some reworded
    paragraph = st.fixed_dictionaries(
        {"paragraph": st.sampled_from(seed.paragraphs), "kind": st.just("operative")}, optional={"text": TEXT}
    )
    real["POST /api/declarations/{id}/revisions/"] = st.fixed_dictionaries(
        {
            "sections": st.lists(
                st.fixed_dictionaries(
                    {"kind": st.just("operative"), "paragraphs": st.lists(paragraph, min_size=1, max_size=8)},
                    optional={"heading": st.text(max_size=40)},
                ),
                min_size=1,
                max_size=3,
            )
        },
        optional={"label": st.text(max_size=50), "note": TEXT},
    )
    real["POST /api/declarations/"] = st.fixed_dictionaries(
        {"meeting": st.just(seed.meeting), "title": TEXT},
        optional={"kind": st.sampled_from([k.value for k in Declaration.Kind]), "original_language": st.just("en")},
    )
    real["POST /api/declarations/{id}/revisions/next/"] = st.fixed_dictionaries({}, optional={"note": TEXT})
    real["POST /api/declarations/{id}/adoption/"] = st.fixed_dictionaries(
        {"revision": st.just(seed.revision), "method": st.sampled_from(["in_session", "silence"])}
    )
    real["POST /api/imports/"] = st.fixed_dictionaries(
        {"meeting": st.just(seed.meeting), "text": TEXT}, optional={"title": st.text(max_size=60)}
    )
    return real.get(label)


def strategy(label: str, seed: Seed) -> st.SearchStrategy[Any]:
    operation = OPERATIONS[label]
    generated = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    kind = operation.path.split("/")[2]
    has_id = "{id}" in operation.path and kind in MODELS and seed.ids[kind]
    body = bodies(label, seed)
    if not has_id and body is None:
        return generated
    ids = st.sampled_from(seed.ids[kind]).map(lambda pk: {"id": pk}) if has_id else st.just(None)
    kwargs = st.fixed_dictionaries(
        {
            "path_parameters": ids,
            "body": body if body is not None else st.just(NOT_SET),
            "media_type": st.just("application/json" if body is not None else None),
        }
    )
    real = kwargs.flatmap(lambda kw: operation.as_strategy(generation_mode=GenerationMode.POSITIVE, **kw))
    return st.one_of(generated, real)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_generated_requests(label: str, seed: Seed, request: pytest.FixtureRequest) -> None:
    checks = CHECKS
    if label == "GET /api/health/" and django_settings.REDIS_URL:
        # ?worker=1 round-trips a task: with a broker, a worker must be there to answer
        # (without one the 503 "No worker answered" is right, and would be flagged).
        request.getfixturevalue("celery_worker_process")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(label, seed), role=st.sampled_from(sorted(ROLES)))
    def run(case: Any, role: str) -> None:
        token = seed.tokens.get(role)
        headers = {"Authorization": f"Token {token}"} if token else {}
        cache.clear()  # the login throttle (tested in tests/test_auth.py) would answer 429 to most
        with transaction.atomic():
            response = case.call_and_validate(headers=headers, checks=checks)
            transaction.set_rollback(True)
        TALLY.cases[label] += 1
        TALLY.statuses[response.status_code] += 1

    run()


def test_the_run_was_big_enough() -> None:
    """Runs after the operations above (same module, defined last)."""
    ran = sum(TALLY.cases.values())
    if len(TALLY.cases) < len(OPERATIONS):
        pytest.skip("only some operations ran (-k or a failure); nothing to count")
    print(f"\nschemathesis: {ran} cases over {len(OPERATIONS)} operations; statuses {dict(TALLY.statuses)}")
    assert len(OPERATIONS) >= 45
    # At the default of 25 per operation, at least the 1,000 the issue asks for (operations
    # without parameters have few distinct requests and stop early; the rest fill up).
    assert ran >= min(1000, EXAMPLES * 40), TALLY.cases
