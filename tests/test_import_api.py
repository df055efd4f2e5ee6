"""Importing through the API and the services: the Secretariat uploads, the
worker reads (in-process here), the preview shows what was found, the
Secretariat confirms once; everybody else is refused; a bad file creates
nothing; a new revision keeps the paragraphs' identities."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from drafting import services
from drafting.models import Declaration, Event, ImportJob, Paragraph, Revision, RevisionParagraph
from tests.conftest import World

SEED_2022 = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_b0279665a7f6544a.txt"

DRAFT = (
    "DECLARATION OF SAN JOSÉ\n\nSan José, 12 de mayo de 2023\n\n"
    "Recalling the Puebla Process,\n\nDECISIONS\n\n"
    "1. Reaffirm the commitment to safe, orderly and regular migration.\n\n"
    "2. Promote regular pathways for labour mobility.\n\n"
    "3. Thank the Presidency Pro-Tempore.\n"
)


@pytest.fixture(autouse=True)
def _read_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's part runs in this process, as on the embedded default,
    even when REDIS_URL points at a broker (tests/test_import_worker.py
    covers the real worker)."""
    monkeypatch.setattr("backend.api.imports.views.dispatch", lambda job_id: services.import_job_run(job_id=job_id))


def _docx(*paragraphs: tuple[str, str]) -> bytes:
    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(world: World, role: str, data: bytes, name: str = "draft.txt", **extra: Any) -> Any:
    return world.client(role).post(
        "/api/imports/",
        {"file": SimpleUploadedFile(name, data), "meeting": world.meeting.pk, **extra},
        format="multipart",
    )


def _counts() -> tuple[int, int, int]:
    return Declaration.objects.count(), Revision.objects.count(), Paragraph.objects.count()


@pytest.mark.django_db
def test_the_secretariat_uploads_previews_and_confirms_a_zero_draft(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # Given the Secretariat uploads a plain-text draft
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(world, "ts", DRAFT.encode(), kind="declaration")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/imports/{job_id}/")
    # When it reads the job (the worker ran in-process after commit)
    preview = world.client("ts").get(f"/api/imports/{job_id}/").json()
    # Then the preview shows the structure found, with counts
    assert preview["status"] == "ready"
    found = preview["preview"]
    assert found["title"] == "DECLARATION OF SAN JOSÉ" and found["place_date"] == "San José, 12 de mayo de 2023"
    assert [(s["kind"], s["heading"], len(s["paragraphs"])) for s in found["sections"]] == [
        ("title", "", 2),
        ("preamble", "", 1),
        ("operative", "DECISIONS", 3),
    ]
    assert found["counts"]["paragraphs"] == 6 and found["counts"]["operative"] == 3
    assert preview["declaration"] is None and preview["revision"] is None
    before = _counts()
    # When the Secretariat confirms
    confirmed = world.client("ts").post(f"/api/imports/{job_id}/confirm/", {}, format="json")
    # Then a declaration with its zero draft exists, numbered as Consenso numbers it
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["status"] == "confirmed"
    declaration = Declaration.objects.get(pk=body["created_declaration"])
    assert declaration.title == "DECLARATION OF SAN JOSÉ" and declaration.meeting == world.meeting
    revision = Revision.objects.get(pk=body["revision"])
    assert (revision.declaration_id, revision.label) == (declaration.pk, "Zero draft")
    rows = list(RevisionParagraph.objects.filter(revision=revision).order_by("position"))
    assert [(r.label, r.text) for r in rows][2:] == [
        ("PP1", "Recalling the Puebla Process,"),
        ("OP1", "Reaffirm the commitment to safe, orderly and regular migration."),
        ("OP2", "Promote regular pathways for labour mobility."),
        ("OP3", "Thank the Presidency Pro-Tempore."),
    ]
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 6)
    verbs = list(Event.objects.filter(object_type="importjob").values_list("verb", flat=True).order_by("id"))
    assert verbs == ["import.requested", "import.ready", "import.confirmed"]
    # And confirming again is a conflict that creates nothing more
    again = world.client("ts").post(f"/api/imports/{job_id}/confirm/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    assert again.json()["revision"] == revision.pk
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 6)


