"""Export jobs through the API: ask, follow, download; who may; bad input;
safe to run twice; nothing lost when the broker is away.

The task runs in-process here (``inline_exports``) so these tests hold on
every database; tests/test_export_workers.py sends it through Redis to a real
worker process."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import docx
import pytest
from django.contrib.auth.models import User
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from drafting import services
from drafting.demo import demo_load
from drafting.errors import InvalidInput
from drafting.models import ApiToken, Declaration, ExportJob, Paragraph
from drafting.services.export_jobs import MAX_ATTEMPTS, Rendered
from tests.test_exports_libreoffice import libreoffice  # noqa: F401  (the fixture)
from workers import exporting, tasks

pytestmark = pytest.mark.django_db
OP2 = "The RCM recognizes that the Global Compact for Migration represents"


@pytest.fixture
def inline_exports(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Run the export task in this process when the job commits (what the
    embedded default does); collects the ids handed over."""
    handed: list[int] = []

    def dispatch(job_id: int) -> None:
        handed.append(job_id)
        tasks.export_render.apply(args=(job_id,))

    monkeypatch.setattr(tasks, "export_dispatch", dispatch)
    return handed


@pytest.fixture
def demo() -> Declaration:
    declaration, _ = demo_load()
    return declaration


def client(username: str | None) -> APIClient:
    c = APIClient()
    if username:
        token, _ = ApiToken.objects.get_or_create(user=User.objects.get(username=username))
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


