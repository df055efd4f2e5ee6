"""The II Preparation Workshop for the IMRF (Mexico City, 2022), replayed
through the API: from the Technical Secretariat's zero draft of the
Extraordinary Declaration to its adoption by silence procedure, and the
negotiation record that tells the story afterwards."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from drafting import services
from drafting.demo import demo_load
from drafting.models import Paragraph, Proposal, RevisionParagraph
from drafting.services.translations import translation_update

pytestmark = pytest.mark.django_db

PRESENT_MEMBERS = ["BLZ", "CAN", "CRI", "GTM", "HND", "MEX", "PAN", "SLV", "USA"]


class Api:
    """One demo user's API client; every call checks the status it expects."""

    def __init__(self, token: str) -> None:
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def get(self, path: str, expect: int = 200, **query: Any) -> Any:
        response = self.client.get(path, query)
        assert response.status_code == expect, (path, response.content)
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
        response = self.client.post(path, body or {}, format="json")
        assert response.status_code == expect, (path, response.content)
        return response.json() if response.content else None

    def delete(self, path: str, expect: int = 204) -> Any:
        response = self.client.delete(path)
        assert response.status_code == expect, (path, response.content)
        return response.json() if response.content else None


def paragraphs_of(text: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for section in text["sections"] for p in section["paragraphs"]]


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(verb == w for verb in it) for w in wanted)


