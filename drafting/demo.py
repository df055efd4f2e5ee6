"""The demo RCM workshop: delegations, the II Preparation Workshop for the
IMRF (Mexico City, 31 March–1 April 2022, PPT El Salvador), demo users, and
the zero draft of the 2022 Extraordinary Declaration built from the seed text,
in English (its original here, as the seed is) with its Spanish version.

Loading is idempotent: a second run changes nothing and reports the same users.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from drafting import seedtext
from drafting.models import ApiToken, Declaration, Delegate, Delegation, Meeting
from drafting.services.declarations import declaration_create
from drafting.services.organisation import organisation_change_record
from drafting.services.revisions import SectionInput, revision_issue

SEED = Path(__file__).parent / "demo_data" / "rcm-2022-extraordinary-declaration.txt"
# The Spanish version, written for the demo paragraph by paragraph (same blocks,
# same order; the Global Compact objectives in their official Spanish wording).
SEED_ES = Path(__file__).parent / "demo_data" / "rcm-2022-extraordinary-declaration.es.txt"
MEETING_TITLE = "II Preparation Workshop for the International Migration Review Forum (IMRF)"
DEMO_PASSWORD = "consenso-demo"

K = Delegation.Kind
DELEGATIONS: list[tuple[str, str, str, str]] = [
    ("BLZ", "Belize", "Belice", K.MEMBER_STATE),
    ("CAN", "Canada", "Canadá", K.MEMBER_STATE),
    ("CRI", "Costa Rica", "Costa Rica", K.MEMBER_STATE),
    ("DOM", "Dominican Republic", "República Dominicana", K.MEMBER_STATE),
    ("SLV", "El Salvador", "El Salvador", K.MEMBER_STATE),
    ("GTM", "Guatemala", "Guatemala", K.MEMBER_STATE),
    ("HND", "Honduras", "Honduras", K.MEMBER_STATE),
    ("MEX", "Mexico", "México", K.MEMBER_STATE),
    ("NIC", "Nicaragua", "Nicaragua", K.MEMBER_STATE),
    ("PAN", "Panama", "Panamá", K.MEMBER_STATE),
    ("USA", "United States", "Estados Unidos", K.MEMBER_STATE),
    ("ARG", "Argentina", "Argentina", K.OBSERVER_STATE),
    ("COL", "Colombia", "Colombia", K.OBSERVER_STATE),
    ("ECU", "Ecuador", "Ecuador", K.OBSERVER_STATE),
    ("JAM", "Jamaica", "Jamaica", K.OBSERVER_STATE),
    ("PER", "Peru", "Perú", K.OBSERVER_STATE),
    (
        "IOM",
        "International Organization for Migration",
        "Organización Internacional para las Migraciones",
        K.OBSERVER_ORGANIZATION,
    ),
    (
        "UNHCR",
        "Office of the United Nations High Commissioner for Refugees",
        "Alto Comisionado de las Naciones Unidas para los Refugiados",
        K.OBSERVER_ORGANIZATION,
    ),
    (
        "UNICEF",
        "United Nations Children's Fund",
        "Fondo de las Naciones Unidas para la Infancia",
        K.OBSERVER_ORGANIZATION,
    ),
    (
        "ICRC",
        "International Committee of the Red Cross",
        "Comité Internacional de la Cruz Roja",
        K.OBSERVER_ORGANIZATION,
    ),
    (
        "SICA",
        "Central American Integration System",
        "Sistema de la Integración Centroamericana",
        K.OBSERVER_ORGANIZATION,
    ),
    ("ILO", "International Labour Organization", "Organización Internacional del Trabajo", K.OBSERVER_ORGANIZATION),
    (
        "RNCOM",
        "Regional Network of Civil Organizations for Migration",
        "Red Regional de Organizaciones Civiles para las Migraciones",
        K.CIVIL_SOCIETY,
    ),
    ("TS", "Technical Secretariat", "Secretaría Técnica", K.SECRETARIAT),
]
# Member countries named as present in the declaration, and observers the
# concept note lists for the workshop.
PRESENT = ["BLZ", "CAN", "CRI", "SLV", "USA", "GTM", "HND", "MEX", "PAN", "IOM", "RNCOM"]
# username → delegation code; "ts" is also the meeting's Secretariat staff.
USERS = {
    "ts": "TS",
    "ppt.slv": "SLV",
    "mex": "MEX",
    "can": "CAN",
    "usa": "USA",
    "pan": "PAN",
    "gtm": "GTM",
    "nic": "NIC",
    "arg": "ARG",
    "iom": "IOM",
    "rncom": "RNCOM",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    delegation: str
    role: str
    token: str


def zero_draft_sections(raw: str) -> tuple[str, list[SectionInput]]:
    """The seed declaration as sections: title block, the chapeau as
    preamble, the declaration's paragraphs as its (unnumbered in print)
    operative part, and the annex with its pillars and bulleted items."""
    blocks = seedtext.blocks(raw)
    title, place_date, chapeau = blocks[0], blocks[1], blocks[2]
    annex_at = next(i for i, b in enumerate(blocks) if b.text.strip().upper() in ("ANNEX", "ANEXO"))

    def para(block: seedtext.Block, kind: str) -> dict[str, Any]:
        return {"kind": kind, "text": block.text, "emphasis": [dict(s) for s in block.emphasis]}

    annex: list[dict[str, Any]] = []
    for block in blocks[annex_at + 1 :]:
        if block.bullet:
            annex.append(para(block, "list_item"))
        elif len(block.text) < 60 and not block.text.endswith((".", ":")):
            annex.append(para(block, "heading"))
        else:
            annex.append(para(block, "text"))
    sections: list[Any] = [
        {"kind": "title", "paragraphs": [para(title, "title"), para(place_date, "place_date")]},
        {"kind": "preamble", "paragraphs": [para(chapeau, "preambular")]},
        {"kind": "operative", "paragraphs": [para(b, "operative") for b in blocks[3:annex_at]]},
        {"kind": "annex", "heading": blocks[annex_at].text.strip(), "paragraphs": annex},
    ]
    return title.text, sections


def bilingual_sections(original: str, translation: str) -> tuple[str, list[SectionInput]]:
    """The zero draft's sections, each paragraph carrying its version in the
    other language (``translation``, a text of the same blocks in the same order)."""
    title, sections = zero_draft_sections(original)
    _, other = zero_draft_sections(translation)
    for section, translated in zip(sections, other, strict=True):
        if translated.get("heading"):  # "ANEXO" / "ANNEX": the heading in both languages too
            section["heading_translation"] = translated["heading"]
        for paragraph, version in zip(section["paragraphs"], translated["paragraphs"], strict=True):
            if paragraph["kind"] != version["kind"]:
                raise ValueError(f"The versions do not align: {paragraph.get('text', '')[:40]!r}")
            paragraph["translation_text"] = version.get("text", "")
            paragraph["translation_emphasis"] = version.get("emphasis", [])
    return title, sections


def _role(username: str, code: str, meeting: Meeting) -> str:
    if username == "ts":
        return "Technical Secretariat"
    if code == meeting.ppt.code:
        return "Presidency Pro-Tempore"
    kind = Delegation.Kind(Delegation.objects.get(code=code).kind).label.lower()
    present = "" if code in PRESENT else " (not present)"
    return f"{kind}{present}"


@transaction.atomic
def demo_load() -> tuple[Declaration, list[DemoUser]]:
    User = get_user_model()
    for code, name_en, name_es, kind in DELEGATIONS:
        delegation, created = Delegation.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_es": name_es, "kind": kind}
        )
        if created:
            organisation_change_record(actor=None, obj=delegation, action="created", fields=["code"])  # type: ignore[arg-type]

    users = {}
    for username, code in USERS.items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = username == "ts"  # the Secretariat manages meetings in the admin
            user.save()
            Delegate.objects.create(user=user, delegation=Delegation.objects.get(code=code))
            if user.is_staff:
                user.user_permissions.set(Permission.objects.filter(content_type__app_label="drafting"))
        users[username] = user

    meeting = Meeting.objects.filter(title=MEETING_TITLE).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            title=MEETING_TITLE,
            place="Mexico City",
            start_date=datetime.date(2022, 3, 31),
            end_date=datetime.date(2022, 4, 1),
            ppt=Delegation.objects.get(code="SLV"),
        )
        meeting.participants.set(Delegation.objects.filter(code__in=PRESENT))
        meeting.secretariat_staff.set([users["ts"]])
        organisation_change_record(actor=None, obj=meeting, action="created", fields=["participants"])  # type: ignore[arg-type]

    declaration = meeting.declarations.order_by("id").first()
    if declaration is None:
        title, sections = bilingual_sections(SEED.read_text(encoding="utf-8"), SEED_ES.read_text(encoding="utf-8"))
        declaration = declaration_create(
            actor=users["ts"],
            meeting=meeting,
            title=title,
            kind=Declaration.Kind.EXTRAORDINARY,
            original_language="en",
        )
        revision_issue(
            actor=users["ts"],
            declaration=declaration,
            sections=sections,
            note="Zero draft prepared by the Technical Secretariat for the II Preparation Workshop.",
        )

    demo_users = [
        DemoUser(
            username=username,
            delegation=code,
            role=_role(username, code, meeting),
            token=ApiToken.objects.get_or_create(user=users[username])[0].key,
        )
        for username, code in USERS.items()
    ]
    return declaration, demo_users
