"""Signing in and out with Django's own views (sessions, CSRF), the password
checked by ``django.contrib.auth.authenticate(request, …)`` and so by every
authentication backend's rules (the login throttle among them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from drafting.demo import DEMO_PASSWORD, MEETING_TITLE, USERS
from drafting.models import Delegate, Meeting


class SignInForm(AuthenticationForm):
    """Django's form; only the refusal is ours. ``authenticate`` answers None
    both for a wrong password and when a backend refuses outright
    (PermissionDenied: too many failures), and must not tell which."""

    error_messages = {
        "invalid_login": _(
            "Sign-in refused. Check the username and password (letters' case matters). "
            "After several failed attempts, sign-in is paused for a while: wait a minute and try again, "
            "or ask the Technical Secretariat for a new password."
        ),
        "inactive": _("This account is deactivated; ask the Technical Secretariat."),
    }

    username = forms.CharField(label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def demo_users() -> list[dict[str, str]]:
    """The demo's accounts, listed on the sign-in page of the demo only."""
    if not settings.CONSENSO_SHOW_DEMO_USERS:
        return []
    if not Meeting.objects.filter(title=MEETING_TITLE).exists():
        return []
    by_name = dict(
        Delegate.objects.filter(user__username__in=list(USERS), user__is_active=True).values_list(
            "user__username", "delegation__code"
        )
    )
    return [{"username": u, "delegation": by_name[u], "password": DEMO_PASSWORD} for u in USERS if u in by_name]


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "pages/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "demo_users": demo_users()}


class SignOutView(auth_views.LogoutView):
    next_page = "pages:sign-in"