@pytest.mark.django_db
def test_a_word_upload_imports_too(world: World, django_capture_on_commit_callbacks: Any) -> None:
    data = _docx(("Title", "Declaration of Belmopan"), ("Normal", "Recalling the Charter,"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(world, "ts", data, name="draft.docx", title="Belmopan Declaration")
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "ready" and job.preview is not None and job.preview["source"] == "docx"
    services.import_job_confirm(actor=world.users["ts"], job_id=job.pk)
    job.refresh_from_db()
    assert job.revision is not None and job.revision.declaration.title == "Belmopan Declaration"


@pytest.mark.django_db
def test_pasted_text_can_be_sent_as_json(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("ts").post("/api/imports/", {"meeting": world.meeting.pk, "text": DRAFT}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["filename"] == "pasted.txt"
    assert world.client("ts").get(response["Location"]).json()["status"] == "ready"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ppt", "mex", "nic", "arg", "iom", "rncom"])
def test_only_the_secretariat_imports(world: World, role: str, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _upload(world, "ts", DRAFT.encode()).json()
    before = (_counts(), ImportJob.objects.count())
    upload = _upload(world, role, DRAFT.encode())
    read = world.client(role).get(f"/api/imports/{job['id']}/")
    confirm = world.client(role).post(f"/api/imports/{job['id']}/confirm/", {}, format="json")
    assert [upload.status_code, read.status_code, confirm.status_code] == [403, 403, 403]
    assert all(r.json()["error"] == "forbidden" for r in (upload, read, confirm))
    assert (_counts(), ImportJob.objects.count()) == before
    assert world.client(None).get(f"/api/imports/{job['id']}/").status_code == 401


def _docx_with_tracked_changes() -> bytes:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("Declaration", style="Title")
    document.element.body.sectPr.addprevious(
        parse_xml(
            f"<w:p {nsdecls('w')}><w:ins w:id='1' w:author='Canada' w:date='2022-03-31T10:00:00Z'>"
            "<w:r><w:t>Promote regular migration.</w:t></w:r></w:ins></w:p>"
        )
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "draft.docx", "password-protected"),
        (b"PK\x03\x04 not really a zip", "draft.docx", "damaged"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "logo.png", "not a Word document"),
        (_docx_with_tracked_changes(), "tracked.docx", "tracked changes (the first by Canada)"),
    ],
)
def test_a_file_that_cannot_be_read_fails_with_its_reason_and_creates_nothing(
    world: World, data: bytes, name: str, message: str, django_capture_on_commit_callbacks: Any
) -> None:
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(world, "ts", data, name=name)
    assert response.status_code == 201
    job = world.client("ts").get(f"/api/imports/{response.json()['id']}/").json()
    assert job["status"] == "failed" and message in job["error"] and job["preview"] is None
    confirm = world.client("ts").post(f"/api/imports/{job['id']}/confirm/", {}, format="json")
    assert confirm.status_code == 409 and message in confirm.json()["detail"]
    assert _counts() == before


@pytest.mark.django_db
def test_an_empty_or_oversized_upload_is_refused_at_once(world: World, settings: Any) -> None:
    settings.CONSENSO_MAX_IMPORT_BYTES = 100
    empty = _upload(world, "ts", b"")
    big = _upload(world, "ts", b"x" * 101)
    assert empty.status_code == 400 and big.status_code == 400
    assert "at most 100 bytes" in big.json()["detail"]
    neither = world.client("ts").post("/api/imports/", {"meeting": world.meeting.pk}, format="json")
    assert neither.status_code == 400 and "file" in neither.json()["fields"]
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_confirmation_that_fails_halfway_leaves_nothing_behind(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    # Given a ready preview, and a limit lowered afterwards so that issuing the revision fails
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _upload(world, "ts", DRAFT.encode()).json()["id"]
    settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION = 3
    before = (_counts(), Event.objects.count())
    # When the Secretariat confirms
    response = world.client("ts").post(f"/api/imports/{job_id}/confirm/", {}, format="json")
    # Then it is refused and not even the declaration was created
    assert response.status_code == 400
    assert (_counts(), Event.objects.count()) == before
    assert ImportJob.objects.get(pk=job_id).status == "ready"


@pytest.mark.django_db
def test_running_the_job_twice_changes_nothing(world: World) -> None:
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        content=DRAFT.encode(),
        filename="d.txt",
        dispatch=lambda i: None,
    )
    first = services.import_job_run(job_id=job.pk)
    assert first is not None and first.status == "ready"
    events = Event.objects.count()
    assert services.import_job_run(job_id=job.pk) is None
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_a_read_interrupted_three_times_is_given_up(world: World) -> None:
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        content=DRAFT.encode(),
        filename="d.txt",
        dispatch=lambda i: None,
    )
    # Given three deliveries whose worker died mid-read (the job left running)
    ImportJob.objects.filter(pk=job.pk).update(status="running", attempts=3)
    # When the task is delivered once more, it fails the job with a reason
    assert services.import_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted 3 times" in job.error


@pytest.mark.django_db
def test_a_new_revision_keeps_paragraph_identities(world: World) -> None:
    # Given the declaration's zero draft (conftest: title, 2 PPs, 3 OPs), and
    # a Word file of the next text: one PP unchanged, one OP reworded, one new OP
    old = {r.text: r.paragraph_id for r in RevisionParagraph.objects.filter(revision=world.revision)}
    data = _docx(
        ("Title", "Declaration of San Salvador"),
        ("Normal", "Recalling the 1st principle of the Charter,"),
        ("Heading 1", "DECISIONS"),
        ("List Number", "Promote safe, orderly and regular migration, item 1."),
        ("List Number", "Promote safe, orderly and regular migration and its benefits, item 2."),
        ("List Number", "Promote safe, orderly and regular migration, item 3."),
        ("List Number", "Welcome the offer of Panama to host the next meeting."),
    )
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        declaration=world.declaration,
        content=data,
        filename="rev1.docx",
        dispatch=lambda i: None,
    )
    ran = services.import_job_run(job_id=job.pk)
    assert ran is not None and ran.preview is not None
    assert ran.preview["identities"] == {"exact": 4, "similar": 1, "new": 1, "dropped": 1}
    shown = [p["paragraph"] for s in ran.preview["sections"] for p in s["paragraphs"]]
    item = "Promote safe, orderly and regular migration, item {}."
    assert shown == [
        old["Declaration of San Salvador"],
        old["Recalling the 1st principle of the Charter,"],
        old[item.format(1)],
        old[item.format(2)],  # reworded: the most similar keeps the identity
        old[item.format(3)],
        None,
    ]
    # When it is confirmed
    confirmed = services.import_job_confirm(actor=world.users["ts"], job_id=job.pk)
    # Then it is Rev.1 of the same declaration, and matched paragraphs kept their ids
    assert confirmed.revision is not None
    revision = confirmed.revision
    assert (revision.declaration_id, revision.label) == (world.declaration.pk, "Rev.1")
    rows = {r.text: r.paragraph_id for r in RevisionParagraph.objects.filter(revision=revision)}
    assert rows["Declaration of San Salvador"] == old["Declaration of San Salvador"]
    assert rows["Recalling the 1st principle of the Charter,"] == old["Recalling the 1st principle of the Charter,"]
    assert rows[item.format(1)] == old[item.format(1)] and rows[item.format(3)] == old[item.format(3)]
    reworded = "Promote safe, orderly and regular migration and its benefits, item 2."
    assert rows[reworded] == old[item.format(2)]
    assert rows["Welcome the offer of Panama to host the next meeting."] not in old.values()
    # The dropped PP is deleted in the working text, kept in history.
    dropped = old["Recalling the 2st principle of the Charter,"]
    assert Paragraph.objects.get(pk=dropped).state == "deleted"


@pytest.mark.django_db
def test_the_2022_seed_imports_as_the_demo_zero_draft(world: World, django_capture_on_commit_callbacks: Any) -> None:
    if not SEED_2022.exists():
        pytest.skip("shared/ is not beside this checkout")
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _upload(world, "ts", SEED_2022.read_bytes(), name=SEED_2022.name).json()["id"]
    body = world.client("ts").post(f"/api/imports/{job_id}/confirm/", {}, format="json").json()
    declaration = Declaration.objects.get(pk=body["created_declaration"])
    assert declaration.kind == "extraordinary_declaration" and declaration.original_language == "en"
    labels = list(
        RevisionParagraph.objects.filter(revision_id=body["revision"])
        .order_by("position")
        .values_list("label", flat=True)
    )
    assert len(labels) == 31 and labels[:5] == ["Title", "Place and date", "PP1", "OP1", "OP2"]


def test_identities_follow_reworded_repeated_and_moved_paragraphs() -> None:
    from drafting.services.import_jobs import _Existing, match_identities

    note = "*Statement also relevant for TS3*"
    old = [
        f"Promote consular protection of migrants in detention. {note}",
        f"Promote consular protection of migrants in transit. {note}",
        "Thank the Government of Mexico for hosting the meeting.",
        "Request the Technical Secretariat to publish the declaration.",
    ]
    existing = [_Existing(10 + i, "operative", t, t.split()) for i, t in enumerate(old)]
    new = [
        {"kind": "operative", "text": "Request the Technical Secretariat to publish the declaration."},  # moved up
        {"kind": "operative", "text": f"Promote consular protection of migrants held in detention. {note}"},
        {"kind": "operative", "text": f"Promote consular protection of migrants in transit and return. {note}"},
        {"kind": "operative", "text": "Welcome the offer of Panama to host the next meeting."},
    ]
    counts = match_identities(existing, new)
    # The two near-identical statements keep their own identities, in order; the moved one keeps its id.
    assert [p.get("paragraph") for p in new] == [13, 10, 11, None]
    assert counts == {"exact": 1, "similar": 2, "new": 1, "dropped": 1}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirmations_create_one_declaration() -> None:
    from drafting.errors import Conflict
    from tests.conftest import build_world, race

    # Given a ready preview, confirmed from two clients at the same moment
    world = build_world(title="Concurrent confirmations")
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        content=DRAFT.encode(),
        filename="d.txt",
        dispatch=lambda i: None,
    )
    services.import_job_run(job_id=job.pk)
    ts = world.users["ts"]
    results = race(
        lambda: services.import_job_confirm(actor=ts, job_id=job.pk),
        lambda: services.import_job_confirm(actor=ts, job_id=job.pk),
    )
    # Then exactly one creates the declaration, the other is told it was done
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ImportJob"], results
    assert any(isinstance(r, Conflict) and "already confirmed" in r.message for r in results)
    assert Declaration.objects.filter(title="DECLARATION OF SAN JOSÉ").count() == 1
    assert Event.objects.filter(verb="import.confirmed").count() == 1


@pytest.mark.django_db
def test_an_import_the_broker_never_got_is_handed_over_by_the_sweep(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from django.utils import timezone

    from workers import tasks

    # Given an upload made while the broker was unreachable
    monkeypatch.setattr("backend.api.imports.views.dispatch", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(world, "ts", DRAFT.encode(), kind="declaration")
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "queued"
    # It is left alone while its first hand-over may still be on its way ...
    assert services.import_jobs_to_redispatch() == []
    # ... and once it has waited past the delay, the sweep hands it over and it is read
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    monkeypatch.setattr("workers.importing.dispatch", lambda job_id: services.import_job_run(job_id=job_id))
    assert tasks.import_sweep.apply().get() == [job.pk]
    assert ImportJob.objects.get(pk=job.pk).status == "ready"
    assert services.import_jobs_to_redispatch() == []
