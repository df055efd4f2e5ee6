"""The live room's tools in a real browser (Playwright driving Debian's
``chromium``; the fixtures and helpers are tests/test_browser.py's): the
chair brackets words by selecting them and offers proposals as Alt 1 and
Alt 2, and every delegation's page shows them; a refused proposal keeps the
wording typed, with the refusal beside the field; the Secretariat sets a
meeting up and hands a delegate a one-time sign-in link; the import
corrections and the agreed-language library. Each page is screenshotted at
360 px and 1920×1080 and checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from drafting import services
from drafting.models import Proposal
from drafting.services.discussion import discussion_set
from tests.conftest import World
from tests.test_browser import (  # noqa: F401 - the fixtures browser and room
    PHONE,
    PROJECTOR,
    SHOTS,
    WAIT,
    browser,
    paragraphs,
    room,
    serious_violations,
    shoot,
    signed_in,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def select_words(page: Page, paragraph_id: int, words: str) -> None:
    """Select ``words`` in the paragraph's wording as a mouse would, then let
    go of the button (the console's script reads the selection then)."""
    page.evaluate(
        """([id, words]) => {
            const wording = document.querySelector('#p' + id + ' .wording');
            const walker = document.createTreeWalker(wording, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.nodeValue.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    wording.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    return;
                }
            }
            throw new Error('words not found: ' + words);
        }""",
        [paragraph_id, words],
    )


def open_bracketing(page: Page, paragraph_id: int) -> None:
    """The paragraph's "Bracket words" box open (it stays open across a reload when it was)."""
    if not page.locator(f"#bracket-words-{paragraph_id}").is_visible():
        page.locator(f"#bracket-{paragraph_id} summary").click()


def test_the_chair_brackets_selected_words_and_offers_options(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    d = room.declaration.pk
    target = paragraphs(room)[3]
    for role, text in (("mex", "Promote orderly migration."), ("can", "Promote regular migration.")):
        services.proposal_submit(
            actor=room.users[role],
            declaration=room.declaration,
            revision_id=room.revision.pk,
            paragraph_id=target.pk,
            kind="replace",
            text=text,
        )
    services.paragraph_act(actor=room.users["ppt"], paragraph=target, action="open")
    chair = signed_in(browser, live_server, room, "ppt", viewport=PROJECTOR)
    chair.goto(f"{live_server.url}/declarations/{d}/chair/")
    can = signed_in(browser, live_server, room, "can")
    can.goto(f"{live_server.url}/declarations/{d}/text/")
    screen = signed_in(browser, live_server, room, "rncom", viewport=PROJECTOR)

    words = target.text.split()[1] + " " + target.text.split()[2]
    select_words(chair, target.pk, words)
    expect(chair.locator(f"#bracket-words-{target.pk}")).to_have_value(words)
    chair.locator(f"#bracket-{target.pk}").get_by_role("button", name="Bracket these words").click()
    expect(chair.locator(".msg.success")).to_contain_text("1 span(s)")
    target.refresh_from_db()
    start = target.text.index(words)
    assert target.state == "bracketed"
    assert target.brackets == [{"start": start, "end": start + len(words)}]
    # the delegate's page shows the span bracketed, without a reload
    expect(can.locator(f"#p{target.pk} .wording .bracket")).to_have_text(f"[{words}]", timeout=WAIT)

    # a second span, typed by hand (no selection): the first occurrence
    last = target.text.rstrip(".").split()[-1]
    open_bracketing(chair, target.pk)
    chair.fill(f"#bracket-words-{target.pk}", last)
    chair.locator(f"#bracket-{target.pk}").get_by_role("button", name="Bracket these words").click()
    expect(chair.locator(".msg.success")).to_contain_text("2 span(s)")
    expect(can.locator(f"#p{target.pk} .wording .bracket")).to_have_count(2, timeout=WAIT)

    # words that are not in the paragraph: refused, nothing changes
    open_bracketing(chair, target.pk)
    chair.fill(f"#bracket-words-{target.pk}", "words nobody wrote")
    chair.locator(f"#bracket-{target.pk}").get_by_role("button", name="Bracket these words").click()
    expect(chair.locator(".msg.error")).to_contain_text("not in the paragraph")
    target.refresh_from_db()
    assert len(target.brackets) == 2

    # the two proposals become Alt 1 and Alt 2; the spans stay
    open_bracketing(chair, target.pk)
    for box in chair.locator(f"#bracket-{target.pk} input[name=alternative]").all():
        box.check()
    chair.locator(f"#bracket-{target.pk}").get_by_role("button", name="Bracket with these options").click()
    expect(chair.locator(".msg.success")).to_contain_text("2 option(s)")
    options = can.locator(f"#p{target.pk} .alts li")
    expect(options).to_have_count(2, timeout=WAIT)
    expect(options.nth(0)).to_contain_text("Alt 1")
    expect(options.nth(0)).to_contain_text("MEX")
    expect(options.nth(1)).to_contain_text("Alt 2")
    expect(can.locator(f"#p{target.pk} .wording .bracket")).to_have_count(2)
    target.refresh_from_db()
    assert len(target.brackets) == 2 and len(target.alternatives) == 2

    # the projection screen shows the brackets too
    discussion_set(actor=room.users["ppt"], declaration=room.declaration, paragraph_id=target.pk)
    screen.goto(f"{live_server.url}/declarations/{d}/screen/")
    expect(screen.locator(".screen-para .bracket")).to_have_count(2)
    shoot(chair, "chair-bracketing")
    shoot(can, "text-bracketed-delegate")
    for page in (chair, can, screen):
        assert serious_violations(page) == [], page.url
        page.context.close()


def test_a_refused_proposal_keeps_its_wording_and_says_why_beside_it(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    d = room.declaration.pk
    target = paragraphs(room)[2]
    mex = signed_in(browser, live_server, room, "mex")
    mex.route("**/live/**", lambda route: route.abort())  # the page as it was when MEX began typing
    mex.goto(f"{live_server.url}/declarations/{d}/text/")
    mex.locator(f"#propose-{target.pk} summary").click()
    mex.fill(f"#propose-text-{target.pk}", "Wording MEX spent ten minutes on.")
    mex.fill(f"#propose-why-{target.pk}", "Closer to agreed language")
    # meanwhile the chair agrees the paragraph
    services.paragraph_act(actor=room.users["ppt"], paragraph=target, action="agree")
    mex.locator(f"#propose-{target.pk}").get_by_role("button", name="Table the proposal").click()
    assert not Proposal.objects.filter(paragraph=target).exists()
    # the paragraph is agreed now (no editor on it): the wording comes back to copy, with the reason
    editor = mex.locator(f"#propose-text-{target.pk}")
    expect(editor).to_have_value("Wording MEX spent ten minutes on.")
    expect(mex.locator(f"#propose-why-{target.pk}")).to_have_value("Closer to agreed language")
    expect(mex.locator(f"#propose-error-{target.pk}")).to_contain_text("proposals are closed")
    expect(editor).to_have_attribute("aria-invalid", "true")
    shoot(mex, "text-refused-proposal")
    assert serious_violations(mex) == []
    # shown once: a reload gives the ordinary editor
    mex.reload()
    expect(mex.locator(f"#propose-error-{target.pk}")).to_have_count(0)
    mex.context.close()


def test_the_accept_message_names_the_proposal_by_its_label(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    target = paragraphs(room)[3]
    services.proposal_submit(
        actor=room.users["mex"],
        declaration=room.declaration,
        revision_id=room.revision.pk,
        paragraph_id=target.pk,
        kind="replace",
        text="Other words entirely.",
    )
    label = room.revision.paragraphs.get(paragraph_id=target.pk).label
    chair = signed_in(browser, live_server, room, "ppt")
    chair.goto(f"{live_server.url}/declarations/{room.declaration.pk}/chair/")
    chair.locator(f"#p{target.pk} .prop").get_by_role("button", name="Accept").click()
    expect(chair.locator(".msg.success")).to_have_text(f"MEX's proposal on {label} accepted.")
    chair.context.close()


def test_the_secretariat_sets_up_the_meeting_and_a_delegate_signs_in_with_a_link(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    from drafting.services import accounts

    delegate, _password = accounts.account_create(
        actor=room.users["ts"], meeting=room.meeting, delegation_code="GTM", username="gtm.link"
    )
    ts = signed_in(browser, live_server, room, "ts")
    ts.goto(f"{live_server.url}/meetings/{room.meeting.pk}/desk/")
    # set up: NIC takes part, IOM does not; members only; 48 hours of silence
    ts.locator("#setup-form summary").click()
    ts.check("#part-NIC")
    ts.uncheck("#part-IOM")
    ts.check("#setup-members-only")
    ts.fill("#setup-silence", "48")
    ts.select_option("#setup-zone", "America/Panama")
    ts.get_by_role("button", name="Save the set-up").click()
    expect(ts.locator(".msg.success")).to_contain_text("The meeting is set up")
    room.meeting.refresh_from_db()
    codes = set(room.meeting.participants.values_list("code", flat=True))
    assert "NIC" in codes and "IOM" not in codes
    assert room.meeting.members_only and room.meeting.silence_hours == 48 and room.meeting.time_zone == "America/Panama"
    if not ts.locator("#setup-ppt").is_visible():
        ts.locator("#setup-form summary").click()
    shoot(ts, "secretariat-desk-setup")
    assert serious_violations(ts) == []

    # a one-time link for GTM's new delegate
    ts.get_by_role("button", name="Sign-in link for gtm.link").click()
    address = ts.locator("#sign-in-link").inner_text()
    assert address.startswith(f"{live_server.url}/sign-in/link/")
    shoot(ts, "sign-in-link-sheet")
    assert serious_violations(ts) == []

    # the delegate, in Spanish, opens it on a phone and signs in once
    context = browser.new_context(locale="es-ES", viewport={"width": 360, "height": 740})
    phone = context.new_page()
    phone.goto(address)
    expect(phone.locator("main")).to_contain_text("gtm.link")
    shoot(phone, "sign-in-link-confirm")
    assert serious_violations(phone) == []
    phone.get_by_role("button", name="Iniciar sesión").click()
    expect(phone).to_have_url(f"{live_server.url}/meetings/{room.meeting.pk}/")
    expect(phone.locator("header.top")).to_contain_text("GTM")
    # used: a second opening is refused, and the desk no longer lists it
    other = browser.new_context(locale="en-US").new_page()
    other.goto(address)
    expect(other.locator(".msg.error")).to_contain_text("does not work")
    ts.goto(f"{live_server.url}/meetings/{room.meeting.pk}/desk/")
    expect(ts.locator("[id^=link-]")).to_have_count(0)
    assert delegate.sign_in_links.get().used_at is not None
    for page in (ts, phone, other):
        page.context.close()


def test_the_secretariat_corrects_an_import_before_confirming(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    from tests.test_room_tools import _ready_import, _texts

    job_id = _ready_import(room)
    texts = _texts(job_id)
    n = next(i for i, t in enumerate(texts) if t.startswith("Recalling"))
    ts = signed_in(browser, live_server, room, "ts")
    ts.goto(f"{live_server.url}/imports/{job_id}/")
    ts.locator(f"#fix-{n} summary").click()
    ts.fill(f"#split-{n}", "Reaffirming our")
    ts.locator(f"#fix-{n}").get_by_role("button", name="Split").click()
    expect(ts.locator(".msg.success")).to_contain_text("The preview is corrected")
    expect(ts.locator(f"#ip{n + 1}")).to_contain_text("Reaffirming our commitment")
    last = len(texts)  # one more paragraph now
    if not ts.locator(f"#kind-{last}").is_visible():
        ts.locator(f"#fix-{last} summary").click()
    ts.locator(f"#fix-{last}").get_by_role("button", name="Not part of the text (a note)").click()
    expect(ts.locator("#note-0")).to_contain_text("Promote regular pathways")
    shoot(ts, "import-corrections")
    assert serious_violations(ts) == []
    ts.get_by_role("button", name="Confirm: issue this text").click()
    expect(ts.locator(".msg.success")).to_contain_text("confirmed")
    from drafting.models import Declaration

    created = Declaration.objects.exclude(pk=room.declaration.pk).get()
    paragraphs_now = [p.text for p in created.revisions.get().paragraphs.order_by("position")]
    assert any(t.startswith("Reaffirming our") for t in paragraphs_now)
    assert not any(t.startswith("2. Promote") or t.startswith("Promote regular") for t in paragraphs_now)
    ts.context.close()


def test_a_delegate_finds_agreed_language_and_proposes_it(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    from tests.test_room_tools import _library

    ids = _library()
    target = paragraphs(room)[3]
    mex = signed_in(browser, live_server, room, "mex")
    can = signed_in(browser, live_server, room, "can")
    can.goto(f"{live_server.url}/declarations/{room.declaration.pk}/text/")
    mex.goto(f"{live_server.url}/declarations/{room.declaration.pk}/text/")
    mex.get_by_role("link", name="Agreed-language library").click()
    mex.fill("#lib-q", "orderly migration")
    mex.select_option("#lib-theme", "TS3")
    mex.get_by_role("button", name="Search").click()
    expect(mex.locator("#library-results li")).to_have_count(1)
    shoot(mex, "library-search")
    assert serious_violations(mex) == []
    mex.get_by_role("link", name="XXI RCM (2016), Decision 12").click()
    expect(mex.locator("#text-en")).to_contain_text("safe, regular and orderly")
    mex.select_option("#lib-target", f"{room.declaration.pk}:{target.pk}")
    expect(mex.locator("#lib-text")).to_have_value(
        "We agree to continue promoting safe, regular and orderly migration."
    )
    shoot(mex, "library-statement")
    assert serious_violations(mex) == []
    mex.get_by_role("button", name="Table the proposal").click()
    expect(mex.locator(".msg.success")).to_contain_text("MEX's proposal on")
    expect(mex.locator(f"#p{target.pk} .prop.mine")).to_contain_text("orderly")
    # CAN's open page shows it, with where the wording comes from
    expect(can.locator(f"#p{target.pk} .prop")).to_contain_text("MEX", timeout=WAIT)
    proposal = Proposal.objects.get(paragraph=target)
    assert proposal.source_statement_id == ids[0]
    for page in (mex, can):
        page.context.close()


def test_the_chairs_bar_folds_to_one_line_on_a_phone(
    browser: Browser,  # noqa: F811
    live_server: Any,
    room: World,  # noqa: F811
) -> None:
    """At 360×740 the chair's sticky action bar is one line, a "Chair's
    actions" button (aria-expanded, aria-controls, operable from the
    keyboard) that opens it; the live refresh keeps it as the chair left it;
    on a wide screen it is open and the button hidden; the label is
    translated; axe finds nothing serious either way."""
    url = f"{live_server.url}/declarations/{room.declaration.pk}/chair/"
    chair = signed_in(browser, live_server, room, "ppt", viewport=PHONE)
    chair.goto(url)
    toggle, actions = chair.locator("#chair-bar-toggle"), chair.locator("#chair-bar-actions")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "chair-bar-actions")
    expect(toggle).to_have_accessible_name("Chair's actions")
    expect(actions).to_be_hidden()
    bar = chair.locator("#chair-bar").bounding_box()
    assert bar is not None and bar["height"] <= 0.15 * PHONE["height"], bar
    assert serious_violations(chair) == []
    SHOTS.mkdir(exist_ok=True)
    chair.screenshot(path=str(SHOTS / "chair-console-phone-bar-folded.png"))

    # The keyboard opens it (Enter) and folds it again (Space).
    toggle.focus()
    chair.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(chair.locator("#discuss-select")).to_be_visible()
    opened = chair.locator("#chair-bar").bounding_box()
    assert opened is not None and opened["height"] > bar["height"], (opened, bar)
    assert serious_violations(chair) == []
    chair.keyboard.press(" ")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(actions).to_be_hidden()

    # Opened with a tap, it stays open when the room's change refreshes the console.
    toggle.click()
    expect(actions).to_be_visible()
    target = paragraphs(room)[3]
    services.proposal_submit(
        actor=room.users["mex"],
        declaration=room.declaration,
        revision_id=room.revision.pk,
        paragraph_id=target.pk,
        kind="replace",
        text="Promote safe, orderly, regular and humane migration, item 2.",
    )
    expect(chair.locator(f"#p{target.pk} .prop")).to_be_visible(timeout=WAIT)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(actions).to_be_visible()

    # On a wide screen the bar is simply open.
    chair.set_viewport_size(PROJECTOR)
    expect(toggle).to_be_hidden()
    expect(actions).to_be_visible()
    chair.context.close()

    # The label in the language the reader chose (the switch sets this cookie).
    spanish = signed_in(browser, live_server, room, "ppt", viewport=PHONE)
    spanish.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    spanish.goto(url)
    expect(spanish.locator("#chair-bar-toggle")).to_have_text(re.compile("Acciones de la Presidencia"))
    expect(spanish.locator("#chair-bar-toggle")).to_have_attribute("aria-expanded", "false")
    assert serious_violations(spanish) == []
    spanish.context.close()
