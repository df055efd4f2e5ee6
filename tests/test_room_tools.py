"""The live room's tools below the browser: the chair brackets words and
offers Alt 1/Alt 2 (drafting/services/paragraphs.py ``paragraph_bracket``),
the Secretariat sets a meeting up (drafting/services/meetings.py) and hands
out one-time sign-in links (drafting/services/sign_in_links.py), and the
pages that use them (backend/pages/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from drafting import services
from drafting.errors import Conflict, InvalidInput, NotAllowed, NotFound
from drafting.models import Event, Paragraph, SignInLink
from drafting.services import sign_in_links
from drafting.services.meetings import meeting_setup
from drafting.services.paragraphs import words_span
from tests.conftest import World, build_world

pytestmark = pytest.mark.django_db


def _paragraph(world: World, n: int = 3) -> Paragraph:
    return Paragraph.objects.get(pk=world.paragraph_ids()[n])


def _proposal(world: World, role: str, paragraph: Paragraph, text: str) -> int:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=paragraph.pk,
        kind="replace",
        text=text,
    ).pk


# --- bracketing words and offering options ---------------------------------


def test_words_span_prefers_the_selected_place_then_the_first() -> None:
    text = "safe and orderly, safe and regular"
    assert words_span(text, "safe and", 18) == {"start": 18, "end": 26}
    assert words_span(text, "safe and", 5) == {"start": 0, "end": 8}  # not there: the first
    with pytest.raises(InvalidInput):
        words_span(text, "humane", None)
    with pytest.raises(InvalidInput):
        words_span(text, "", None)


def test_bracketing_adds_spans_merges_touching_ones_and_keeps_options(world: World) -> None:
    p = _paragraph(world)
    services.paragraph_act(actor=world.users["ppt"], paragraph=p, action="open")
    words = p.text.split()
    first = f"{words[0]} {words[1]}"
    p = services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, words=first, start=0)
    assert p.state == "bracketed" and p.brackets == [{"start": 0, "end": len(first)}]
    # words overlapping the first span: one wider span
    second = f"{words[1]} {words[2]}"
    second_at = p.text.index(second)
    p = services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, words=f" {second} ", start=None)
    assert p.brackets == [{"start": 0, "end": second_at + len(second)}]
    a = _proposal(world, "mex", p, "Other words.")
    b = _proposal(world, "can", p, "Different words.")
    p = services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, alternatives=[a, b])
    assert p.alternatives == [a, b] and len(p.brackets) == 1  # the span stays
    last = words[-1].rstrip(".")
    p = services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, words=last)
    assert p.alternatives == [a, b] and len(p.brackets) == 2  # the options stay
    # an option withdrawn meanwhile drops out when the chair brackets again
    services.proposal_withdraw(actor=world.users["can"], proposal=p.proposals.get(pk=b))
    p = services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, words=words[0])
    assert p.alternatives == [a]
    assert Event.objects.filter(verb="paragraph.bracket", paragraph=p).count() == 5


def test_only_the_ppt_brackets_and_bad_words_change_nothing(world: World) -> None:
    p = _paragraph(world)
    services.paragraph_act(actor=world.users["ppt"], paragraph=p, action="open")
    with pytest.raises(NotAllowed):
        services.paragraph_bracket(actor=world.users["mex"], paragraph=p, words=p.text.split()[0])
    with pytest.raises(InvalidInput):
        services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, words="not in it at all")
    p.refresh_from_db()
    assert p.state == "under_discussion" and p.brackets == []
    with pytest.raises(InvalidInput):  # an option that is not a pending rewording of it
        services.paragraph_bracket(actor=world.users["ppt"], paragraph=p, alternatives=[999_999])


def test_the_chair_brackets_through_the_page_and_the_text_page_shows_it(world: World) -> None:
    p = _paragraph(world)
    services.paragraph_act(actor=world.users["ppt"], paragraph=p, action="open")
    chair = Client()
    chair.force_login(world.users["ppt"])
    words = " ".join(p.text.split()[1:3])
    response = chair.post(f"/paragraphs/{p.pk}/bracket/", {"words": words, "start": str(p.text.index(words))})
    assert response.status_code == 302
    reader = Client()
    reader.force_login(world.users["iom"])
    page = reader.get(f"/declarations/{world.declaration.pk}/text/").content.decode()
    assert f'<span class="mark">[</span>{words}<span class="mark">]</span>' in page
    # a delegate cannot
    mex = Client()
    mex.force_login(world.users["mex"])
    assert mex.post(f"/paragraphs/{p.pk}/bracket/", {"words": words}).status_code == 403


# --- a refused proposal keeps its wording ----------------------------------


def test_a_refused_proposal_comes_back_in_its_editor_once(world: World) -> None:
    p = _paragraph(world, 2)
    mex = Client()
    mex.force_login(world.users["mex"])
    typed = "A long wording <b>typed</b> with care."
    response = mex.post(
        f"/declarations/{world.declaration.pk}/propose/",
        {"paragraph": p.pk, "revision": 999_999, "kind": "replace", "text": typed, "rationale": "why"},
    )
    assert response.status_code == 302
    page = mex.get(response["Location"]).content.decode()
    assert "A long wording &lt;b&gt;typed&lt;/b&gt; with care." in page
    assert f'id="propose-error-{p.pk}"' in page and "Not a revision of this declaration" in page
    assert f'<details id="propose-{p.pk}" hx-preserve="true" open>' in page
    again = mex.get(response["Location"]).content.decode()
    assert f'id="propose-error-{p.pk}"' not in again


def test_messages_name_the_proposal_by_delegation_and_label(world: World) -> None:
    p = _paragraph(world, 3)
    label = world.revision.paragraphs.get(paragraph_id=p.pk).label
    pk = _proposal(world, "mex", p, "Other words entirely.")
    can = Client()
    can.force_login(world.users["can"])
    page = can.post(f"/proposals/{pk}/support/", follow=True).content.decode()
    assert f"Your delegation supports MEX&#x27;s proposal on {label}." in page
    chair = Client()
    chair.force_login(world.users["ppt"])
    version = world.declaration.proposals.get(pk=pk).version
    page = chair.post(f"/proposals/{pk}/decide/", {"decision": "accept", "version": version}, follow=True)
    assert f"MEX&#x27;s proposal on {label} accepted." in page.content.decode()


# --- setting a meeting up --------------------------------------------------


def test_the_secretariat_sets_its_meeting_up(world: World) -> None:
    meeting = meeting_setup(
        actor=world.users["ts"],
        meeting=world.meeting,
        participants=["mex", "CAN", "IOM", "nic"],
        ppt="MEX",
        time_zone="America/Mexico_City",
        members_only=True,
        silence_hours=48,
    )
    assert meeting.ppt.code == "MEX" and meeting.time_zone == "America/Mexico_City"
    assert meeting.members_only and meeting.silence_hours == 48
    assert sorted(meeting.participants.values_list("code", flat=True)) == ["CAN", "IOM", "MEX", "NIC"]
    event = Event.objects.get(verb="meeting.set_up", meeting=meeting)
    assert event.before["ppt"] == "SLV" and event.after["ppt"] == "MEX"
    # the former PPT is out, and NIC now negotiates
    from drafting.access import role_in

    assert role_in(world.users["nic"], meeting).can_negotiate
    assert not role_in(world.users["ppt"], meeting).can_negotiate


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"ppt": "IOM"}, InvalidInput),
        ({"ppt": "XXX"}, InvalidInput),
        ({"participants": ["MEX", "ZZZ"]}, InvalidInput),
        ({"participants": ["TS"]}, InvalidInput),
        ({"time_zone": "Mars/Olympus"}, InvalidInput),
        ({"silence_hours": 0}, InvalidInput),
    ],
)
def test_bad_set_up_is_refused_and_changes_nothing(world: World, change: dict[str, object], error: type) -> None:
    before = (world.meeting.ppt_id, world.meeting.time_zone, set(world.meeting.participants.all()))
    with pytest.raises(error):
        meeting_setup(actor=world.users["ts"], meeting=world.meeting, **change)  # type: ignore[arg-type]
    world.meeting.refresh_from_db()
    assert (world.meeting.ppt_id, world.meeting.time_zone, set(world.meeting.participants.all())) == before
    assert not Event.objects.filter(verb="meeting.set_up").exists()


@pytest.mark.parametrize("role", ["ppt", "mex", "iom"])
def test_only_the_meetings_secretariat_sets_it_up(world: World, role: str) -> None:
    with pytest.raises(NotAllowed):
        meeting_setup(actor=world.users[role], meeting=world.meeting, members_only=True)
    other = build_world(title="Another meeting")
    with pytest.raises(NotAllowed):
        meeting_setup(actor=other.users["ts"], meeting=world.meeting, members_only=True)


def test_the_ppt_stays_while_a_text_is_being_adopted(world: World) -> None:
    from tests.conftest import agree_everything

    agree_everything(world)
    revision = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=revision.pk)
    with pytest.raises(Conflict):
        meeting_setup(actor=world.users["ts"], meeting=world.meeting, ppt="MEX")
    meeting_setup(actor=world.users["ts"], meeting=world.meeting, silence_hours=96)  # the rest may change


def test_the_desk_form_sets_the_meeting_up(world: World) -> None:
    ts = Client()
    ts.force_login(world.users["ts"])
    page = ts.get(f"/meetings/{world.meeting.pk}/desk/").content.decode()
    assert 'id="part-MEX"' in page and 'id="setup-ppt"' in page
    response = ts.post(
        f"/meetings/{world.meeting.pk}/desk/setup/",
        {"participants": ["SLV", "MEX"], "ppt": "SLV", "time_zone": "America/Panama", "silence_hours": "72"},
    )
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.time_zone == "America/Panama" and not world.meeting.members_only
    assert sorted(world.meeting.participants.values_list("code", flat=True)) == ["MEX", "SLV"]
    mex = Client()
    mex.force_login(world.users["mex"])
    assert mex.post(f"/meetings/{world.meeting.pk}/desk/setup/", {"ppt": "MEX"}).status_code == 403


# --- one-time sign-in links ------------------------------------------------


def _delegate(world: World) -> User:
    user, _password = services_accounts_create(world)
    return user


def services_accounts_create(world: World) -> tuple[User, str]:
    from drafting.services import accounts

    return accounts.account_create(
        actor=world.users["ts"], meeting=world.meeting, delegation_code="CAN", username="can.link"
    )


def test_a_link_signs_in_once_and_is_stored_hashed(world: World) -> None:
    user = _delegate(world)
    link, secret = sign_in_links.sign_in_link_create(actor=world.users["ts"], meeting=world.meeting, user_id=user.pk)
    assert secret not in link.secret_hash and len(secret) >= 40
    assert not SignInLink.objects.filter(secret_hash=secret).exists()
    browser = Client()
    confirm = browser.get(f"/sign-in/link/{secret}/")
    assert confirm.status_code == 200 and "can.link" in confirm.content.decode()
    assert "_auth_user_id" not in browser.session  # looking does not sign in, nor use it up
    response = browser.post(f"/sign-in/link/{secret}/")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{world.meeting.pk}/"
    assert int(browser.session["_auth_user_id"]) == user.pk
    assert Event.objects.filter(verb="account.link_used", object_id=str(link.pk)).exists()
    again = Client().post(f"/sign-in/link/{secret}/")
    assert again.status_code == 410 and "does not work" in again.content.decode()


def test_expired_revoked_replaced_and_deactivated_links_do_not_work(world: World) -> None:
    user = _delegate(world)
    ts, meeting = world.users["ts"], world.meeting
    _old, old_secret = sign_in_links.sign_in_link_create(actor=ts, meeting=meeting, user_id=user.pk)
    new, new_secret = sign_in_links.sign_in_link_create(actor=ts, meeting=meeting, user_id=user.pk)
    with pytest.raises(NotAllowed):  # replaced by the newer one
        sign_in_links.sign_in_link_use(secret=old_secret)
    sign_in_links.sign_in_link_revoke(actor=ts, meeting=meeting, link_id=new.pk)
    with pytest.raises(NotAllowed):
        sign_in_links.sign_in_link_use(secret=new_secret)
    expired, expired_secret = sign_in_links.sign_in_link_create(actor=ts, meeting=meeting, user_id=user.pk)
    SignInLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotAllowed):
        sign_in_links.sign_in_link_use(secret=expired_secret)
    _live, live_secret = sign_in_links.sign_in_link_create(actor=ts, meeting=meeting, user_id=user.pk)
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(NotAllowed):
        sign_in_links.sign_in_link_use(secret=live_secret)
    assert list(sign_in_links.sign_in_link_list(actor=ts, meeting=meeting)) == []


def test_links_are_the_meetings_secretariats_only(world: World) -> None:
    user = _delegate(world)
    for role in ("ppt", "mex"):
        with pytest.raises(NotAllowed):
            sign_in_links.sign_in_link_create(actor=world.users[role], meeting=world.meeting, user_id=user.pk)
    other = build_world(title="Another meeting")
    with pytest.raises(NotAllowed):
        sign_in_links.sign_in_link_create(actor=other.users["ts"], meeting=world.meeting, user_id=user.pk)
    with pytest.raises((NotAllowed, NotFound)):  # a Secretariat account is an administrator's
        sign_in_links.sign_in_link_create(actor=world.users["ts"], meeting=world.meeting, user_id=world.users["ts"].pk)
    assert not SignInLink.objects.exists()


def test_guessing_links_is_paused_like_guessing_passwords(world: World, settings: object) -> None:
    from django.conf import settings as django_settings

    browser = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        assert browser.post("/sign-in/link/not-a-link/").status_code == 410
    paused = browser.get("/sign-in/link/not-a-link/")
    assert paused.status_code == 429 and paused.has_header("Retry-After")
    # a good link from that address waits too; another address is not held up
    user = _delegate(world)
    _link, secret = sign_in_links.sign_in_link_create(actor=world.users["ts"], meeting=world.meeting, user_id=user.pk)
    assert browser.post(f"/sign-in/link/{secret}/").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").post(f"/sign-in/link/{secret}/").status_code == 302


def test_the_desk_makes_and_revokes_links(world: World) -> None:
    user = _delegate(world)
    ts = Client()
    ts.force_login(world.users["ts"])
    sheet = ts.post(f"/meetings/{world.meeting.pk}/desk/accounts/{user.pk}/link/")
    assert sheet.status_code == 200 and sheet["Cache-Control"] == "no-store"
    assert "/sign-in/link/" in sheet.content.decode()
    link = SignInLink.objects.get(user=user)
    assert f'id="link-{link.pk}"' in ts.get(f"/meetings/{world.meeting.pk}/desk/").content.decode()
    assert ts.post(f"/meetings/{world.meeting.pk}/desk/links/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


# --- import corrections ----------------------------------------------------

IMPORTED = (
    "DECLARATION OF SAN JOSÉ\n\nSan José, 12 de mayo de 2023\n\n"
    "Recalling the Puebla Process, Reaffirming our commitment to migrants.\n\n"
    "1. Reaffirm the commitment to safe, orderly and regular migration.\n\n"
    "2. Promote regular pathways for labour mobility.\n"
)


def _ready_import(world: World) -> int:
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        declaration=None,
        content=IMPORTED.encode(),
        filename="draft.txt",
        title="",
        dispatch=lambda job_id: None,
    )
    services.import_job_run(job_id=job.pk)
    return job.pk


def _texts(job_id: int) -> list[str]:
    from drafting.models import ImportJob

    preview = ImportJob.objects.get(pk=job_id).preview or {}
    return [p["text"] for s in preview["sections"] for p in s["paragraphs"]]


def test_the_preview_page_corrects_an_import(world: World) -> None:
    job_id = _ready_import(world)
    ts = Client()
    ts.force_login(world.users["ts"])
    page = ts.get(f"/imports/{job_id}/").content.decode()
    texts = _texts(job_id)
    n = next(i for i, t in enumerate(texts) if t.startswith("Recalling"))
    assert f'id="fix-{n}"' in page and 'id="fix-title"' in page
    # split the preambular paragraph before "Reaffirming"
    response = ts.post(f"/imports/{job_id}/correct/", {"op": "split", "paragraph": n, "words": "Reaffirming our"})
    assert response.status_code == 302 and response["Location"] == f"/imports/{job_id}/#ip{n}"
    after = _texts(job_id)
    assert after[n].startswith("Recalling") and after[n + 1].startswith("Reaffirming")
    # merge them back, then exclude the last paragraph as a note and put it back at the end
    ts.post(f"/imports/{job_id}/correct/", {"op": "merge", "paragraph": n})
    assert _texts(job_id) == texts
    last = len(texts) - 1
    ts.post(f"/imports/{job_id}/correct/", {"op": "exclude", "paragraph": last})
    assert len(_texts(job_id)) == len(texts) - 1
    assert "Put back into the text" in ts.get(f"/imports/{job_id}/").content.decode()
    ts.post(f"/imports/{job_id}/correct/", {"op": "include", "note": 0, "before": ""})
    assert _texts(job_id)[-1] == texts[-1]
    # the kind, and the title
    ts.post(f"/imports/{job_id}/correct/", {"op": "set_kind", "paragraph": last, "kind": "text", "level": "0"})
    ts.post(f"/imports/{job_id}/correct/", {"op": "set_title", "lines": "DECLARATION\nOF SAN JOSÉ", "place_date": ""})
    from drafting.models import ImportJob

    job = ImportJob.objects.get(pk=job_id)
    assert job.preview is not None and job.preview["title"] == "DECLARATION — OF SAN JOSÉ"
    assert [op["op"] for op in job.preview["corrections"]] == [
        "split",
        "merge",
        "exclude",
        "include",
        "set_kind",
        "set_title",
    ]
    assert Event.objects.filter(verb="import.corrected").count() == 6


def test_a_bad_correction_is_explained_and_changes_nothing(world: World) -> None:
    job_id = _ready_import(world)
    texts = _texts(job_id)
    ts = Client()
    ts.force_login(world.users["ts"])
    page = ts.post(
        f"/imports/{job_id}/correct/", {"op": "split", "paragraph": 0, "words": "nowhere in it"}, follow=True
    ).content.decode()
    assert "Type the words the second paragraph starts with" in page
    page = ts.post(f"/imports/{job_id}/correct/", {"op": "merge", "paragraph": "x"}, follow=True).content.decode()
    assert "msg error" in page
    ts.post(f"/imports/{job_id}/correct/", {"op": "merge", "paragraph": 999})
    assert _texts(job_id) == texts
    mex = Client()
    mex.force_login(world.users["mex"])
    assert mex.post(f"/imports/{job_id}/correct/", {"op": "merge", "paragraph": 0}).status_code in (403, 404)
    assert _texts(job_id) == texts


# --- the library ------------------------------------------------------------


def _library() -> list[int]:
    """Three statements, indexed for search as the library's service does."""
    from drafting.models import AgreedStatement
    from drafting.services.library import _index

    rows = [
        (
            "XXI RCM",
            2016,
            "Decision 12",
            "TS3",
            "We agree to continue promoting safe, regular and orderly migration.",
            "Acordamos seguir promoviendo una migración segura, regular y ordenada.",
        ),
        ("XIX RCM", 2014, "OP4", "TS1", "Strengthen consular protection of unaccompanied children.", ""),
        ("XIII RCM", 2008, "OP2", "TS1", "Protect the human rights of migrants.", ""),
    ]
    statements = [
        AgreedStatement.objects.create(
            meeting_label=m,
            year=y,
            paragraph_label=label,
            theme=theme,
            text_en=en,
            text_es=es,
            origin="seed",
            import_key=f"test:{m}",
        )
        for m, y, label, theme, en, es in rows
    ]
    for statement in statements:
        _index(statement)
    return [statement.pk for statement in statements]


