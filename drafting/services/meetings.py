"""Setting a meeting up: the Technical Secretariat of the meeting says which
delegations take part (members, observers, civil society), which member
holds the Presidency Pro-Tempore, the venue's time zone, whether the
meeting is closed to observers, and how long a silence procedure lasts by
default. Who serves as the Secretariat is an administrator's decision (the
admin), never the desk's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from drafting.access import require_secretariat, role_in
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, Delegation, EventVerb, Meeting
from drafting.models.organisation import validate_time_zone
from drafting.services.events import event_record

# A silence procedure runs for hours to weeks (UN practice: at least 72 hours).
SILENCE_HOURS_MAX = 24 * 60
# While the PPT conducts an adoption, the chair does not change hands.
ADOPTING = (Declaration.Status.IN_ADOPTION, Declaration.Status.SILENCE_PROCEDURE)


def meeting_lock(meeting_id: int) -> Meeting:
    """The meeting's row, its declarations' rows first: the services lock a
    declaration together with its meeting (``declaration_lock``), so the
    order here is theirs, declarations (by id) then the meeting."""
    list(Declaration.objects.select_for_update().filter(meeting_id=meeting_id).order_by("id").values_list("id"))
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("Meeting %(meeting_id)s does not exist.") % {"meeting_id": meeting_id})
    return meeting


def _state(meeting: Meeting) -> dict[str, Any]:
    return {
        "participants": sorted(meeting.participants.values_list("code", flat=True)),
        "ppt": meeting.ppt.code,
        "time_zone": meeting.time_zone,
        "members_only": meeting.members_only,
        "silence_hours": meeting.silence_hours,
    }


def _delegations(codes: list[str]) -> list[Delegation]:
    wanted = {c.strip().upper() for c in codes if c.strip()}
    found = {d.code.upper(): d for d in Delegation.objects.filter(code__in=[*wanted, *(c.lower() for c in wanted)])}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise InvalidInput(
            _("Unknown delegations: %(codes)s.") % {"codes": ", ".join(unknown)},
            fields={"participants": [_("Codes of registered delegations.")]},
        )
    secretariat = sorted(c for c, d in found.items() if d.kind == Delegation.Kind.SECRETARIAT)
    if secretariat:
        raise InvalidInput(
            _("%(codes)s is the Secretariat, an organ of the meeting, not a participant.")
            % {"codes": ", ".join(secretariat)},
            fields={"participants": [_("Member states, observers and civil society only.")]},
        )
    return list(found.values())


@transaction.atomic
def meeting_setup(
    *,
    actor: User,
    meeting: Meeting,
    participants: list[str] | None = None,
    ppt: str | None = None,
    time_zone: str | None = None,
    members_only: bool | None = None,
    silence_hours: int | None = None,
) -> Meeting:
    """Change what is given, keep the rest; one event with before and after.
    The PPT must be a member state and always takes part; it does not change
    while a text is before the room for adoption or under silence."""
    meeting = meeting_lock(meeting.pk)
    require_secretariat(role_in(actor, meeting), "set the meeting up")
    before = _state(meeting)
    fields: list[str] = []
    chosen = _delegations(participants) if participants is not None else None
    if ppt is not None and ppt.strip().upper() != meeting.ppt.code.upper():
        new_ppt = Delegation.objects.filter(code__iexact=ppt.strip()).first()
        if new_ppt is None or new_ppt.kind != Delegation.Kind.MEMBER_STATE:
            raise InvalidInput(
                _("The Presidency Pro-Tempore is a member state."), fields={"ppt": [_("The code of a member state.")]}
            )
        if meeting.declarations.filter(status__in=ADOPTING).exists():
            raise Conflict(_("A text of this meeting is being adopted; the PPT conducting it stays until it ends."))
        meeting.ppt = new_ppt
        fields.append("ppt")
    if time_zone is not None:
        try:
            validate_time_zone(time_zone.strip())
        except ValidationError as exc:
            raise InvalidInput(
                _("%(time_zone)r is not a time zone.") % {"time_zone": time_zone},
                fields={"time_zone": [_("An IANA name, e.g. America/Guatemala.")]},
            ) from exc
        meeting.time_zone = time_zone.strip()
        fields.append("time_zone")
    if members_only is not None:
        meeting.members_only = members_only
        fields.append("members_only")
    if silence_hours is not None:
        if not 1 <= silence_hours <= SILENCE_HOURS_MAX:
            raise InvalidInput(
                _("A silence procedure lasts 1 to %(hours)s hours.") % {"hours": SILENCE_HOURS_MAX},
                fields={"silence_hours": [_("1 to %(max)s.") % {"max": SILENCE_HOURS_MAX}]},
            )
        meeting.silence_hours = silence_hours
        fields.append("silence_hours")
    if fields:
        meeting.save(update_fields=fields)
    if chosen is not None or "ppt" in fields:
        present = {d.pk: d for d in (chosen if chosen is not None else meeting.participants.all())}
        present[meeting.ppt.pk] = meeting.ppt  # the chair is always in the room
        meeting.participants.set(list(present.values()))
    after = _state(meeting)
    if after != before:
        # who may read and negotiate changed: every open page re-reads (live.py's marker)
        Declaration.objects.filter(meeting=meeting).update(version=F("version") + 1)
        event_record(
            verb=EventVerb.MEETING_SET_UP, actor=actor, obj=meeting, meeting=meeting, before=before, after=after
        )
    return meeting
