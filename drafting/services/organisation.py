from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import models, transaction

from drafting.models import EventVerb, Meeting
from drafting.services.events import event_record


@transaction.atomic
def organisation_change_record(
    *, actor: User | AnonymousUser, obj: models.Model, action: str, fields: list[str]
) -> None:
    """Record an admin change to a delegation, delegate or meeting."""
    event_record(
        verb=EventVerb(f"{obj._meta.model_name}.{action}"),
        actor=actor if isinstance(actor, User) else None,
        obj=obj,
        meeting=obj if isinstance(obj, Meeting) and action != "deleted" else None,
        after={"fields": fields, "repr": str(obj)},
    )
