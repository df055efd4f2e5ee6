"""Support/withdraw toggles cannot make the server render without end
(issue 13). A document's fingerprint is a digest of what the renderer is fed,
so a text that toggled back reuses the file already made; requests while the
document waits for a worker join that job; and at most
``CONSENSO_EXPORT_RENDERS_PER_DECLARATION`` renderings of one declaration run
at once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import docx
import pytest
from django.test import TestCase
from django.utils import timezone

from drafting import services
from drafting.models import ExportJob, Proposal
from tests.conftest import World
from workers import exporting, tasks

pytestmark = pytest.mark.django_db
TOGGLES = 50


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count Word renderings and PDF conversions (a stand-in for LibreOffice)."""
    counts = {"word": 0, "pdf": 0}

    def counted(render: Any) -> Any:
        def word(*args: Any, **kwargs: Any) -> bytes:
            counts["word"] += 1
            return render(*args, **kwargs)  # type: ignore[no-any-return]

        return word

    def fake_pdf(body: bytes) -> bytes:
        counts["pdf"] += 1
        return b"%PDF-1.7 stand-in for " + str(len(body)).encode()

    for name in ("render_clean", "render_compilation", "render_record", "render_tracked"):
        monkeypatch.setattr(exporting, name, counted(getattr(exporting, name)))
    monkeypatch.setattr(exporting.pdf, "docx_to_pdf", fake_pdf)
    monkeypatch.setattr(tasks, "pdf_available", lambda: True)
    return counts


def _proposal(world: World) -> Proposal:
    return services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="Promote regular pathways for migrant workers and their families.",
    )


def _toggle(world: World, proposal: Proposal, i: int) -> None:
    if i % 2 == 0:
        services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    else:
        services.position_withdraw(actor=world.users["can"], proposal=proposal)


def _ask(world: World, role: str, kind: str, fmt: str) -> dict[str, Any]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = world.client(role).post(
            "/api/exports/", {"declaration": world.declaration.pk, "kind": kind, "format": fmt}, format="json"
        )
    assert response.status_code in (200, 201), response.content
    # the job as it stands once the request committed and the worker ran
    return world.client(role).get(f"/api/exports/{response.json()['id']}/").json()  # type: ignore[no-any-return]


def _text_of(world: World, role: str, job_id: int) -> str:
    response = world.client(role).get(f"/api/exports/{job_id}/file/")
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content)
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_toggling_support_renders_each_distinct_text_once(
    world: World, renders: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a worker that renders each job as soon as it is handed over
    monkeypatch.setattr(tasks, "export_dispatch", lambda job_id: tasks.export_render.apply(args=(job_id,)))
    proposal = _proposal(world)
    # When Canada supports and withdraws its support fifty times, and after each
    # toggle the compilation text is asked for as Word and as PDF
    jobs = set()
    for i in range(TOGGLES):
        _toggle(world, proposal, i)
        for fmt in ("docx", "pdf"):
            job = _ask(world, "iom", "compilation", fmt)
            assert job["status"] == "done", job
            jobs.add(job["id"])
    # Then the two texts there ever were are rendered once each, in each format
    assert renders == {"word": 4, "pdf": 2}
    assert len(jobs) == 4 and ExportJob.objects.count() == 4
    # and the last file says what the text says now (support withdrawn)
    last = _text_of(world, "iom", _ask(world, "iom", "compilation", "docx")["id"])
    assert "Propuesto por Delegación MEX" in last and "CAN" not in last
    _toggle(world, proposal, 0)
    again = _text_of(world, "iom", _ask(world, "iom", "compilation", "docx")["id"])
    assert "Propuesto por Delegación MEX; con el apoyo de Delegación CAN" in again, again
    assert renders == {"word": 4, "pdf": 2}


def test_requests_while_the_document_waits_for_a_worker_join_its_job(world: World, renders: dict[str, int]) -> None:
    # Given workers that are busy elsewhere: nothing handed over runs yet
    handed: list[int] = []
    proposal = _proposal(world)
    # When every toggle (each one a new line in the record) is followed by a request for the record, as PDF
    answers = set()
    for i in range(TOGGLES):
        _toggle(world, proposal, i)
        with TestCase.captureOnCommitCallbacks(execute=True):
            job, created = services.export_job_request(
                actor=world.users["ts"],
                declaration_id=world.declaration.pk,
                kind="record",
                fmt="pdf",
                pdf_available=True,
                dispatch=handed.append,
            )
        answers.add(job.pk)
        assert created == (i == 0)
    # Then all fifty requests share one job, handed to the workers once
    assert len(answers) == 1 and handed == list(answers)
    # and when a worker takes it, it is rendered once, with every toggle in it
    assert tasks.export_render.apply(args=(handed[0],)).get() == "done"
    assert renders == {"word": 1, "pdf": 1}
    job = ExportJob.objects.get(pk=handed[0])
    assert job.status == "done" and ExportJob.objects.count() == 1
    # and the next request, the text unchanged, is answered by that file
    again, created = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=world.declaration.pk,
        kind="record",
        fmt="pdf",
        pdf_available=True,
        dispatch=handed.append,
    )
    assert (again.pk, created) == (job.pk, False)


def _queued(world: World, kind: str, fmt: str = "docx") -> ExportJob:
    job, created = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=world.declaration.pk,
        kind=kind,
        fmt=fmt,
        pdf_available=True,
        dispatch=lambda job_id: None,
    )
    assert created
    return job


def test_a_declaration_has_at_most_its_share_of_renderings_at_once(
    world: World, renders: dict[str, int], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CONSENSO_JOBS = "celery"
    settings.CONSENSO_EXPORT_RENDERS_PER_DECLARATION = 2
    handed: list[tuple[int, float]] = []
    monkeypatch.setattr(tasks.export_render, "apply_async", lambda args, countdown: handed.append((args[0], countdown)))
    # Given two renderings of the declaration under way (on other workers)
    busy = [_queued(world, "clean"), _queued(world, "compilation")]
    ExportJob.objects.filter(pk__in=[j.pk for j in busy]).update(status="running", started_at=timezone.now())
    # When a worker is handed a third document of the same declaration
    third = _queued(world, "record")
    assert tasks.export_render.apply(args=(third.pk,)).get() == "queued"
    # Then it does not render it: the job waits, handed over again a little later
    assert renders["word"] == 0 and ExportJob.objects.get(pk=third.pk).status == "queued"
    assert handed == [(third.pk, settings.CONSENSO_EXPORT_BUSY_RETRY_SECONDS)]
    # A rendering started before the hard time limit was killed with its worker: it no longer counts
    ExportJob.objects.filter(pk=busy[0].pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.CONSENSO_EXPORT_TIME_LIMIT + 1)
    )
    assert tasks.export_render.apply(args=(third.pk,)).get() == "done"
    assert renders["word"] == 1