def test_the_library_page_searches_with_filters(world: World) -> None:
    ids = _library()
    reader = Client()
    reader.force_login(world.users["iom"])
    page = reader.get("/library/", {"q": "migration"}).content.decode()
    assert f'id="st{ids[0]}"' in page and f'id="st{ids[1]}"' not in page
    assert "XXI RCM (2016), Decision 12" in page
    page = reader.get("/library/", {"theme": "TS1"}).content.decode()
    assert f'id="st{ids[1]}"' in page and f'id="st{ids[2]}"' in page and f'id="st{ids[0]}"' not in page
    page = reader.get("/library/", {"theme": "TS1", "year": "2014"}).content.decode()
    assert f'id="st{ids[1]}"' in page and f'id="st{ids[2]}"' not in page
    # junk filters are ignored, a junk query is an error message, not a 500
    assert reader.get("/library/", {"theme": "ZZ", "year": "x", "page": "-3"}).status_code == 200
    # in Spanish, the Spanish wording where the library has it
    page = reader.get("/library/", {"q": "ordenada"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Acordamos seguir promoviendo" in page


def test_propose_this_wording_from_the_library(world: World) -> None:
    ids = _library()
    p = _paragraph(world, 3)
    mex = Client()
    mex.force_login(world.users["mex"])
    page = mex.get(f"/library/{ids[0]}/", {"paragraph": p.pk}).content.decode()
    assert "Propose this wording" in page and f'value="{world.declaration.pk}:{p.pk}" selected' in page
    response = mex.post(
        f"/library/{ids[0]}/propose/",
        {
            "target": f"{world.declaration.pk}:{p.pk}",
            f"revision-{world.declaration.pk}": world.revision.pk,
            "kind": "replace",
            "text": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/text/#p{p.pk}")
    proposal = world.declaration.proposals.get(paragraph=p)
    assert proposal.source_statement_id == ids[0] and proposal.delegation.code == "MEX"
    # an observer reads the library but proposes nothing
    iom = Client()
    iom.force_login(world.users["iom"])
    assert "Propose this wording" not in iom.get(f"/library/{ids[0]}/").content.decode()
    refused = iom.post(
        f"/library/{ids[0]}/propose/",
        {
            "target": f"{world.declaration.pk}:{p.pk}",
            f"revision-{world.declaration.pk}": world.revision.pk,
            "kind": "replace",
        },
    )
    assert refused.status_code == 403
    # a deletion is not agreed language: refused with a message, nothing tabled
    page = mex.post(
        f"/library/{ids[1]}/propose/",
        {
            "target": f"{world.declaration.pk}:{p.pk}",
            f"revision-{world.declaration.pk}": world.revision.pk,
            "kind": "delete",
            "next": f"/library/{ids[1]}/",
        },
        follow=True,
    ).content.decode()
    assert "msg error" in page and world.declaration.proposals.count() == 1