def test_the_2022_workshop_from_zero_draft_to_adoption_by_silence() -> None:
    # --- Given the demo: the zero draft of the 2022 Extraordinary Declaration (31 paragraphs) ---
    declaration, users = demo_load()
    api = {u.username: Api(u.token) for u in users}
    ts, ppt, mex, can, usa, pan, gtm, nic = (
        api[n] for n in ("ts", "ppt.slv", "mex", "can", "usa", "pan", "gtm", "nic")
    )
    d = declaration.pk
    working_url = f"/api/declarations/{d}/working-text/"

    zero = ts.get(working_url)
    zero_paragraphs = paragraphs_of(zero)
    assert zero["revision"]["label"] == "Zero draft" and len(zero_paragraphs) == 31
    ids = {p["label"]: p["paragraph"] for p in zero_paragraphs}
    texts = {p["label"]: p["text"] for p in zero_paragraphs}
    assert list(ids)[:12] == ["Title", "Place and date", "PP1", *(f"OP{i}" for i in range(1, 10))]
    rev0 = zero["revision"]["id"]

    def propose(who: Api, label: str, kind: str, text: str = "", rationale: str = "") -> dict[str, Any]:
        body = {"declaration": d, "revision": rev0, "paragraph": ids[label], "kind": kind, "text": text}
        return who.post("/api/proposals/", {**body, "rationale": rationale}, expect=201)

    def transition(paragraph: int, action: str, who: Api = ppt, expect: int = 200, **body: Any) -> Any:
        return who.post(f"/api/paragraphs/{paragraph}/transition/", {"action": action, **body}, expect=expect)

    def decide(proposal: dict[str, Any], decision: str = "accept", expect: int = 200) -> Any:
        version = ppt.get(f"/api/proposals/{proposal['id']}/")["version"]
        return ppt.post(f"/api/proposals/{proposal['id']}/{decision}/", {"version": version}, expect=expect)

    # --- When delegations propose, support and object during the first reading ---
    op2_new = texts["OP2"].replace("historic step", "historic and decisive step")
    replace_op2 = propose(mex, "OP2", "replace", op2_new, "Stronger wording.")
    can.post(f"/api/proposals/{replace_op2['id']}/support/")
    gtm.post(f"/api/proposals/{replace_op2['id']}/support/")
    alt1 = propose(mex, "OP5", "alternative", "The RCM has identified regional priorities (see Annex).")
    alt2 = propose(usa, "OP5", "alternative", "The RCM identified regional priorities grouped around key themes.")
    gtm.post(f"/api/proposals/{alt2['id']}/support/")
    insert = propose(can, "OP3", "insert_after", "The RCM welcomes the participation of civil society in the IMRF.")
    pan.post(f"/api/proposals/{insert['id']}/support/")
    delete_op9 = propose(gtm, "OP9", "delete", rationale="Sharing the text is a matter for the PPT.")
    usa.post(f"/api/proposals/{delete_op9['id']}/support/")
    can.post(f"/api/proposals/{delete_op9['id']}/object/", {"reason": "The co-facilitators should have the text."})
    # Observers and absent members do not propose
    for outsider in ("iom", "rncom", "arg", "nic"):
        body = {"declaration": d, "revision": rev0, "paragraph": ids["OP1"], "kind": "replace", "text": "Ours."}
        # registered observers are told why; those who take no part get the 404 of an unknown id (issue 13)
        refused = api[outsider].client.post("/api/proposals/", body, format="json")
        assert (refused.status_code, refused.json()["error"]) in {(403, "forbidden"), (404, "not_found")}

    # The PPT opens OP5 and brackets it with the two options as Alt 1 and Alt 2
    transition(ids["OP5"], "open")
    transition(ids["OP5"], "bracket", alternatives=[alt1["id"], alt2["id"]])
    op5 = next(p for p in paragraphs_of(ts.get(working_url)) if p["paragraph"] == ids["OP5"])
    assert op5["state"] == "bracketed"
    assert [(a["option"], a["delegation"]) for a in op5["alternatives"]] == [("Alt 1", "MEX"), ("Alt 2", "USA")]
    # It resolves them: Alt 2 accepted; Alt 1, a wording of the same words, is conflicted (kept, never
    # silently dropped) and the record says why; Mexico withdraws it
    decide(alt2)
    assert ppt.get(f"/api/proposals/{alt1['id']}/")["status"] == "conflicted"
    conflict = api["iom"].get(f"/api/declarations/{d}/record/", verb="proposal.conflicted")["results"][-1]
    assert conflict["after"]["summary"].startswith("MEX's proposal conflicted after USA's was accepted")
    mex.post(f"/api/proposals/{alt1['id']}/withdraw/")
    # It accepts the replacement of OP2 and the insertion after OP3
    decide(replace_op2)
    decide(insert)
    # The deletion of OP9 cannot be accepted while Canada objects; then Canada withdraws its objection
    assert decide(delete_op9, expect=409)["objecting"] == ["CAN"]
    can.delete(f"/api/proposals/{delete_op9['id']}/position/", expect=200)
    decide(delete_op9)

    working = paragraphs_of(ts.get(working_url))
    labels = [p["label"] for p in working]
    assert len(working) == 31  # one inserted, one deleted
    assert labels[labels.index("OP3") + 1] == "OP3 bis" and "OP9" not in labels
    by_id = {p["paragraph"]: p for p in working}
    assert by_id[ids["OP2"]]["text"] == op2_new
    assert by_id[ids["OP5"]]["text"] == alt2["text"] and by_id[ids["OP5"]]["state"] == "under_discussion"
    bis_id = next(p["paragraph"] for p in working if p["label"] == "OP3 bis")
    assert ids["OP9"] not in by_id

    # Panama objects to OP6; the PPT's call for agreement is refused, naming Panama
    pan.post(f"/api/paragraphs/{ids['OP6']}/object/", {"reason": "Panama needs to consult its capital."}, expect=201)
    assert transition(ids["OP6"], "agree", expect=409)["objecting"] == ["PAN"]
    pan.delete(f"/api/paragraphs/{ids['OP6']}/objection/")
    assert transition(ids["OP6"], "agree")["state"] == "agreed"
    # OP4 is agreed ad ref for the United States, which confirms it
    assert transition(ids["OP4"], "agree_ad_ref", delegation="USA")["ad_ref"] == "USA"
    assert transition(ids["OP4"], "confirm", who=mex, expect=403)["error"] == "forbidden"
    assert transition(ids["OP4"], "confirm", who=usa)["state"] == "agreed"
    # Everything else is agreed
    for paragraph in working:
        if paragraph["paragraph"] not in (ids["OP4"], ids["OP6"]):
            transition(paragraph["paragraph"], "agree")
    assert {p["state"] for p in paragraphs_of(ts.get(working_url))} == {"agreed"}

    # --- When the PPT issues Rev.1 from the working text ---
    rev1 = ppt.post(f"/api/declarations/{d}/revisions/next/", {"note": "After the first reading."}, expect=201)
    # Then the bis paragraph is numbered into the sequence, identities carry over, every paragraph agreed
    assert (rev1["label"], rev1["number"]) == ("Rev.1", 1)
    rev1_paragraphs = paragraphs_of(rev1)
    rev1_labels = {p["paragraph"]: p["label"] for p in rev1_paragraphs}
    assert len(rev1_paragraphs) == 31
    assert (rev1_labels[ids["OP3"]], rev1_labels[bis_id], rev1_labels[ids["OP4"]]) == ("OP3", "OP4", "OP5")
    assert rev1_labels[ids["OP8"]] == "OP9"
    assert set(rev1_labels) == (set(ids.values()) - {ids["OP9"]}) | {bis_id}
    assert {p["state"] for p in rev1_paragraphs} == {"agreed"}
    assert next(p for p in rev1_paragraphs if p["paragraph"] == ids["OP2"])["text"] == op2_new
    # And the accepted proposals are incorporated in it
    incorporated = ppt.get("/api/proposals/", declaration=d, status="incorporated")["results"]
    assert sorted(p["id"] for p in incorporated) == sorted(p["id"] for p in (alt2, replace_op2, insert, delete_op9))
    assert set(
        Proposal.objects.filter(pk__in=[p["id"] for p in incorporated]).values_list("incorporated_in", flat=True)
    ) == {rev1["id"]}
    # And Rev.1 lists them itself, as issued, when read again and as the current text
    listed = [
        {"proposal": p["id"], "delegation": p["delegation"]["code"], "paragraph": p["paragraph"]}
        for p in sorted((alt2, replace_op2, insert, delete_op9), key=lambda p: p["id"])
    ]
    assert rev1["incorporated"] == listed
    assert ppt.get(f"/api/revisions/{rev1['id']}/")["incorporated"] == listed
    assert api["iom"].get(f"/api/declarations/{d}/text/")["incorporated"] == listed

    # --- Adoption needs both language versions current (issue 15): Rev.1's Spanish is stale where
    # the English changed and missing for the inserted paragraph; the TS brings them in line ---
    body = {"revision": rev1["id"], "method": "silence"}
    behind = ppt.post(f"/api/declarations/{d}/adoption/", body, expect=409)
    assert set(behind["translation_stale"]) == {rev1_labels[ids["OP2"]], rev1_labels[ids["OP5"]]}
    assert behind["translation_missing"] == [rev1_labels[bis_id]]
    op2 = Paragraph.objects.get(pk=ids["OP2"])
    spanish = {
        ids["OP2"]: op2.translation_text.replace("un paso histórico", "un paso histórico y decisivo"),
        ids["OP5"]: "La CRM identificó prioridades regionales agrupadas en torno a ejes temáticos.",
        bis_id: "La CRM acoge con beneplácito la participación de la sociedad civil en el FEMI.",
    }
    for paragraph_id, text in spanish.items():
        version = Paragraph.objects.get(pk=paragraph_id).text_version
        translation_update(
            actor=User.objects.get(username="ts"), paragraph_id=paragraph_id, text_version=version, text=text
        )
    assert set(
        RevisionParagraph.objects.filter(revision_id=rev1["id"]).values_list("translation_status", flat=True)
    ) == {"current"}

    # --- When the PPT circulates Rev.1 under silence, and Guatemala breaks it ---
    adoption_url = f"/api/declarations/{d}/adoption/"
    first = ppt.post(adoption_url, {"revision": rev1["id"], "method": "silence"}, expect=201)
    assert (first["status"], first["revision"]["label"]) == ("pending", "Rev.1")
    assert transition(ids["OP2"], "reopen", expect=409)["error"] == "conflict"  # negotiation is closed meanwhile
    assert "reason" in gtm.post(adoption_url + "break-silence/", {"reason": ""}, expect=400)["fields"]
    broken = gtm.post(adoption_url + "break-silence/", {"reason": "Guatemala must consult on the annex."})
    assert broken["status"] == "broken" and broken["objections"][0]["delegation"] == "GTM"
    # Then the draft is back in negotiation
    assert ppt.get(f"/api/declarations/{d}/")["status"] == "drafting"

    # --- When Guatemala is satisfied and the PPT circulates Rev.1 again ---
    second = ppt.post(adoption_url, {"revision": rev1["id"], "method": "silence"}, expect=201)
    assert second["id"] != first["id"] and second["status"] == "pending"
    # Reservations and an explanation of position are put on record while silence runs
    statements_url = f"/api/declarations/{d}/statements/"
    new_op5 = next(p["paragraph"] for p in rev1_paragraphs if p["label"] == "OP5")
    usa.post(
        statements_url, {"kind": "reservation", "paragraph": new_op5, "text": "The US reserves on OP5."}, expect=201
    )
    nic.post(statements_url, {"kind": "reservation", "paragraph": ids["OP6"], "text": "Nicaragua on OP6."}, expect=201)
    mex.post(statements_url, {"kind": "explanation", "text": "Mexico joins consensus."}, expect=201)
    assert api["iom"].post(statements_url, {"kind": "explanation", "text": "IOM."}, expect=403)["error"] == "forbidden"
    # The deadline passes unbroken: the deadline task adopts, exactly once
    deadline = datetime.datetime.fromisoformat(second["deadline"])
    after = deadline + datetime.timedelta(seconds=1)
    assert services.silence_conclude(adoption_id=second["id"], now=deadline - datetime.timedelta(seconds=1)) is False
    assert services.silence_conclude(adoption_id=second["id"], now=after) is True
    assert services.silence_conclude(adoption_id=second["id"], now=after) is False

    # --- Then the adoption record names place, PPT, the members present and the revision ---
    record = api["rncom"].get(adoption_url)
    assert (record["id"], record["status"], record["method"]) == (second["id"], "adopted", "silence")
    assert (record["place"], record["ppt"]) == ("Mexico City", "SLV")
    assert record["present"] == PRESENT_MEMBERS
    assert record["revision"] == {"id": rev1["id"], "label": "Rev.1"}
    assert record["concluded_at"] is not None
    assert [(s["kind"], s["delegation"], s["paragraph"]) for s in record["statements"]] == [
        ("reservation", "USA", new_op5),
        ("reservation", "NIC", ids["OP6"]),
        ("explanation", "MEX", None),
    ]
    assert ppt.get(f"/api/declarations/{d}/")["status"] == "adopted"

    # --- And every later write is refused with 409 ---
    body = {"declaration": d, "revision": rev1["id"], "paragraph": ids["OP2"], "kind": "replace", "text": "Late."}
    assert mex.post("/api/proposals/", body, expect=409)["error"] == "conflict"
    assert transition(ids["OP2"], "reopen", expect=409)["error"] == "conflict"
    assert ppt.post(f"/api/declarations/{d}/revisions/next/", expect=409)["error"] == "conflict"
    assert ts.post(f"/api/declarations/{d}/revisions/next/", expect=409)["error"] == "conflict"
    assert ppt.post(adoption_url, {"revision": rev1["id"], "method": "silence"}, expect=409)["error"] == "conflict"
    assert mex.post(statements_url, {"kind": "explanation", "text": "Late."}, expect=409)["error"] == "conflict"
    assert gtm.post(adoption_url + "break-silence/", {"reason": "Late."}, expect=409)["error"] == "conflict"

    # --- And the negotiation record tells the story, in order ---
    record_url = f"/api/declarations/{d}/record/"
    events = api["iom"].get(record_url, page_size=500)["results"]
    event_ids = [e["id"] for e in events]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == len(event_ids)
    verbs = [e["verb"] for e in events]
    assert is_subsequence(
        [
            "declaration.created",
            "revision.issued",
            "proposal.submitted",
            "proposal.supported",
            "proposal.objected",
            "paragraph.open",
            "paragraph.bracket",
            "paragraph.changed",
            "proposal.conflicted",
            "proposal.accepted",
            "proposal.withdrawn",
            "position.withdrawn",
            "paragraph.objected",
            "paragraph.objection_withdrawn",
            "paragraph.agree",
            "paragraph.agree_ad_ref",
            "paragraph.confirm",
            "revision.issued",
            "paragraph.translated",
            "silence.launched",
            "silence.broken",
            "silence.launched",
            "statement.reservation",
            "statement.explanation",
            "declaration.adopted",
        ],
        verbs,
    ), verbs
    assert verbs[-1] == "declaration.adopted" and verbs.count("revision.issued") == 2
    assert verbs.count("paragraph.agree") == 30 and verbs.count("proposal.accepted") == 4
    # Filtered by paragraph: OP5's story
    op5_story = [e["verb"] for e in api["iom"].get(record_url, paragraph=ids["OP5"])["results"]]
    assert op5_story == [
        "proposal.submitted",
        "proposal.submitted",
        "proposal.supported",
        "paragraph.open",
        "paragraph.bracket",
        "paragraph.changed",
        "proposal.conflicted",
        "proposal.accepted",
        "proposal.withdrawn",
        "paragraph.agree",
        "proposal.incorporated",  # by Rev.1
        "paragraph.translated",  # the TS brings the Spanish in line, linked to the accepted proposal
    ]
    translated = api["iom"].get(record_url, paragraph=ids["OP5"])["results"][-1]
    assert translated["proposal"] == alt2["id"] and translated["after"]["language"] == "es"
    # Filtered by delegation: what Panama did
    panama = api["iom"].get(record_url, delegation="PAN")["results"]
    assert [(e["verb"], e["paragraph"]) for e in panama] == [
        ("proposal.supported", ids["OP3"]),
        ("paragraph.objected", ids["OP6"]),
        ("paragraph.objection_withdrawn", ids["OP6"]),
    ]
    # Filtered by both: the United States on the zero draft's OP4 (Rev.1's OP5): confirmed ad ref, then reserved on
    assert new_op5 == ids["OP4"]
    us_op4 = api["iom"].get(record_url, delegation="USA", paragraph=ids["OP4"])["results"]
    assert [e["verb"] for e in us_op4] == ["paragraph.confirm", "statement.reservation"]
