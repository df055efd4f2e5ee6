"""factory_boy factories for the organisational models. Texts, proposals and
positions are made through the services (see conftest), so tests exercise
the same paths as users."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from drafting.models import Delegate, Delegation, Meeting


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name_en = factory.LazyAttribute(lambda o: f"Delegation {o.code}")
    name_es = factory.LazyAttribute(lambda o: f"Delegación {o.code}")
    kind = Delegation.Kind.MEMBER_STATE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    user = factory.SubFactory(UserFactory)
    delegation = factory.SubFactory(DelegationFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Meeting {n}")
    place = "San Salvador"
    start_date = datetime.date(2026, 3, 1)
    end_date = datetime.date(2026, 3, 2)
    ppt = factory.SubFactory(DelegationFactory, code="SLV", name_en="El Salvador")
