"""The pages, through Django's test client: who sees what, who may do what
(the same rules as the API, from the same services), 403/404 pages, CSRF,
the language, and the meeting's time zone. The browser tests are in
tests/test_browser.py."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from drafting import services
from drafting.models import Declaration, Event, Paragraph, Proposal
from drafting.services.discussion import discussion_set
from tests.conftest import World, agree_everything, silence_under_way

pytestmark = pytest.mark.django_db


def client_for(world: World, role: str | None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if role is not None:
        client.force_login(world.users[role])
    return client


def paragraphs(world: World) -> list[Paragraph]:
    return list(Paragraph.objects.filter(declaration=world.declaration).order_by("position"))


def propose(
    world: World, role: str = "mex", index: int = 2, text: str = "Promote safe and regular migration."
) -> Proposal:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=paragraphs(world)[index].pk,
        kind="replace",
        text=text,
    )


def test_signed_out_pages_send_you_to_sign_in(world: World) -> None:
    for url in ["/", f"/meetings/{world.meeting.pk}/", f"/declarations/{world.declaration.pk}/text/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/"), url


def test_sign_in_page_and_a_wrong_password_get_a_clear_message(world: World) -> None:
    client = Client()
    page = client.get("/sign-in/")
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content
    user = world.users["mex"]
    user.set_password("right-password-1")
    user.save()
    refused = client.post("/sign-in/", {"username": user.username, "password": "wrong"})
    assert refused.status_code == 200 and "Sign-in refused" in refused.content.decode()
    ok = client.post("/sign-in/", {"username": user.username, "password": "right-password-1"})
    assert ok.status_code == 302


def test_sign_in_refused_by_the_lockout_is_explained(world: World, settings: Any) -> None:
    """django-axes pauses an account from an address after its failures; the
    page says so in its own form (translated), 429 with Retry-After."""
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    user = world.users["can"]
    user.set_password("right-password-1")
    user.save()
    for _ in range(2):
        client.post("/sign-in/", {"username": user.username, "password": "wrong"})
    refused = client.post("/sign-in/", {"username": user.username, "password": "right-password-1"})
    assert refused.status_code == 429 and refused["Retry-After"].isdigit()
    assert "Sign-in refused" in refused.content.decode() and 'name="username"' in refused.content.decode()
    spanish = client.post(
        "/sign-in/", {"username": user.username, "password": "right-password-1"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert spanish.status_code == 429 and 'lang="es"' in spanish.content.decode()


def test_csrf_is_enforced_on_page_actions(world: World) -> None:
    client = client_for(world, "can", enforce_csrf_checks=True)
    proposal = propose(world)
    response = client.post(f"/proposals/{proposal.pk}/support/", {})
    assert response.status_code == 403
    assert not proposal.positions.exists()


def test_text_page_shows_state_proposals_redline_and_controls_for_a_member(world: World) -> None:
    proposal = propose(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="object", reason="Too vague")
    body = client_for(world, "mex").get(f"/declarations/{world.declaration.pk}/text/").content.decode()
    assert "Under discussion" in body or "Open" in body
    assert "<del>" in body and "<ins>" in body
    assert "CAN objects" in body and "Too vague" in body
    assert 'class="prop mine"' in body  # MEX's own proposal stands out
    assert "Withdraw our proposal" in body and "Propose a change" in body


def test_observer_sees_the_text_but_no_controls(world: World) -> None:
    propose(world)
    body = client_for(world, "iom").get(f"/declarations/{world.declaration.pk}/text/").content.decode()
    assert "Promote safe and regular migration." in body
    for control in ["Propose a change", "Support", "Object to the paragraph", '<form method="post" action="/proposals']:
        assert control not in body
    assert 'id="read-only"' in body


def test_observer_posting_anyway_is_refused_by_the_service(world: World) -> None:
    proposal = propose(world)
    response = client_for(world, "iom").post(f"/proposals/{proposal.pk}/support/", {})
    assert response.status_code == 403
    assert "member state" in response.content.decode()
    assert not proposal.positions.exists()


def test_members_only_meeting_is_refused_to_observers(closed_world: World) -> None:
    response = client_for(closed_world, "iom").get(f"/declarations/{closed_world.declaration.pk}/text/")
    assert response.status_code == 403 and "member states only" in response.content.decode()


def test_unknown_objects_are_404_pages(world: World) -> None:
    client = client_for(world, "mex")
    assert client.get("/declarations/999999/text/").status_code == 404
    assert client.post("/proposals/999999/support/", {}).status_code == 404
    assert client.get("/meetings/999999/").status_code == 404


def test_propose_support_object_withdraw_through_the_pages(world: World) -> None:
    mex, can = client_for(world, "mex"), client_for(world, "can")
    target = paragraphs(world)[3]
    url = f"/declarations/{world.declaration.pk}/text/"
    response = mex.post(
        f"/declarations/{world.declaration.pk}/propose/",
        {"paragraph": target.pk, "revision": world.revision.pk, "kind": "replace", "text": "New words.", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#p{target.pk}"
    proposal = Proposal.objects.get(paragraph=target)
    assert proposal.delegation.code == "MEX" and proposal.text == "New words."
    assert can.post(f"/proposals/{proposal.pk}/object/", {"reason": "No", "next": url}).status_code == 302
    assert proposal.positions.get().stance == "object"
    # an objection without a reason is refused with the service's message, nothing changes
    response = can.post(f"/proposals/{proposal.pk}/object/", {"reason": "", "next": url}, follow=True)
    assert "An objection needs a reason" in response.content.decode()
    assert can.post(f"/proposals/{proposal.pk}/position/withdraw/", {"next": url}).status_code == 302
    assert not proposal.positions.exists()
    # only MEX may withdraw it
    assert can.post(f"/proposals/{proposal.pk}/withdraw/", {"next": url}).status_code == 403
    assert mex.post(f"/proposals/{proposal.pk}/withdraw/", {"next": url}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_next_must_stay_on_this_site(world: World) -> None:
    proposal = propose(world)
    response = client_for(world, "can").post(f"/proposals/{proposal.pk}/support/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"].startswith(f"/declarations/{world.declaration.pk}/")


def test_filters(world: World) -> None:
    propose(world, index=2)
    services.paragraph_object(actor=world.users["can"], paragraph=paragraphs(world)[4], reason="No")
    client = client_for(world, "can")
    url = f"/declarations/{world.declaration.pk}/text/"
    ids = lambda body: set(re.findall(r'<article id="p(\d+)"', body))  # noqa: E731
    p = paragraphs(world)
    assert ids(client.get(url + "?show=proposals").content.decode()) == {str(p[2].pk)}
    assert ids(client.get(url + "?show=objections").content.decode()) == {str(p[4].pk)}
    assert ids(client.get(url + "?show=mine").content.decode()) == {str(p[4].pk)}
    assert len(ids(client.get(url).content.decode())) == len(p)


def test_chair_console_is_the_ppts_only(world: World) -> None:
    url = f"/declarations/{world.declaration.pk}/chair/"
    assert client_for(world, "mex").get(url).status_code == 403
    assert client_for(world, "ts").get(url).status_code == 403
    assert client_for(world, "ppt").get(url).status_code == 200


def test_chair_accepts_with_the_version_shown_and_a_stale_one_is_explained(world: World) -> None:
    proposal = propose(world)
    chair = client_for(world, "ppt")
    url = f"/declarations/{world.declaration.pk}/chair/"
    shown = proposal.version
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    response = chair.post(
        f"/proposals/{proposal.pk}/decide/", {"decision": "accept", "version": shown, "next": url}, follow=True
    )
    body = response.content.decode()
    assert "changed since your console showed it" in body and "CAN supported it" in body
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    response = chair.post(
        f"/proposals/{proposal.pk}/decide/", {"decision": "accept", "version": proposal.version, "next": url}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert Paragraph.objects.get(pk=proposal.paragraph_id).text == "Promote safe and regular migration."


def test_console_offers_only_allowed_transitions(world: World) -> None:
    target = paragraphs(world)[2]
    services.paragraph_act(actor=world.users["ppt"], paragraph=target, action="agree")
    body = client_for(world, "ppt").get(f"/declarations/{world.declaration.pk}/chair/").content.decode()
    article = body[body.index(f'<article id="p{target.pk}"') :]
    article = article[: article.index("</article>")]
    assert 'value="reopen"' in article and 'value="hold"' not in article and 'value="agree"' not in article
    # a transition not allowed is refused by the service, with its message
    response = client_for(world, "ppt").post(f"/paragraphs/{target.pk}/act/", {"action": "unbracket"}, follow=True)
    assert "cannot be taken to" in response.content.decode()


def test_agree_uncontested_in_one_step_page_and_api(world: World) -> None:
    p = paragraphs(world)
    propose(world, index=2)
    services.paragraph_object(actor=world.users["can"], paragraph=p[3], reason="No")
    response = client_for(world, "ppt").post(f"/declarations/{world.declaration.pk}/agree-uncontested/", {})
    assert response.status_code == 302
    states = {x.pk: x.state for x in paragraphs(world)}
    assert states[p[2].pk] != "agreed" and states[p[3].pk] != "agreed"
    assert all(states[x.pk] == "agreed" for i, x in enumerate(p) if i not in (2, 3))
    assert Event.objects.filter(verb="paragraph.agree").count() == len(p) - 2
    # the API's endpoint: nothing left to agree; members may not
    api = world.client("ppt")
    assert api.post(f"/api/declarations/{world.declaration.pk}/agree-uncontested/", {}).json() == {"agreed": []}
    assert (
        world.client("mex").post(f"/api/declarations/{world.declaration.pk}/agree-uncontested/", {}).status_code == 403
    )


def live_url(client: Client, world: World) -> str:
    """The poll address a page carries (with its signed ticket)."""
    page = client.get(f"/declarations/{world.declaration.pk}/text/").content.decode()
    found = re.search(r'data-live="([^"]+)"', page)
    assert found
    return found.group(1).replace("&amp;", "&")


def test_the_live_poll_needs_the_pages_ticket_for_that_meeting(world: World, closed_world: World) -> None:
    mex = client_for(world, "mex")
    url = live_url(mex, world)
    assert Client().get(url).status_code == 200  # the ticket is the authorisation (it says only "changed")
    assert Client().get(f"/live/meetings/{world.meeting.pk}/").status_code == 403
    assert Client().get(url.replace("?t=", "?t=x")).status_code == 403
    other = f"/live/meetings/{closed_world.meeting.pk}/?t=" + url.split("?t=")[1]
    assert Client().get(other).status_code == 403


def test_now_discussing_is_stored_shown_and_changes_the_live_etag(world: World, settings: Any) -> None:
    from backend.pages import live

    settings.CONSENSO_LIVE_CACHE_MS = 0
    live._ETAGS.clear()  # another test's meeting 1 may be remembered for 200 ms
    target = paragraphs(world)[3]
    mex = client_for(world, "mex")
    live = live_url(mex, world)
    first = mex.get(live)
    etag = first["ETag"]
    assert mex.get(live, HTTP_IF_NONE_MATCH=etag).status_code == 304
    response = client_for(world, "ppt").post(f"/declarations/{world.declaration.pk}/discuss/", {"paragraph": target.pk})
    assert response.status_code == 302
    assert Declaration.objects.get(pk=world.declaration.pk).discussing_id == target.pk
    assert mex.get(live, HTTP_IF_NONE_MATCH=etag).status_code == 200
    screen = mex.get(f"/declarations/{world.declaration.pk}/screen/").content.decode()
    assert target.text in screen and "<form" not in screen.split("<main")[1]
    assert Event.objects.filter(verb="discussion.set", paragraph=target).exists()
    # the API: only the PPT
    assert (
        world.client("mex")
        .post(f"/api/declarations/{world.declaration.pk}/discussing/", {"paragraph": target.pk})
        .status_code
        == 403
    )
    assert world.client("ppt").post(
        f"/api/declarations/{world.declaration.pk}/discussing/", {"paragraph": None}, format="json"
    ).json() == {"paragraph": None}


def test_issue_and_adoption_under_silence_with_a_deadline_in_the_meeting_time_zone(world: World) -> None:
    world.meeting.time_zone = "America/Guatemala"
    world.meeting.save()
    agree_everything(world)
    chair = client_for(world, "ppt")
    assert chair.post(f"/declarations/{world.declaration.pk}/issue/", {"note": "clean"}).status_code == 302
    local = (timezone.now() + datetime.timedelta(days=2)).astimezone(datetime.timezone(datetime.timedelta(hours=-6)))
    typed = local.strftime("%Y-%m-%dT%H:%M")
    assert (
        chair.post(
            f"/declarations/{world.declaration.pk}/adoption/start/", {"method": "silence", "deadline": typed}
        ).status_code
        == 302
    )
    adoption = world.declaration.adoptions.get()
    assert adoption.deadline == datetime.datetime.fromisoformat(typed + "-06:00")
    body = client_for(world, "mex").get(f"/meetings/{world.meeting.pk}/").content.decode()
    assert "America/Guatemala" in body and 'data-deadline="' in body
    assert local.strftime("%H:%M") in body or local.strftime("%-I:%M") in body


def test_silence_break_through_the_page(world: World) -> None:
    silence_under_way(world, 3600)
    response = client_for(world, "can").post(
        f"/declarations/{world.declaration.pk}/adoption/break-silence/", {"reason": "Capital"}
    )
    assert response.status_code == 302
    assert Declaration.objects.get(pk=world.declaration.pk).status == "drafting"


def test_spanish_by_browser_language_and_by_the_switch(world: World) -> None:
    client = client_for(world, "mex")
    url = f"/declarations/{world.declaration.pk}/text/"
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in body and "Proponer un cambio" in body
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in body and "Propose a change" in body
    client.post("/i18n/setlang/", {"language": "es", "next": url})
    assert "Proponer un cambio" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Iniciar sesión" in Client().get("/sign-in/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_meeting_home_and_compare(world: World) -> None:
    proposal = propose(world)
    services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="accept", version=proposal.version)
    services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    client = client_for(world, "rncom")
    home = client.get(f"/meetings/{world.meeting.pk}/").content.decode()
    assert "Rev.1" in home and "Chair" not in home
    body = client.get(f"/declarations/{world.declaration.pk}/compare/").content.decode()
    assert "<del>" in body and "<ins>" in body


def test_desk_is_the_secretariats_and_creates_an_account_that_signs_in(world: World) -> None:
    url = f"/meetings/{world.meeting.pk}/desk/"
    assert client_for(world, "mex").get(url).status_code == 403
    desk = client_for(world, "ts")
    assert desk.get(url).status_code == 200
    sheet = desk.post(
        f"/meetings/{world.meeting.pk}/desk/accounts/", {"delegation": "CAN", "username": "can.delegate2"}
    )
    assert sheet.status_code == 200 and sheet["Cache-Control"] == "no-store"
    password = re.search(r'class="password">([^<]+)<', sheet.content.decode()).group(1)
    fresh = Client()
    assert fresh.post("/sign-in/", {"username": "can.delegate2", "password": password}).status_code == 302
    assert fresh.get(f"/declarations/{world.declaration.pk}/text/").status_code == 200
    # a delegation not at the meeting: refused with a message, nothing created
    response = desk.post(
        f"/meetings/{world.meeting.pk}/desk/accounts/",
        {"delegation": "NIC", "username": "nic2", "next": url},
        follow=True,
    )
    assert "does not take part" in response.content.decode()


def test_desk_imports_and_exports_are_jobs_it_shows(world: World) -> None:
    desk = client_for(world, "ts")
    url = f"/meetings/{world.meeting.pk}/desk/"
    response = desk.post(
        f"/meetings/{world.meeting.pk}/desk/imports/",
        {"text": "Declaration of Panama\n\nPP1 Recalling the past,\n\n1. Decide things.", "next": url},
    )
    assert response.status_code == 302
    body = desk.get(url).content.decode()
    assert "pasted.txt" in body
    response = desk.post(
        f"/meetings/{world.meeting.pk}/desk/exports/",
        {"declaration": world.declaration.pk, "kind": "compilation", "format": "docx", "next": url},
    )
    assert response.status_code == 302
    assert "Compilation text" in desk.get(url).content.decode()


def test_live_patch_sends_only_the_changed_paragraphs_or_asks_for_a_full_reload(world: World) -> None:
    mex = client_for(world, "mex")
    url = f"/declarations/{world.declaration.pk}/text/"
    page = mex.get(url).content.decode()
    after = int(re.search(r'id="live-after" data-after="(\d+)"', page).group(1))
    proposal = propose(world, role="can", index=3)
    patch = mex.get(f"{url}?changed_since={after}", HTTP_HX_REQUEST="true")
    body = patch.content.decode()
    target = paragraphs(world)[3].pk
    assert re.findall(r'<article id="p(\d+)" hx-swap-oob="outerHTML"', body) == [str(target)]
    assert f"#prop{proposal.pk}" not in body and f'id="prop{proposal.pk}"' in body
    assert 'name="next" value="/declarations/' in body and "changed_since" not in body.split('name="next"')[1][:80]
    last = int(re.search(r'id="live-after" data-after="(\d+)"', body).group(1))
    assert last > after
    # a change beyond one paragraph (now discussing): reload the whole region
    discussion_set(actor=world.users["ppt"], declaration=world.declaration, paragraph_id=target)
    full = mex.get(f"{url}?changed_since={last}", HTTP_HX_REQUEST="true")
    assert full.content == b"" and full["HX-Trigger"] == "consenso:changed"
    # a filtered page always reloads whole; without htmx the parameter is ignored
    assert mex.get(f"{url}?show=mine&changed_since={after}", HTTP_HX_REQUEST="true")["HX-Trigger"]
    assert "<html" in mex.get(f"{url}?changed_since={after}").content.decode()
