"""Signing in and out with Django's own views (sessions, CSRF), the password
checked by ``django.contrib.auth.authenticate(request, …)`` and so by every
authentication backend's rules (the login throttle among them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


def sign_in_locked_out(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The sign-in page again, refused as a wrong password is (and in the
    reader's language), when django-axes has paused this account from this
    address (``backend.api.auth.lockout_response`` sends the page's sign-ins
    here): 429 with Retry-After, never a bare text answer."""
    form = SignInForm(request, data=request.POST)
    form.errors.clear()
    form.add_error(None, SignInForm.error_messages["invalid_login"])
    view = SignInView(request=request, kwargs={})
    context = {**view.get_context_data(form=form)}
    response = render(request, SignInView.template_name, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class SignOutView(auth_views.LogoutView):
    next_page = "pages:sign-in"
