"""The live room's event streams (backend/pages/stream.py) without a browser:
what each open page is sent after a change, that the shared rendering is done
once per kind of reader and carries each page's own CSRF token, resuming
after a reconnection, the notice published after the commit (never for a
rolled-back change), and the fall-back to polling where there is no stream.
The whole path through two uvicorn processes and Redis is in
tests/test_browser.py."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.test import Client

from backend.pages import live as pages_live
from backend.pages import stream
from drafting import live, selectors, services
from drafting.models import Paragraph, Proposal
from drafting.services.discussion import discussion_set
from tests.conftest import World, needs_redis

pytestmark = pytest.mark.django_db


def listener(world: World, role: str, *, text: bool = True, csrf: str = "tok", language: str = "en") -> stream.Listener:
    """A page as the stream view would register it, showing the meeting as it is now."""
    declaration_id = world.declaration.pk
    if text:
        _, r = selectors.declaration_get(user=world.users[role], declaration_id=declaration_id)
    else:
        _, r = selectors.meeting_get(user=world.users[role], meeting_id=world.meeting.pk)
    return stream.Listener(
        meeting_id=world.meeting.pk,
        declaration_id=declaration_id if text else None,
        role=r,
        language=language,
        csrf_token=csrf,
        here=f"/declarations/{declaration_id}/text/",
        after=selectors.declaration_last_event(declaration_id=declaration_id),
        etag=pages_live.meeting_etag(world.meeting),
    )


def propose(world: World, paragraph: Paragraph, role: str = "mex", text: str = "New words.") -> Proposal:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=paragraph.pk,
        kind="replace",
        text=text,
    )


def events(messages: list[tuple[stream.Listener, str]], page: stream.Listener) -> list[dict[str, str]]:
    out = []
    for who, message in messages:
        if who is page:
            fields: dict[str, Any] = {"data": []}
            for line in message.strip("\n").split("\n"):
                name, _, value = line.partition(": ")
                if name == "data":
                    fields["data"].append(value)
                else:
                    fields[name] = value
            fields["data"] = "\n".join(fields["data"])
            out.append(fields)
    return out


def test_a_change_sends_text_pages_the_paragraph_and_other_pages_a_reload(world: World) -> None:
    paragraph = Paragraph.objects.filter(declaration=world.declaration).order_by("position")[1]
    mex, can = listener(world, "mex", csrf="mex-token"), listener(world, "can", csrf="can-token")
    home = listener(world, "iom", text=False)
    assert stream.refresh(world.meeting.pk, [mex, can, home]) == []  # nothing changed yet: nothing sent

    propose(world, paragraph, text="Words the other pages must see.")
    messages = stream.refresh(world.meeting.pk, [mex, can, home])

    (to_can,) = events(messages, can)
    assert to_can["event"] == "patch"
    assert to_can["id"] == str(selectors.declaration_last_event(declaration_id=world.declaration.pk))
    assert f'<article id="p{paragraph.pk}" hx-swap-oob="outerHTML"' in to_can["data"]
    assert "Words the other pages must see." in to_can["data"]
    # each page's own token in its forms, never another's, never the placeholder
    assert 'value="can-token"' in to_can["data"] and "mex-token" not in to_can["data"]
    assert stream.CSRF_MARK not in to_can["data"]
    assert f'data-after="{to_can["id"]}"' in to_can["data"]
    (to_mex,) = events(messages, mex)
    assert "Withdraw our proposal" in to_mex["data"] and "Withdraw our proposal" not in to_can["data"]
    (to_home,) = events(messages, home)
    assert to_home["event"] == "changed"
    # the pages now show that change: the next refresh sends nothing
    assert stream.refresh(world.meeting.pk, [mex, can, home]) == []


def test_one_rendering_per_kind_of_reader_not_per_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = stream.room_patch

    def counting(*args: Any) -> str | None:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(stream, "room_patch", counting)
    pages = [listener(world, "can", csrf=f"t{i}") for i in range(30)] + [listener(world, "mex") for _ in range(20)]
    pages += [listener(world, "can", language="es")]
    propose(world, Paragraph.objects.filter(declaration=world.declaration).first())  # type: ignore[arg-type]
    messages = stream.refresh(world.meeting.pk, pages)
    assert len(messages) == len(pages)
    assert len(calls) == 3  # CAN in English, MEX, CAN in Spanish
    spanish = events(messages, pages[-1])[0]["data"]
    assert "Apoyar" in spanish or "Retirar" in spanish or "Objetar" in spanish
    assert {m for _, m in messages if "t7" in m} == {m for p, m in messages if p is pages[7]}


def test_a_change_beyond_single_paragraphs_reloads_the_text(world: World) -> None:
    page = listener(world, "can")
    paragraph = Paragraph.objects.filter(declaration=world.declaration).order_by("position")[2]
    discussion_set(actor=world.users["ppt"], declaration=world.declaration, paragraph_id=paragraph.pk)
    (sent,) = events(stream.refresh(world.meeting.pk, [page]), page)
    assert sent["event"] == "changed" and sent["data"] == "full"


def test_a_reconnecting_page_is_sent_what_it_missed(world: World) -> None:
    """Last-Event-ID gives the stream view the event the page last received;
    the page registers with that and no version: the missed paragraphs come."""
    page = listener(world, "can")
    missed_from = page.after
    paragraph = Paragraph.objects.filter(declaration=world.declaration).order_by("position")[3]
    propose(world, paragraph, text="Written while the page was offline.")
    page.after, page.etag = missed_from, ""  # as meeting_events sets it from Last-Event-ID
    (sent,) = events(stream.refresh(world.meeting.pk, [page]), page)
    assert sent["event"] == "patch" and "offline" in sent["data"] and f"p{paragraph.pk}" in sent["data"]


def test_without_an_asgi_server_pages_poll(world: World) -> None:
    """The test client is WSGI, as runserver and gunicorn are: no stream is
    offered, and the stream address answers 204 (EventSource stops; live.js polls)."""
    client = Client()
    client.force_login(world.users["can"])
    page = client.get(f"/declarations/{world.declaration.pk}/text/")
    assert 'data-live="' in page.content.decode() and "data-stream" not in page.content.decode()
    assert client.get(f"/live/meetings/{world.meeting.pk}/events/").status_code == 204


def asgi_request() -> ASGIRequest:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b"", "server": ("x", 80)}
    return ASGIRequest(scope, io.BytesIO())


def test_the_stream_needs_asgi_and_a_channel_between_processes(settings: Any) -> None:
    settings.REDIS_URL = ""
    assert not stream.available(asgi_request())  # in-process only would miss other processes' writes
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert stream.available(asgi_request())
    settings.CONSENSO_LIVE_STREAM = False
    assert not stream.available(asgi_request())


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_the_notice_is_published_after_the_commit_and_never_for_a_rollback(world: World) -> None:
    import redis

    client = redis.Redis.from_url(live.settings.REDIS_URL)
    pubsub = client.pubsub()
    pubsub.subscribe(live.channel())
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"  # type: ignore[index]
    paragraph = Paragraph.objects.filter(declaration=world.declaration).first()
    assert paragraph is not None

    with pytest.raises(RuntimeError), transaction.atomic():
        propose(world, paragraph)
        raise RuntimeError("rolled back")
    assert pubsub.get_message(timeout=0.5) is None

    with transaction.atomic():
        propose(world, paragraph)
        assert pubsub.get_message(timeout=0.3) is None  # not before the commit
    deadline = time.monotonic() + 5
    message = None
    while message is None and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=1)
    assert message is not None and json.loads(message["data"]) == {
        "m": world.meeting.pk,
        "d": world.declaration.pk,
    }
    pubsub.close()
