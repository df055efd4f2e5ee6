"""Every write service: the allowed path (rows and the Event it records) and
each refusal (the right domain error, and the database left as it was)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from drafting import services
from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from drafting.models import (
    Declaration,
    Event,
    EventVerb,
    Meeting,
    Paragraph,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)
from drafting.services.organisation import organisation_change_record
from tests.conftest import World, zero_draft
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db

OP3_TEXT = "Promote safe, orderly and regular migration, item 3."
NOT_NEGOTIATORS = ["arg", "iom", "rncom", "nic", "ts"]
NOT_SECRETARIAT = ["mex", "can", "nic", "arg", "iom", "rncom"]


# --- helpers -----------------------------------------------------------------------
def db_state() -> dict[str, Any]:
    """Everything a write could change, compared before and after a refusal."""
    return {
        "declarations": list(Declaration.objects.order_by("pk").values_list("pk", "status", "version", "title")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "number", "label")),
        "sections": Section.objects.count(),
        "paragraphs": Paragraph.objects.count(),
        "revision_paragraphs": RevisionParagraph.objects.count(),
        "proposals": list(Proposal.objects.order_by("pk").values_list("pk", "status", "version", "text", "decided_at")),
        "positions": list(Position.objects.order_by("pk").values_list("pk", "stance", "reason")),
        "events": Event.objects.count(),
    }


@contextmanager
def refused(exc_type: type[DomainError], match: str | None = None) -> Iterator[Any]:
    """Expect ``exc_type`` and assert that nothing at all was written."""
    before = db_state()
    with pytest.raises(exc_type, match=match) as info:
        yield info
    assert db_state() == before


def last_event() -> Event:
    event = Event.objects.order_by("-id").first()
    assert event is not None
    return event


def version_of(declaration: Declaration) -> int:
    return Declaration.objects.values_list("version", flat=True).get(pk=declaration.pk)


def set_status(world: World, status: str) -> None:
    Declaration.objects.filter(pk=world.declaration.pk).update(status=status)


def last_paragraph(world: World) -> int:
    return world.paragraph_ids()[-1]


def submit(world: World, role: str = "mex", **kw: Any) -> Proposal:
    args: dict[str, Any] = {
        "declaration": world.declaration,
        "revision_id": world.revision.pk,
        "paragraph_id": last_paragraph(world),
        "kind": "replace",
        "text": "Promote safe, orderly and regular migration, amended.",
    }
    args.update(kw)
    return services.proposal_submit(actor=world.users[role], **args)


def carried_sections(world: World) -> list[dict[str, Any]]:
    """The zero draft again, every paragraph naming its existing identity."""
    ids = iter(world.paragraph_ids())
    sections = zero_draft()
    for section in sections:
        for paragraph in section["paragraphs"]:
            paragraph["paragraph"] = next(ids)
    return sections


def issue(world: World, sections: list[dict[str, Any]], role: str = "ts", **kw: Any) -> Revision:
    return services.revision_issue(actor=world.users[role], declaration=world.declaration, sections=sections, **kw)


def rows(revision: Revision) -> list[RevisionParagraph]:
    return list(RevisionParagraph.objects.filter(revision=revision).order_by("position"))


def other_declaration(world: World) -> tuple[Declaration, Revision]:
    declaration = services.declaration_create(
        actor=world.users["ts"], meeting=world.meeting, title="Another declaration"
    )
    revision = services.revision_issue(actor=world.users["ts"], declaration=declaration, sections=zero_draft(1, 1))
    return declaration, revision


# --- declaration_create ------------------------------------------------------------
def test_secretariat_creates_a_declaration_and_the_record_says_so(world: World) -> None:
    # Given the Secretariat of the meeting
    ts = world.users["ts"]
    # When it creates a declaration with a decomposed accent and stray margins
    declaration = services.declaration_create(
        actor=ts,
        meeting=world.meeting,
        title="  Declaracio\u0301n de San Jose\u0301 ",
        kind=Declaration.Kind.EXTRAORDINARY,
        original_language="en",
    )
    # Then the row holds the cleaned (NFC, stripped) title, drafting, version 1
    declaration.refresh_from_db()
    assert declaration.title == "Declaración de San José"
    assert declaration.kind == "extraordinary_declaration"
    assert declaration.original_language == "en"
    assert declaration.status == Declaration.Status.DRAFTING
    assert declaration.version == 1
    assert declaration.created_by == ts
    assert declaration.revisions.count() == 0
    # And one event records it, by the Secretariat
    event = last_event()
    assert event.verb == "declaration.created"
    assert event.actor == ts
    assert event.delegation == world.delegations["TS"]
    assert event.declaration == declaration and event.meeting == world.meeting
    assert (event.object_type, event.object_id) == ("declaration", str(declaration.pk))
    assert event.before is None
    assert event.after == {
        "title": "Declaración de San José",
        "kind": "extraordinary_declaration",
        "original_language": "en",
    }


@pytest.mark.parametrize("role", ["ppt", *NOT_SECRETARIAT])
def test_only_the_secretariat_creates_declarations(world: World, role: str) -> None:
    # Given anyone but the meeting's Secretariat
    # When they create a declaration
    # Then it is refused and nothing is written
    with refused(NotAllowed, "Technical Secretariat"):
        services.declaration_create(actor=world.users[role], meeting=world.meeting, title="Mine")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "Two\nlines"}, "title"),
        ({"title": "Bell\x07"}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": "Fine", "kind": "treaty"}, "kind"),
        ({"title": "Fine", "original_language": "fr"}, "original_language"),
    ],
)
def test_declaration_create_refuses_bad_input(world: World, kwargs: dict[str, Any], field: str) -> None:
    # Given the Secretariat, when it sends a bad title, kind or language
    with refused(InvalidInput) as info:
        services.declaration_create(actor=world.users["ts"], meeting=world.meeting, **kwargs)
    # Then the error names the field
    assert field in info.value.fields


# --- revision_issue ----------------------------------------------------------------
def test_zero_draft_is_labelled_and_recorded(world: World) -> None:
    # Given the world's zero draft, issued by the Secretariat
    revision = world.revision
    # Then it is number 0, labelled, with PP/OP labels derived from position
    assert (revision.number, revision.label) == (0, "Zero draft")
    assert [r.label for r in rows(revision)] == ["Title", "PP1", "PP2", "OP1", "OP2", "OP3"]
    assert [s.kind for s in revision.sections.order_by("position")] == ["title", "preamble", "operative"]
    assert revision.sections.get(kind="operative").heading == "DECISIONS"
    # And every paragraph is a new identity introduced in the zero draft
    assert set(Paragraph.objects.filter(declaration=world.declaration).values_list("introduced_in", flat=True)) == {
        revision.pk
    }
    event = Event.objects.get(verb="revision.issued", declaration=world.declaration)
    assert event.actor == world.users["ts"] and event.delegation == world.delegations["TS"]
    assert event.before is None
    assert event.after is not None
    assert event.after | {"revision": revision.pk, "label": "Zero draft", "number": 0, "paragraphs": 6} == event.after


def test_rev1_carries_paragraph_identity_and_recomputes_labels(world: World) -> None:
    # Given the zero draft: Title, PP1, PP2, OP1, OP2, OP3
    title, pp1, pp2, op1, op2, op3 = world.paragraph_ids()
    before_version = version_of(world.declaration)
    paragraphs_before = Paragraph.objects.count()
    sections = carried_sections(world)
    # When the Secretariat drops PP2, inserts a new paragraph after OP1 and amends OP3
    del sections[1]["paragraphs"][1]
    sections[2]["paragraphs"].insert(1, {"kind": "operative", "text": "A new operative paragraph."})
    sections[2]["paragraphs"][3]["text"] = "Promote migration, amended in Rev.1."
    rev1 = issue(world, sections, note="After the first reading")
    # Then Rev.1 is the next number with the default label
    assert (rev1.number, rev1.label, rev1.note) == (1, "Rev.1", "After the first reading")
    got = rows(rev1)
    # And labels are recomputed from the new order
    assert [r.label for r in got] == ["Title", "PP1", "OP1", "OP2", "OP3", "OP4"]
    # And carried paragraphs keep their identity; the inserted one is new
    assert [r.paragraph_id for r in got[:3]] == [title, pp1, op1]
    assert [r.paragraph_id for r in got[4:]] == [op2, op3]
    new = Paragraph.objects.get(pk=got[3].paragraph_id)
    assert new.pk not in {title, pp1, pp2, op1, op2, op3}
    assert new.introduced_in == rev1 and new.declaration == world.declaration
    assert Paragraph.objects.count() == paragraphs_before + 1
    assert got[5].text == "Promote migration, amended in Rev.1."
    # And the dropped paragraph is simply absent from Rev.1, the zero draft untouched
    assert pp2 not in [r.paragraph_id for r in got]
    assert [r.label for r in rows(world.revision)] == ["Title", "PP1", "PP2", "OP1", "OP2", "OP3"]
    # And the record links Rev.1 to the zero draft, and the declaration moved on
    event = last_event()
    assert event.verb == "revision.issued" and event.actor == world.users["ts"]
    assert event.before == {"revision": world.revision.pk, "label": "Zero draft"}
    assert event.after is not None
    assert event.after | {"revision": rev1.pk, "label": "Rev.1", "number": 1, "paragraphs": 6} == event.after
    assert version_of(world.declaration) == before_version + 1


def test_moving_a_paragraph_moves_its_identity_and_relabels_it(world: World) -> None:
    # Given the zero draft's operative paragraphs OP1..OP3
    *_, op1, op2, op3 = world.paragraph_ids()
    sections = carried_sections(world)
    # When Rev.1 puts the third operative paragraph first
    ops = sections[2]["paragraphs"]
    sections[2]["paragraphs"] = [ops[2], ops[0], ops[1]]
    rev1 = issue(world, sections)
    # Then that identity is now labelled OP1, with its text
    got = {r.paragraph_id: r for r in rows(rev1)}
    assert (got[op3].label, got[op3].text) == ("OP1", OP3_TEXT)
    assert (got[op1].label, got[op2].label) == ("OP2", "OP3")


def test_revision_stores_cleaned_text_emphasis_lists_and_tables(world: World) -> None:
    # Given a text with a decomposed accent and emphasis, list items and a table
    sections = [
        {
            "kind": "operative",
            "paragraphs": [
                {
                    "kind": "operative",
                    "text": " Cafe\u0301 bold",
                    "emphasis": [{"start": 7, "end": 11, "style": "bold"}],
                },
                {"kind": "list_item", "text": "first item", "level": 1},
                {"kind": "list_item", "text": "second item", "level": 1},
            ],
        },
        {
            "kind": "annex",
            "heading": "ANNEX A",
            "paragraphs": [
                {"kind": "heading", "text": "Objectives"},
                {"kind": "table", "table": [["Objective", "Lead"], ["#23", "RCM"]]},
            ],
        },
    ]
    # When the Secretariat issues it
    revision = issue(world, sections, label="Rev.1 (informal)")
    got = rows(revision)
    # Then text is NFC and stripped, emphasis follows it, items are lettered
    assert got[0].text == "Café bold"
    assert got[0].emphasis == [{"start": 5, "end": 9, "style": "bold"}]
    assert got[0].text[5:9] == "bold"
    assert [r.label for r in got] == ["OP1", "OP1 (a)", "OP1 (b)", "ANNEX A ¶1", "ANNEX A ¶2"]
    assert [r.level for r in got[:3]] == [0, 1, 1]
    # And a table keeps its cells, with a tab/newline text for search and diff
    assert got[4].table == [["Objective", "Lead"], ["#23", "RCM"]]
    assert got[4].text == "Objective\tLead\n#23\tRCM"
    assert revision.label == "Rev.1 (informal)"


@pytest.mark.parametrize("role", ["ppt", *NOT_SECRETARIAT])
def test_only_the_secretariat_issues_revisions_from_a_full_text(world: World, role: str) -> None:
    # Given a delegation that is not the Secretariat, when it issues a revision
    # Then it is refused and nothing is written
    with refused(NotAllowed):
        issue(world, carried_sections(world), role=role)


def test_revision_refuses_paragraph_ids_of_another_declaration(world: World) -> None:
    # Given a second declaration in the same meeting
    _, other_rev = other_declaration(world)
    foreign = rows(other_rev)[0].paragraph_id
    sections = carried_sections(world)
    sections[2]["paragraphs"][0]["paragraph"] = foreign
    # When a revision of the first names one of its paragraphs
    with refused(InvalidInput, "do not belong") as info:
        issue(world, sections)
    # Then the error names the id
    assert str(foreign) in info.value.fields["sections"][0]


def test_revision_refuses_an_unknown_paragraph_id(world: World) -> None:
    sections = carried_sections(world)
    sections[2]["paragraphs"][0]["paragraph"] = 10**9
    with refused(InvalidInput, "do not belong"):
        issue(world, sections)


def test_revision_refuses_a_paragraph_identity_used_twice(world: World) -> None:
    # Given Rev.1 in which OP1 and OP2 both claim OP1's identity
    sections = carried_sections(world)
    sections[2]["paragraphs"][1]["paragraph"] = sections[2]["paragraphs"][0]["paragraph"]
    # Then it is refused
    with refused(InvalidInput, "only once"):
        issue(world, sections)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s[2]["paragraphs"][0].update(kind="clause"), "sections[2].paragraphs[0].kind"),
        (lambda s: s[1].update(kind="chapter"), "sections[1].kind"),
        (lambda s: s[2]["paragraphs"][0].update(text="  "), "sections[2].paragraphs[0].text"),
        (lambda s: s[2]["paragraphs"][0].update(level=9), "sections[2].paragraphs[0].level"),
        (lambda s: s[2]["paragraphs"][0].update(level=True), "sections[2].paragraphs[0].level"),
        (lambda s: s[2]["paragraphs"][0].update(kind="table", table=[]), "sections[2].paragraphs[0].table"),
        (lambda s: s[2]["paragraphs"][0].update(kind="table", table=[["a"], []]), "sections[2].paragraphs[0].table"),
        (lambda s: s[2].update(heading="Two\nlines"), "sections[2].heading"),
        (
            lambda s: s[2]["paragraphs"][0].update(emphasis=[{"start": 0, "end": 999, "style": "bold"}]),
            "sections[2].paragraphs[0].emphasis",
        ),
    ],
)
def test_revision_refuses_bad_paragraphs_and_sections(
    world: World, mutate: Callable[[list[dict[str, Any]]], None], field: str
) -> None:
    # Given an otherwise valid Rev.1 with one bad kind, text, level, table, heading or span
    sections = carried_sections(world)
    mutate(sections)
    # When it is issued, then it is refused naming where, and nothing is written
    with refused(InvalidInput) as info:
        issue(world, sections)
    assert field in info.value.fields


def test_revision_refuses_no_sections_and_sections_without_paragraphs(world: World) -> None:
    with refused(InvalidInput, "at least one section"):
        issue(world, [])
    with refused(InvalidInput, "at least one paragraph"):
        issue(world, [{"kind": "preamble", "paragraphs": []}, {"kind": "operative", "paragraphs": []}])


def test_revision_refuses_too_many_paragraphs(world: World, settings: Any) -> None:
    # Given a limit of 6 paragraphs per revision
    settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION = 6
    sections = carried_sections(world)  # exactly 6: allowed below
    # When a 7th is added, then it is refused
    sections[2]["paragraphs"].append({"kind": "operative", "text": "One too many."})
    with refused(InvalidInput, "at most 6"):
        issue(world, sections)
    # And at the limit it is accepted
    sections[2]["paragraphs"].pop()
    assert len(rows(issue(world, sections))) == 6


def test_revision_with_a_label_already_used_is_a_conflict(world: World) -> None:
    # Given a zero draft labelled "Zero draft"
    # When Rev.1 is given the same label, then it conflicts
    with refused(Conflict, "already has a revision labelled"):
        issue(world, carried_sections(world), label="Zero draft")
    # And a fresh label is fine
    assert issue(world, carried_sections(world), label="Rev.1/Corr.1").label == "Rev.1/Corr.1"


@pytest.mark.parametrize("status", [Declaration.Status.ADOPTED, Declaration.Status.SILENCE_PROCEDURE])
def test_revision_of_a_closed_declaration_is_a_conflict(world: World, status: str) -> None:
    set_status(world, status)
    with refused(Conflict):
        issue(world, carried_sections(world))


def test_revision_of_a_missing_declaration_is_not_found(world: World) -> None:
    ghost = Declaration(pk=10**9)
    with refused(NotFound):
        services.revision_issue(actor=world.users["ts"], declaration=ghost, sections=zero_draft())


# --- proposal_submit ---------------------------------------------------------------
def test_member_submits_a_replacement(world: World) -> None:
    # Given Mexico, present at the meeting, and the current zero draft
    before_version = version_of(world.declaration)
    paragraph = last_paragraph(world)
    # When it proposes new wording for OP3, with a rationale
    proposal = submit(world, text="  New wording for OP3.\r\n", rationale="Clearer.")
    # Then the proposal holds who, what, and the text it edits
    proposal.refresh_from_db()
    assert proposal.declaration == world.declaration
    assert proposal.revision == world.revision
    assert proposal.paragraph_id == paragraph
    assert proposal.delegation == world.delegations["MEX"]
    assert proposal.author == world.users["mex"]
    assert (proposal.kind, proposal.text, proposal.rationale) == ("replace", "New wording for OP3.", "Clearer.")
    assert proposal.base_text == OP3_TEXT
    assert (proposal.status, proposal.version) == ("submitted", 1)
    assert proposal.decided_at is None and proposal.decided_by is None
    # And the event records it against the paragraph
    event = last_event()
    assert event.verb == "proposal.submitted"
    assert event.actor == world.users["mex"] and event.delegation == world.delegations["MEX"]
    assert (event.proposal, event.paragraph_id, event.declaration) == (proposal, paragraph, world.declaration)
    assert event.before is None
    assert event.after == {
        "kind": "replace",
        "text": "New wording for OP3.",
        "revision": world.revision.pk,
        "label": "OP3",
        "language": "es",
    }
    # And the declaration's version moved on
    assert version_of(world.declaration) == before_version + 1


@pytest.mark.parametrize(
    ("kind", "text", "stored"),
    [
        ("delete", "", ""),
        ("delete", "   ", ""),
        ("insert_after", "A new paragraph after OP3.", "A new paragraph after OP3."),
        ("alternative", "Alt 2: promote regular pathways.", "Alt 2: promote regular pathways."),
    ],
)
def test_member_submits_deletions_insertions_and_alternatives(world: World, kind: str, text: str, stored: str) -> None:
    proposal = submit(world, kind=kind, text=text)
    proposal.refresh_from_db()
    assert (proposal.kind, proposal.text, proposal.status) == (kind, stored, "submitted")
    assert last_event().after["kind"] == kind


def test_the_ppt_may_propose_like_any_member(world: World) -> None:
    proposal = submit(world, role="ppt")
    assert proposal.delegation == world.delegations["SLV"]


def test_proposal_emphasis_is_mapped_onto_the_cleaned_text(world: World) -> None:
    # Given wording with a leading space and a decomposed accent before the bold word
    text = " Cafe\u0301 migrants"
    # When submitted with a span over "migrants" as sent
    proposal = submit(world, text=text, emphasis=[{"start": 7, "end": 15, "style": "italic"}])
    # Then the span covers "migrants" in the stored NFC text
    span = proposal.emphasis[0]
    assert proposal.text[span["start"] : span["end"]] == "migrants"


def test_replacement_that_only_adds_emphasis_is_a_change(world: World) -> None:
    proposal = submit(world, text=OP3_TEXT, emphasis=[{"start": 0, "end": 7, "style": "bold"}])
    assert proposal.emphasis == [{"start": 0, "end": 7, "style": "bold"}]


@pytest.mark.parametrize("role", NOT_NEGOTIATORS)
def test_only_present_members_propose(world: World, role: str) -> None:
    # Given an observer, civil society, an absent member or the Secretariat
    # When it submits a proposal, then it is refused and nothing is written
    with refused(NotAllowed):
        submit(world, role=role)


def test_proposal_against_an_earlier_revision_is_a_conflict(world: World) -> None:
    # Given Rev.1 issued after the zero draft
    rev1 = issue(world, carried_sections(world))
    # When Mexico proposes against the zero draft
    with refused(Conflict, "current text is Rev.1") as info:
        submit(world)
    # Then the conflict points at the current revision
    assert info.value.extra == {"current_revision": rev1.pk}


def test_proposal_against_a_revision_of_another_declaration_is_invalid(world: World) -> None:
    _, other_rev = other_declaration(world)
    with refused(InvalidInput) as info:
        submit(world, revision_id=other_rev.pk)
    assert "revision" in info.value.fields


def test_proposal_on_a_paragraph_not_in_the_revision_is_invalid(world: World) -> None:
    # Given a paragraph of another declaration, and a made-up id
    _, other_rev = other_declaration(world)
    for paragraph_id in (rows(other_rev)[0].paragraph_id, 10**9):
        with refused(InvalidInput) as info:
            submit(world, paragraph_id=paragraph_id)
        assert "paragraph" in info.value.fields


def test_proposal_on_a_paragraph_dropped_in_the_current_revision_is_a_conflict(world: World) -> None:
    # Given Rev.1 without OP3 (which is then deleted, kept in history)
    op3 = last_paragraph(world)
    sections = carried_sections(world)
    sections[2]["paragraphs"].pop()
    rev1 = issue(world, sections)
    # When Mexico proposes on OP3 against Rev.1, then it is refused
    with refused(Conflict, "deleted"):
        submit(world, revision_id=rev1.pk, paragraph_id=op3)


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"kind": "amend"}, "kind", "Unknown kind"),
        ({"kind": "replace", "text": OP3_TEXT}, "text", "identical"),
        ({"kind": "replace", "text": f"  {OP3_TEXT}\n"}, "text", "identical"),
        ({"kind": "replace", "text": OP3_TEXT.replace("é", "e\u0301")}, "text", None),
        ({"kind": "delete", "text": "Still some words."}, "text", "no text"),
        ({"kind": "replace", "text": ""}, "text", "blank"),
        ({"kind": "insert_after", "text": "   "}, "text", "blank"),
        ({"kind": "replace", "text": "Bell\x07"}, "text", "U\\+0007"),
        ({"rationale": "Bad\x00"}, "rationale", "U\\+0000"),
        ({"emphasis": [{"start": 0, "end": 3, "style": "underline"}]}, "emphasis", None),
    ],
)
def test_proposal_submit_refuses_bad_input(world: World, kwargs: dict[str, Any], field: str, match: str | None) -> None:
    # Given Mexico, when it sends an unknown kind, no change, a deletion with text,
    # blank wording, a forbidden character or a bad span
    with refused(InvalidInput, match) as info:
        submit(world, **kwargs)
    # Then the error names the field
    assert field in info.value.fields


def test_proposal_text_over_the_limit_is_invalid(world: World, settings: Any) -> None:
    settings.CONSENSO_MAX_PARAGRAPH_CHARS = 40
    with refused(InvalidInput, "At most 40"):
        submit(world, text="x" * 41)
    assert submit(world, text="x" * 40).text == "x" * 40


def test_proposal_on_a_missing_declaration_is_not_found(world: World) -> None:
    with refused(NotFound):
        submit(world, declaration=Declaration(pk=10**9))


# --- proposal_withdraw -------------------------------------------------------------
def test_proposer_withdraws_its_proposal(world: World) -> None:
    # Given Mexico's pending proposal
    proposal = submit(world)
    before_version = version_of(world.declaration)
    # When Mexico withdraws it
    services.proposal_withdraw(actor=world.users["mex"], proposal=proposal)
    # Then it is withdrawn, its version bumped, and the record says so
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("withdrawn", 2)
    assert proposal.decided_at is None
    event = last_event()
    assert event.verb == "proposal.withdrawn"
    assert event.actor == world.users["mex"] and event.delegation == world.delegations["MEX"]
    assert event.proposal == proposal and event.paragraph_id == proposal.paragraph_id
    assert event.before == {"status": "submitted", "version": 1}
    assert event.after == {"status": "withdrawn", "version": 2}
    assert version_of(world.declaration) == before_version + 1


@pytest.mark.parametrize("role", ["can", "ppt", *NOT_NEGOTIATORS])
def test_only_the_proposing_delegation_withdraws(world: World, role: str) -> None:
    proposal = submit(world)
    with refused(NotAllowed):
        services.proposal_withdraw(actor=world.users[role], proposal=proposal)


def test_withdrawing_twice_or_after_a_decision_is_a_conflict(world: World) -> None:
    # Given one withdrawn and one accepted proposal
    withdrawn = submit(world)
    services.proposal_withdraw(actor=world.users["mex"], proposal=withdrawn)
    accepted = submit(world, text="Other wording.")
    services.proposal_decide(actor=world.users["ppt"], proposal=accepted, decision="accept", version=1)
    # When Mexico withdraws either, then it conflicts
    for proposal in (withdrawn, accepted):
        with refused(Conflict, "can no longer change"):
            services.proposal_withdraw(actor=world.users["mex"], proposal=proposal)


def test_withdrawing_a_missing_proposal_is_not_found(world: World) -> None:
    with refused(NotFound):
        services.proposal_withdraw(actor=world.users["mex"], proposal=Proposal(pk=10**9))


# --- position_set / position_withdraw ----------------------------------------------
def test_member_supports_a_proposal(world: World) -> None:
    # Given Mexico's proposal
    proposal = submit(world)
    before_version = version_of(world.declaration)
    # When Canada supports it
    position = services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    # Then one position row, the proposal's version bumped, and the record
    assert Position.objects.filter(proposal=proposal).count() == 1
    position.refresh_from_db()
    assert (position.delegation, position.author, position.stance, position.reason) == (
        world.delegations["CAN"],
        world.users["can"],
        "support",
        "",
    )
    proposal.refresh_from_db()
    assert proposal.version == 2
    event = last_event()
    assert event.verb == "proposal.supported"
    assert event.actor == world.users["can"] and event.delegation == world.delegations["CAN"]
    assert (event.object_type, event.object_id) == ("position", str(position.pk))
    assert event.proposal == proposal and event.paragraph_id == proposal.paragraph_id
    assert event.before is None
    assert event.after == {"stance": "support", "reason": ""}
    assert version_of(world.declaration) == before_version + 1


def test_a_later_position_replaces_the_earlier_one(world: World) -> None:
    # Given Canada supporting Mexico's proposal
    proposal = submit(world)
    first = services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    # When Canada then objects, with a reason
    second = services.position_set(
        actor=world.users["can"], proposal=proposal, stance="object", reason=" Goes too far. "
    )
    # Then there is still one row, now an objection, and the version moved twice
    assert second.pk == first.pk
    assert list(Position.objects.filter(proposal=proposal).values_list("stance", "reason")) == [
        ("object", "Goes too far.")
    ]
    proposal.refresh_from_db()
    assert proposal.version == 3
    # And the event shows what it replaced
    event = last_event()
    assert event.verb == "proposal.objected"
    assert event.before == {"stance": "support", "reason": ""}
    assert event.after == {"stance": "object", "reason": "Goes too far."}


def test_positions_of_several_delegations_are_separate_rows(world: World) -> None:
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    services.position_set(actor=world.users["ppt"], proposal=proposal, stance="object", reason="No.")
    assert sorted(Position.objects.filter(proposal=proposal).values_list("delegation__code", "stance")) == [
        ("CAN", "support"),
        ("SLV", "object"),
    ]
    proposal.refresh_from_db()
    assert proposal.version == 3


def test_a_delegation_takes_no_position_on_its_own_proposal(world: World) -> None:
    proposal = submit(world)
    with refused(NotAllowed, "its own proposal"):
        services.position_set(actor=world.users["mex"], proposal=proposal, stance="support")


@pytest.mark.parametrize("role", NOT_NEGOTIATORS)
def test_only_present_members_take_positions(world: World, role: str) -> None:
    proposal = submit(world)
    with refused(NotAllowed):
        services.position_set(actor=world.users[role], proposal=proposal, stance="object", reason="No.")


@pytest.mark.parametrize(
    ("stance", "reason", "field"),
    [
        ("abstain", "", "stance"),
        ("object", "", "reason"),
        ("object", "  \n ", "reason"),
        ("support", "Bell\x07", "reason"),
    ],
)
def test_position_set_refuses_bad_input(world: World, stance: str, reason: str, field: str) -> None:
    proposal = submit(world)
    with refused(InvalidInput) as info:
        services.position_set(actor=world.users["can"], proposal=proposal, stance=stance, reason=reason)
    assert field in info.value.fields


def test_positions_on_a_decided_or_withdrawn_proposal_are_a_conflict(world: World) -> None:
    withdrawn = submit(world)
    services.proposal_withdraw(actor=world.users["mex"], proposal=withdrawn)
    rejected = submit(world, text="Other wording.")
    services.position_set(actor=world.users["can"], proposal=rejected, stance="support")
    services.proposal_decide(actor=world.users["ppt"], proposal=rejected, decision="reject", version=2)
    for proposal in (withdrawn, rejected):
        with refused(Conflict):
            services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    with refused(Conflict):
        services.position_withdraw(actor=world.users["can"], proposal=rejected)


def test_member_withdraws_its_position(world: World) -> None:
    # Given Canada objecting to Mexico's proposal
    proposal = submit(world)
    position = services.position_set(actor=world.users["can"], proposal=proposal, stance="object", reason="No.")
    before_version = version_of(world.declaration)
    # When Canada withdraws its objection
    services.position_withdraw(actor=world.users["can"], proposal=proposal)
    # Then the row is gone, the proposal moved on, and the record keeps what it was
    assert not Position.objects.filter(pk=position.pk).exists()
    proposal.refresh_from_db()
    assert proposal.version == 3
    event = last_event()
    assert event.verb == "position.withdrawn"
    assert event.actor == world.users["can"] and event.delegation == world.delegations["CAN"]
    assert (event.object_type, event.object_id) == ("position", str(position.pk))
    assert event.before == {"stance": "object", "reason": "No."}
    assert event.after is None
    assert version_of(world.declaration) == before_version + 1


def test_withdrawing_a_position_never_taken_is_a_conflict(world: World) -> None:
    proposal = submit(world)
    services.position_set(actor=world.users["ppt"], proposal=proposal, stance="support")
    with refused(Conflict, "no position"):
        services.position_withdraw(actor=world.users["can"], proposal=proposal)


@pytest.mark.parametrize("role", NOT_NEGOTIATORS)
def test_only_present_members_withdraw_positions(world: World, role: str) -> None:
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    with refused(NotAllowed):
        services.position_withdraw(actor=world.users[role], proposal=proposal)


# --- proposal_decide ---------------------------------------------------------------
@pytest.mark.parametrize(("decision", "status"), [("accept", "accepted"), ("reject", "rejected")])
def test_ppt_decides_on_the_version_it_saw(world: World, decision: str, status: str) -> None:
    # Given Mexico's proposal, supported by Canada (version 2)
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    before_version = version_of(world.declaration)
    # When the PPT decides on version 2, with a note
    services.proposal_decide(
        actor=world.users["ppt"], proposal=proposal, decision=decision, version=2, note=" As agreed. "
    )
    # Then the proposal is decided, by whom and when, and its version moved on
    proposal.refresh_from_db()
    assert proposal.status == status
    assert proposal.decided_by == world.users["ppt"]
    assert proposal.decided_at is not None
    assert proposal.decision_note == "As agreed."
    assert proposal.version == 3
    event = last_event()
    assert event.verb == f"proposal.{status}"
    assert event.actor == world.users["ppt"] and event.delegation == world.delegations["SLV"]
    assert event.before == {"status": "submitted", "version": 2}
    assert event.after is not None
    assert event.after | {"status": status, "version": 3, "note": "As agreed."} == event.after
    assert version_of(world.declaration) > before_version


def test_decision_on_a_stale_version_is_a_conflict_with_the_current_version(world: World) -> None:
    # Given the chair read Mexico's proposal at version 1, then Canada objected
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="object", reason="No.")
    # When the chair accepts version 1
    with refused(Conflict, "changed since you read it") as info:
        services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="accept", version=1)
    # Then it is refused, telling the current version
    assert info.value.extra == {"current_version": 2}


def test_deciding_a_decided_or_withdrawn_proposal_is_a_conflict(world: World) -> None:
    accepted = submit(world)
    services.proposal_decide(actor=world.users["ppt"], proposal=accepted, decision="accept", version=1)
    withdrawn = submit(world, text="Other wording.")
    services.proposal_withdraw(actor=world.users["mex"], proposal=withdrawn)
    for proposal, version in ((accepted, 2), (withdrawn, 2)):
        with refused(Conflict, "can no longer change"):
            services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="reject", version=version)


@pytest.mark.parametrize("role", ["mex", "can", *NOT_NEGOTIATORS])
def test_only_the_ppt_decides(world: World, role: str) -> None:
    proposal = submit(world)
    with refused(NotAllowed, "Presidency Pro-Tempore"):
        services.proposal_decide(actor=world.users[role], proposal=proposal, decision="accept", version=1)


def test_unknown_decision_or_bad_note_is_invalid(world: World) -> None:
    proposal = submit(world)
    with refused(InvalidInput) as info:
        services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="defer", version=1)
    assert "decision" in info.value.fields
    with refused(InvalidInput) as info:
        services.proposal_decide(
            actor=world.users["ppt"], proposal=proposal, decision="accept", version=1, note="\x1b[31m"
        )
    assert "note" in info.value.fields


def test_deciding_a_missing_proposal_is_not_found(world: World) -> None:
    with refused(NotFound):
        services.proposal_decide(actor=world.users["ppt"], proposal=Proposal(pk=10**9), decision="accept", version=1)


# --- every write on a closed declaration --------------------------------------------
WRITES: dict[str, Callable[[World, Proposal], Any]] = {
    "revision_issue": lambda w, p: issue(w, carried_sections(w)),
    "proposal_submit": lambda w, p: submit(w, text="Yet another wording."),
    "proposal_withdraw": lambda w, p: services.proposal_withdraw(actor=w.users["mex"], proposal=p),
    "position_set": lambda w, p: services.position_set(actor=w.users["ppt"], proposal=p, stance="object", reason="No."),
    "position_replace": lambda w, p: services.position_set(
        actor=w.users["can"], proposal=p, stance="object", reason="No."
    ),
    "position_withdraw": lambda w, p: services.position_withdraw(actor=w.users["can"], proposal=p),
    "proposal_decide": lambda w, p: services.proposal_decide(
        actor=w.users["ppt"], proposal=p, decision="accept", version=p.version
    ),
}


@pytest.mark.parametrize("status", [Declaration.Status.ADOPTED, Declaration.Status.SILENCE_PROCEDURE])
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_on_an_adopted_or_silenced_declaration_is_a_conflict(world: World, status: str, write: str) -> None:
    # Given a pending proposal by Mexico that Canada supports
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    proposal.refresh_from_db()
    # And the declaration adopted, or under a silence procedure
    set_status(world, status)
    # When anyone who could otherwise write does so, then it conflicts and nothing changes
    with refused(Conflict):
        WRITES[write](world, proposal)


@pytest.mark.parametrize("write", list(WRITES))
def test_the_same_writes_succeed_while_drafting(world: World, write: str) -> None:
    # Control for the test above: each write is allowed while drafting
    proposal = submit(world)
    services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
    proposal.refresh_from_db()
    events = Event.objects.count()
    WRITES[write](world, proposal)
    assert Event.objects.count() > events


def test_declaration_version_increases_on_each_write(world: World) -> None:
    # Given a declaration, and the writes a negotiation is made of
    mex, can, ppt = (world.users[r] for r in ("mex", "can", "ppt"))
    seen = [version_of(world.declaration)]

    def step() -> None:
        seen.append(version_of(world.declaration))

    p = submit(world)
    step()
    services.position_set(actor=can, proposal=p, stance="support")
    step()
    services.position_set(actor=can, proposal=p, stance="object", reason="No.")
    step()
    services.position_withdraw(actor=can, proposal=p)
    step()
    services.proposal_decide(actor=ppt, proposal=p, decision="accept", version=4)
    step()
    q = submit(world, text="Second wording.")
    step()
    services.proposal_withdraw(actor=mex, proposal=q)
    step()
    issue(world, carried_sections(world))
    step()
    # Then each one moved the version on
    assert all(later > earlier for earlier, later in itertools.pairwise(seen)), seen
    # And a refused write does not move it
    with pytest.raises(Conflict):
        services.proposal_withdraw(actor=mex, proposal=q)
    assert version_of(world.declaration) == seen[-1]


# --- event_record and organisation_change_record -----------------------------------
def test_event_record_derives_meeting_and_delegation(world: World) -> None:
    # Given a declaration and one of its paragraphs
    paragraph = Paragraph.objects.get(pk=last_paragraph(world))
    # When an event is recorded with the declaration but no meeting
    event = services.event_record(
        verb=EventVerb.PARAGRAPH_CHANGED,
        actor=world.users["ppt"],
        obj=paragraph,
        declaration=world.declaration,
        paragraph=paragraph,
        before={"a": 1},
        after={"b": 2},
    )
    # Then the meeting comes from the declaration and the delegation from the actor
    event.refresh_from_db()
    assert event.meeting == world.meeting
    assert event.delegation == world.delegations["SLV"]
    assert event.paragraph == paragraph
    assert (event.object_type, event.object_id) == ("paragraph", str(paragraph.pk))
    assert (event.before, event.after) == ({"a": 1}, {"b": 2})
    assert event.created_at is not None


def test_event_record_takes_a_paragraph_id_and_no_actor(world: World) -> None:
    paragraph_id = last_paragraph(world)
    event = services.event_record(verb=EventVerb.MEETING_CHANGED, actor=None, obj=world.meeting, paragraph=paragraph_id)
    event.refresh_from_db()
    assert event.actor is None and event.delegation is None
    assert event.paragraph_id == paragraph_id
    assert event.meeting is None and event.declaration is None
    assert (event.object_type, event.object_id) == ("meeting", str(world.meeting.pk))


def test_organisation_change_of_a_meeting_is_recorded_on_the_meeting(world: World) -> None:
    # Given an admin user (the Secretariat) changing the meeting
    organisation_change_record(actor=world.users["ts"], obj=world.meeting, action="changed", fields=["place"])
    # Then the event is visible on the meeting, with what changed
    event = last_event()
    assert event.verb == "meeting.changed"
    assert event.actor == world.users["ts"] and event.delegation == world.delegations["TS"]
    assert event.meeting == world.meeting
    assert (event.object_type, event.object_id) == ("meeting", str(world.meeting.pk))
    assert event.after == {"fields": ["place"], "repr": str(world.meeting)}
    assert event.before is None


def test_organisation_change_by_an_anonymous_user_has_no_actor(world: World) -> None:
    delegation = DelegationFactory(code="GTM", name_en="Guatemala")
    organisation_change_record(actor=AnonymousUser(), obj=delegation, action="created", fields=["code"])
    event = last_event()
    assert event.verb == "delegation.created"
    assert event.actor is None and event.delegation is None and event.meeting is None
    assert (event.object_type, event.object_id) == ("delegation", str(delegation.pk))
    assert event.after == {"fields": ["code"], "repr": "Guatemala"}


def test_deleting_a_meeting_is_recorded_without_a_link_that_would_block_the_delete(world: World) -> None:
    # Given an empty meeting the Secretariat is about to delete
    meeting = Meeting.objects.create(
        title="Cancelled",
        place="Panama",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 5, 1),
        ppt=world.delegations["SLV"],
    )
    pk = meeting.pk
    # When the deletion is recorded and the meeting deleted
    organisation_change_record(actor=world.users["ts"], obj=meeting, action="deleted", fields=[])
    meeting.delete()
    # Then the record survives and does not point at the meeting
    event = Event.objects.get(verb="meeting.deleted")
    assert event.meeting is None and event.object_id == str(pk)
    assert not Meeting.objects.filter(pk=pk).exists()
