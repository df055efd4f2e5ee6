# django-filter ships no type hints, so its base classes are Any to mypy.
# mypy: disable-error-code="misc"
"""Query-string filters for list endpoints (django-filter)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet

from drafting.models import Declaration, Delegation, Event, ExportJob, Proposal, Revision


class DelegationFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = Delegation
        fields = ["kind", "code"]


# Ids are filtered as plain numbers: an unknown (or unreadable) id gives an
# empty list, not a 400 that would tell a reader which ids exist elsewhere.
MAX_ID = 2**63 - 1  # a 64-bit key: SQLite raises OverflowError past it


class IdFilter(django_filters.NumberFilter):
    """A whole number that can be a key; any other number (1.5, 2**63) matches
    nothing rather than being rounded or reaching the database driver."""

    def filter(self, qs: QuerySet[Any], value: Decimal | None) -> QuerySet[Any]:
        if value is None:
            return qs
        if value != value.to_integral_value() or not 0 < value <= MAX_ID:
            return qs.none()
        filtered: QuerySet[Any] = super().filter(qs, int(value))
        return filtered


def _id(field: str) -> IdFilter:
    return IdFilter(field_name=field)


def _code(field: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name=field, lookup_expr="iexact", help_text="Delegation code, e.g. MEX.")


class DeclarationFilter(django_filters.FilterSet):
    meeting = _id("meeting_id")

    class Meta:
        model = Declaration
        fields = ["meeting", "status", "kind"]


class RevisionFilter(django_filters.FilterSet):
    declaration = _id("declaration_id")

    class Meta:
        model = Revision
        fields = ["declaration"]


class ProposalFilter(django_filters.FilterSet):
    declaration = _id("declaration_id")
    paragraph = _id("paragraph_id")
    revision = _id("revision_id")
    incorporated_in = _id("incorporated_in_id")
    delegation = _code("delegation__code")

    class Meta:
        model = Proposal
        fields = ["declaration", "paragraph", "revision", "status", "kind", "delegation", "incorporated_in"]


class EventFilter(django_filters.FilterSet):
    meeting = _id("meeting_id")
    declaration = _id("declaration_id")
    paragraph = _id("paragraph_id")
    proposal = _id("proposal_id")
    delegation = _code("delegation__code")
    verb = django_filters.CharFilter(field_name="verb", lookup_expr="startswith")

    class Meta:
        model = Event
        fields = ["meeting", "declaration", "paragraph", "proposal", "delegation", "verb"]


class ExportJobFilter(django_filters.FilterSet):
    declaration = _id("declaration_id")
    status = django_filters.ChoiceFilter(choices=ExportJob.Status.choices)
    kind = django_filters.ChoiceFilter(choices=ExportJob.Kind.choices)
    format = django_filters.ChoiceFilter(choices=ExportJob.Format.choices)

    class Meta:
        model = ExportJob
        fields = ["declaration", "status", "kind", "format"]