def ask(username: str, **body: Any) -> Any:
    """POST an export request; the test's transaction never commits, so run
    what would run on commit (the hand-over to the workers) as it would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client(username).post("/api/exports/", body, format="json")


def asked(username: str, **body: Any) -> dict[str, Any]:
    """The job as it stands after the request committed and the worker ran."""
    response = ask(username, **body)
    assert response.status_code in (200, 201), response.content
    return client(username).get(f"/api/exports/{response.json()['id']}/").json()  # type: ignore[no-any-return]


def download(username: str, job_id: int) -> Any:
    return client(username).get(f"/api/exports/{job_id}/file/")


def paragraphs_of(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def content_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def queued_clean(demo: Declaration) -> tuple[ExportJob, bool]:
    """The TS asks for the clean text; no worker has picked the job up yet."""
    return services.export_job_request(
        actor=User.objects.get(username="ts"),
        declaration_id=demo.pk,
        kind="clean",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )


def rev1_with_a_mexican_rewording(demo: Declaration) -> Any:
    users = {u.username: u for u in User.objects.all()}
    zero = demo.revisions.get()
    op2 = Paragraph.objects.get(declaration=demo, text__startswith=OP2)
    proposal = services.proposal_submit(
        actor=users["mex"],
        declaration=demo,
        revision_id=zero.pk,
        paragraph_id=op2.pk,
        kind="replace",
        text=op2.text.replace("a historic step", "a decisive step"),
    )
    services.proposal_decide(actor=users["ppt.slv"], proposal=proposal, decision="accept", version=proposal.version)
    return services.revision_issue_from_working_text(actor=users["ppt.slv"], declaration=demo)


# --- the happy path ------------------------------------------------------------------------
def test_the_secretariat_asks_for_the_clean_zero_draft_and_downloads_it(
    demo: Declaration, inline_exports: list[int]
) -> None:
    # When the TS asks for the clean declaration
    response = ask("ts", declaration=demo.pk, kind="clean")
    # Then a job is created and, once the worker has run, it is done with a file
    assert response.status_code == 201, response.content
    job = response.json()
    assert inline_exports == [job["id"]]
    assert response["Location"].endswith(f"/api/exports/{job['id']}/")
    detail = client("ts").get(f"/api/exports/{job['id']}/").json()
    assert detail["status"] == "done" and detail["attempts"] == 1 and detail["error"] == ""
    assert detail["revision_label"] == "Zero draft" and detail["download"].endswith(f"/api/exports/{job['id']}/file/")
    # And the file is the Word document of the zero draft, with its size and checksum
    file = download("ts", job["id"])
    assert file.status_code == 200
    assert file["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in file["Content-Disposition"] and "Zero draft" in file["Content-Disposition"]
    content = content_of(file)
    assert len(content) == detail["size"] and hashlib.sha256(content).hexdigest() == detail["checksum"]
    assert file["ETag"] == f'"{detail["checksum"]}"'
    text = "\n".join(paragraphs_of(content))
    assert OP2 in text and "Draft" in text


def test_the_same_inputs_give_back_the_same_file_without_rendering_again(
    demo: Declaration, inline_exports: list[int]
) -> None:
    first = asked("ts", declaration=demo.pk, kind="clean")
    # When the same document is asked for again, explicitly naming the revision
    again = ask("ts", declaration=demo.pk, kind="clean", revision=demo.revisions.get().pk)
    # Then it is the same job and the same file: nothing was rendered twice
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["checksum"] == first["checksum"]
    assert inline_exports == [first["id"]]
    assert ExportJob.objects.count() == 1 and ExportJob.objects.get().attempts == 1


def test_a_delegation_gets_a_new_compilation_once_the_working_text_changed(
    demo: Declaration, inline_exports: list[int]
) -> None:
    first = ask("mex", declaration=demo.pk, kind="compilation")
    assert first.status_code == 201 and ExportJob.objects.get().status == "done"
    assert ask("can", declaration=demo.pk, kind="compilation").json()["id"] == first.json()["id"]
    # When Mexico proposes a rewording
    op2 = Paragraph.objects.get(declaration=demo, text__startswith=OP2)
    services.proposal_submit(
        actor=User.objects.get(username="mex"),
        declaration=demo,
        revision_id=demo.revisions.get().pk,
        paragraph_id=op2.pk,
        kind="replace",
        text=op2.text.replace("a historic step", "a decisive step"),
    )
    # Then the next request renders a new compilation, which shows the proposal
    second = ask("can", declaration=demo.pk, kind="compilation")
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    text = "\n".join(paragraphs_of(content_of(download("can", second.json()["id"]))))
    assert "Proposed by Mexico" in text and "a decisive step" in text


def test_tracked_changes_default_to_the_previous_revision_and_accept_to_the_newer_text(
    demo: Declaration, inline_exports: list[int]
) -> None:
    rev1 = rev1_with_a_mexican_rewording(demo)
    job = asked("mex", declaration=demo.pk, kind="tracked")
    assert (job["revision_label"], job["base_revision_label"]) == ("Rev.1", "Zero draft")
    assert job["filename"].endswith("Rev.1 - tracked changes against Zero draft.docx")
    content = content_of(download("mex", job["id"]))
    from tests.test_exports_tracked import accept_all, body_of, reject_all, texts

    accepted, rejected = texts(accept_all(body_of(content))), texts(reject_all(body_of(content)))
    assert any("a decisive step" in t for t in accepted) and not any("a historic step" in t for t in accepted)
    assert any("a historic step" in t for t in rejected)
    # The pair can also be named explicitly: the same job
    same = ask("mex", declaration=demo.pk, kind="tracked", revision=rev1.pk, base_revision=demo.revisions.first().pk)
    assert same.status_code == 200 and same.json()["id"] == job["id"]


def test_the_negotiation_record_is_a_table_of_events(demo: Declaration, inline_exports: list[int]) -> None:
    job = asked("ts", declaration=demo.pk, kind="record")
    table = docx.Document(io.BytesIO(content_of(download("ts", job["id"])))).tables[0]
    assert any("revision issued" in cell.text for row in table.rows for cell in row.cells)


# --- who may ------------------------------------------------------------------------------
def adopt(demo: Declaration) -> None:
    users = {u.username: u for u in User.objects.all()}
    for paragraph in Paragraph.objects.filter(declaration=demo):
        services.paragraph_act(actor=users["ppt.slv"], paragraph=paragraph, action="agree")
    revision = services.revision_issue_from_working_text(actor=users["ppt.slv"], declaration=demo)
    services.adoption_propose(actor=users["ppt.slv"], declaration=demo, revision_id=revision.pk)
    services.adoption_adopt(actor=users["ppt.slv"], declaration=demo)


def test_the_adopted_demo_declaration_carries_reservations_as_footnotes_and_explanations_in_an_annex(
    demo: Declaration, inline_exports: list[int]
) -> None:
    # Given the demo text agreed and before the room, with a US reservation
    # on OP2 and a Canadian explanation of position
    users = {u.username: u for u in User.objects.all()}
    for paragraph in Paragraph.objects.filter(declaration=demo):
        services.paragraph_act(actor=users["ppt.slv"], paragraph=paragraph, action="agree")
    revision = services.revision_issue_from_working_text(actor=users["ppt.slv"], declaration=demo)
    services.adoption_propose(actor=users["ppt.slv"], declaration=demo, revision_id=revision.pk)
    op2 = Paragraph.objects.get(declaration=demo, text__startswith=OP2)
    services.statement_record(
        actor=users["usa"], declaration=demo, kind="reservation", paragraph_id=op2.pk, text="Not bound by it."
    )
    services.statement_record(actor=users["can"], declaration=demo, kind="explanation", text="Canada joins.")
    services.adoption_adopt(actor=users["ppt.slv"], declaration=demo)
    # When the Secretariat exports the adopted text
    job = asked("ts", declaration=demo.pk, kind="clean")
    document = docx.Document(io.BytesIO(content_of(download("ts", job["id"]))))
    # Then the reservation is a real footnote on OP2, and only there
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    notes = {
        f.get(qn("w:id")): "".join(t.text or "" for t in f.iter(qn("w:t")))
        for f in parse_xml(document.part.part_related_by(RT.FOOTNOTES).blob).findall(qn("w:footnote"))
        if f.get(qn("w:type")) is None
    }
    ((note_id, note),) = notes.items()
    assert "United States" in note and "Not bound by it." in note
    references = {
        p.text: [r.get(qn("w:id")) for r in p._p.iter(qn("w:footnoteReference"))] for p in document.paragraphs
    }
    assert [text for text, ids in references.items() if ids] == [op2.text]
    assert references[op2.text] == [note_id]
    # And the explanation of position closes the document; no draft marking
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[-2:] == ["EXPLANATIONS OF POSITION", "Canada: Canada joins."]
    assert not any("Draft" in t for t in texts)


def test_only_the_secretariat_renders_the_adopted_text(demo: Declaration, inline_exports: list[int]) -> None:
    adopt(demo)
    # A delegation may not render the adopted declaration
    refused = ask("mex", declaration=demo.pk, kind="clean")
    assert refused.status_code == 403 and "Technical Secretariat" in refused.json()["detail"]
    # The Secretariat may; the job and its file stay out of the delegations' sight
    job = asked("ts", declaration=demo.pk, kind="clean")
    assert job["status"] == "done"
    assert "Draft" not in "\n".join(paragraphs_of(content_of(download("ts", job["id"]))))
    assert client("mex").get(f"/api/exports/{job['id']}/").status_code == 403
    assert download("mex", job["id"]).status_code == 403
    assert job["id"] not in [j["id"] for j in client("mex").get("/api/exports/").json()["results"]]
    assert job["id"] in [j["id"] for j in client("ts").get("/api/exports/").json()["results"]]
    # Drafts stay open to delegations: the clean zero draft
    zero = demo.revisions.order_by("number").first()
    assert ask("mex", declaration=demo.pk, kind="clean", revision=zero.pk).status_code == 201


def test_readers_outside_the_meeting_are_refused_and_anonymous_users_unauthenticated(
    demo: Declaration, inline_exports: list[int]
) -> None:
    # Argentina (observer state) is not registered for the workshop: it is not even told the
    # declaration or the export exist (404, as for ids that do not)
    assert ask("arg", declaration=demo.pk, kind="compilation").status_code == 404
    job = ask("mex", declaration=demo.pk, kind="compilation").json()
    assert client("arg").get(f"/api/exports/{job['id']}/").status_code == 404
    assert client(None).post("/api/exports/", {"declaration": demo.pk, "kind": "clean"}).status_code == 401
    assert client(None).get(f"/api/exports/{job['id']}/file/").status_code == 401
    # IOM attends and may read, so it may render the compilation
    assert ask("iom", declaration=demo.pk, kind="compilation").status_code == 200


def test_members_only_meetings_keep_observers_out(inline_exports: list[int]) -> None:
    from tests.conftest import build_world

    world = build_world(members_only=True, title="Members-only consultation")
    body = {"declaration": world.declaration.pk, "kind": "compilation"}
    observer = world.client("iom").post("/api/exports/", body, format="json")
    assert observer.status_code == 403 and "member states only" in observer.json()["detail"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        member = world.client("mex").post("/api/exports/", body, format="json")
    assert member.status_code == 201 and ExportJob.objects.get().status == "done"


# --- bad input: a clear error, nothing created ----------------------------------------------
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"kind": "minutes"}, 400, "kind"),
        ({"kind": "clean", "format": "odt"}, 400, "format"),
        ({"kind": "clean", "revision": "one"}, 400, "revision"),
        ({"kind": "compilation", "revision": "@zero"}, 400, "revision"),
        ({"kind": "clean", "base_revision": "@zero"}, 400, "base_revision"),
        ({"kind": "tracked"}, 409, None),  # the zero draft has nothing before it
        ({"kind": "tracked", "revision": "@zero", "base_revision": "@zero"}, 400, "base_revision"),
        # no revision at all, or another declaration's: one answer (it must not tell which)
        ({"kind": "clean", "revision": 999_999}, 400, "revision"),
        ({"kind": "clean", "revision": "@other"}, 400, "revision"),
    ],
)
def test_bad_requests_are_refused_with_a_message_and_create_nothing(
    demo: Declaration, inline_exports: list[int], body: dict[str, Any], code: int, field: str | None
) -> None:
    from tests.conftest import build_world

    other = build_world(title="Another meeting").revision
    zero = demo.revisions.get()
    body = {k: {"@zero": zero.pk, "@other": other.pk}.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = ask("ts", declaration=demo.pk, **body)
    assert response.status_code == code, response.content
    assert response.json()["detail"]
    if field:
        assert field in response.json()["fields"]
    assert ExportJob.objects.count() == 0 and inline_exports == []


def test_unknown_declarations_and_jobs_are_404(demo: Declaration, inline_exports: list[int]) -> None:
    assert ask("ts", declaration=999_999, kind="clean").status_code == 404
    assert client("ts").get("/api/exports/999999/").status_code == 404
    assert download("ts", 999_999).status_code == 404


def test_pdf_is_refused_with_a_message_where_libreoffice_is_missing(
    demo: Declaration, inline_exports: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from exports import pdf

    monkeypatch.setattr(pdf, "pdf_available", lambda: False)
    response = ask("ts", declaration=demo.pk, kind="clean", format="pdf")
    assert response.status_code == 400 and "LibreOffice" in response.json()["detail"]
    assert ExportJob.objects.count() == 0


# --- until done, and when it fails -----------------------------------------------------------
def test_the_file_is_a_409_with_retry_after_until_the_job_is_done(demo: Declaration) -> None:
    # Given a job the workers have not picked up yet
    job, created = queued_clean(demo)
    assert created and job.status == "queued"
    response = download("ts", job.pk)
    assert response.status_code == 409 and response["Retry-After"] == "2"
    assert response.json()["status"] == "queued"
    # When the worker runs it, the file is there
    tasks.export_render.apply(args=(job.pk,))
    assert download("ts", job.pk).status_code == 200


def test_a_failed_rendering_says_why_and_can_be_asked_for_again(
    demo: Declaration, inline_exports: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: ExportJob, data: Any) -> Rendered:
        raise InvalidInput("The PDF could not be made: LibreOffice crashed. Ask for the Word document instead.")

    monkeypatch.setattr(exporting, "render_job", broken)
    failed = asked("ts", declaration=demo.pk, kind="clean")
    assert failed["status"] == "failed" and "LibreOffice crashed" in failed["error"]
    response = download("ts", failed["id"])
    assert response.status_code == 409 and "LibreOffice crashed" in response.json()["detail"]
    assert "Retry-After" not in response
    # A failed job does not block a new request for the same document
    monkeypatch.undo()
    monkeypatch.setattr(tasks, "export_dispatch", lambda job_id: tasks.export_render.apply(args=(job_id,)))
    again = ask("ts", declaration=demo.pk, kind="clean")
    assert again.status_code == 201 and ExportJob.objects.get(pk=again.json()["id"]).status == "done"


def test_an_unexpected_error_fails_the_job_with_a_message_not_a_500(
    demo: Declaration, inline_exports: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(job: ExportJob, data: Any) -> Rendered:
        raise ZeroDivisionError

    monkeypatch.setattr(exporting, "render_job", crash)
    job = asked("ts", declaration=demo.pk, kind="record")
    assert job["status"] == "failed" and "internal error" in job["error"]


# --- safe to run twice; interrupted runs ---------------------------------------------------
def test_running_the_task_twice_renders_once(demo: Declaration) -> None:
    job, _ = queued_clean(demo)
    assert tasks.export_render.apply(args=(job.pk,)).get() == "done"
    done = ExportJob.objects.get(pk=job.pk)
    # When the message is delivered again
    assert tasks.export_render.apply(args=(job.pk,)).get() is None
    # Then nothing changed
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.attempts, again.checksum, again.file.name, again.finished_at) == (
        1,
        done.checksum,
        done.file.name,
        done.finished_at,
    )
    # And a task for a job that does not exist does nothing
    assert tasks.export_render.apply(args=(999_999,)).get() is None


def test_a_job_interrupted_too_often_is_given_up_with_a_message(demo: Declaration) -> None:
    job, _ = queued_clean(demo)
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=MAX_ATTEMPTS)
    assert tasks.export_render.apply(args=(job.pk,)).get() is None
    failed = ExportJob.objects.get(pk=job.pk)
    assert failed.status == "failed" and "interrupted" in failed.error


def test_the_sweep_hands_over_jobs_the_broker_never_got(demo: Declaration, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a job created while the broker was unreachable
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.export_render, "apply_async", unreachable)
    response = ask("ts", declaration=demo.pk, kind="clean")
    assert response.status_code == 201 and response.json()["status"] == "queued"
    job = ExportJob.objects.get()
    assert job.dispatched_at is None
    # It is not swept at once (the first hand-over may be on its way) ...
    assert services.export_jobs_to_redispatch() == []
    # ... but once it has waited, the sweep hands it over again
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=5))
    assert services.export_jobs_to_redispatch() == [job.pk]
    # When the broker is back and the sweep runs, the job is done
    monkeypatch.undo()
    monkeypatch.setattr(tasks, "export_dispatch", lambda job_id: tasks.export_render.apply(args=(job_id,)))
    assert tasks.export_sweep.apply().get() == [job.pk]
    assert ExportJob.objects.get(pk=job.pk).status == "done"
    assert services.export_jobs_to_redispatch() == []


def test_a_dispatched_job_left_queued_is_handed_over_again_after_the_delay(demo: Declaration, settings: Any) -> None:
    job, _ = queued_clean(demo)
    services.export_job_mark_dispatched(job_id=job.pk)
    assert services.export_jobs_to_redispatch() == []
    ExportJob.objects.filter(pk=job.pk).update(
        dispatched_at=timezone.now() - timedelta(seconds=settings.CONSENSO_EXPORT_REDISPATCH_SECONDS + 1)
    )
    assert services.export_jobs_to_redispatch() == [job.pk]


def test_a_lost_file_fails_the_job_so_the_next_request_renders_again(
    demo: Declaration, inline_exports: list[int]
) -> None:
    job = ExportJob.objects.get(pk=ask("ts", declaration=demo.pk, kind="clean").json()["id"])
    job.file.storage.delete(job.file.name)
    response = download("ts", job.pk)
    assert response.status_code == 409 and "lost" in response.json()["detail"]
    again = ask("ts", declaration=demo.pk, kind="clean")
    assert again.status_code == 201 and again.json()["id"] != job.pk
    assert ExportJob.objects.get(pk=again.json()["id"]).status == "done"


def test_lists_are_paginated_and_filtered(demo: Declaration, inline_exports: list[int]) -> None:
    ask("ts", declaration=demo.pk, kind="clean")
    ask("ts", declaration=demo.pk, kind="record")
    ask("ts", declaration=demo.pk, kind="compilation")
    body = client("ts").get("/api/exports/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    kinds = [j["kind"] for j in client("ts").get("/api/exports/?kind=record").json()["results"]]
    assert kinds == ["record"]
    assert client("ts").get("/api/exports/?status=bogus").status_code == 400


@pytest.mark.slow
@pytest.mark.usefixtures("libreoffice")  # skips on a workstation without LibreOffice, fails in CI
def test_a_pdf_of_the_compilation_is_made_through_libreoffice(demo: Declaration, inline_exports: list[int]) -> None:
    job = asked("mex", declaration=demo.pk, kind="compilation", format="pdf")
    assert job["status"] == "done", job["error"]
    assert job["filename"].endswith(".pdf")
    file = download("mex", job["id"])
    assert file["Content-Type"] == "application/pdf"
    assert content_of(file)[:5] == b"%PDF-"
