"""Who takes part: delegations, the people in them, and meetings."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class Delegation(models.Model):
    class Kind(models.TextChoices):
        MEMBER_STATE = "member_state", "Member state"
        OBSERVER_STATE = "observer_state", "Observer state"
        OBSERVER_ORGANIZATION = "observer_organization", "Observer organization"
        CIVIL_SOCIETY = "civil_society", "Civil society"
        # The Technical Secretariat is an organ of the conference, not a party;
        # its staff still need a home, and it takes no position.
        SECRETARIAT = "secretariat", "Technical Secretariat"

    code = models.SlugField(max_length=16, unique=True, help_text="Short code, e.g. MEX, IOM.")
    name_en = models.CharField(max_length=120, unique=True)
    name_es = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en


class Delegate(models.Model):
    """A user's membership of exactly one delegation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegate")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="delegates")

    def __str__(self) -> str:
        return f"{self.user} ({self.delegation.code})"


# Central American time (UTC-6, no daylight saving): where most RCM meetings sit.
DEFAULT_TIME_ZONE = "America/Guatemala"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone, e.g. America/Guatemala.")


class Meeting(models.Model):
    title = models.CharField(max_length=300)
    place = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    ppt = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        related_name="presided_meetings",
        verbose_name="Presidency Pro-Tempore",
    )
    participants = models.ManyToManyField(
        Delegation, related_name="meetings", blank=True, help_text="Delegations in attendance."
    )
    secretariat_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="secretariat_meetings", blank=True
    )
    # Translators the Technical Secretariat names for the meeting (issue 15): they may
    # bring a paragraph's other-language version in line, and do nothing else the
    # TS does. A plain list of users: the role has no other attribute to keep.
    translators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="translator_meetings", blank=True)
    members_only = models.BooleanField(default=False, help_text="Closed to observers and civil society.")
    silence_hours = models.PositiveIntegerField(
        default=72, help_text="Default length of a silence procedure (UN practice: at least 72 hours)."
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="IANA time zone of the venue: pages show times, and take deadlines, in it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by database triggers (migration 0013) whenever who may do what
    # here changes: a participant or a Secretariat staff member added or
    # removed, the PPT or ``members_only`` changed. Cached roles key on it
    # (``drafting.access``), so such a change is seen by the next request in
    # every process, however the change was made (services, admin, shell).
    access_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="meeting_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.place}, {self.start_date:%Y-%m-%d})"
