"""The URL configuration: the API's patterns come first (backend/urls.py says
why); that must not take any page's address."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from backend.api.texts.views import RevisionDetail
from backend.pages import urls as page_urls


def _routes(patterns: Sequence[URLPattern | URLResolver], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            out += _routes(pattern.url_patterns, route)
        else:
            out.append((route, pattern))
    return out


def test_no_page_lives_under_api() -> None:
    routes = _routes(page_urls.urlpatterns)
    assert len(routes) > 30
    assert not [route for route, _ in routes if route.startswith("api")]


def test_every_page_still_resolves_to_its_page_and_the_api_to_the_api() -> None:
    for route, pattern in _routes(page_urls.urlpatterns):
        path = "/" + route.replace("<int:pk>", "7").replace("<int:user_id>", "8").replace("<int:link_id>", "9")
        path = path.replace("<str:secret>", "abc")
        assert "<" not in path, path
        match = resolve(path)
        assert match.func == pattern.callback, (path, match.func)
    assert getattr(resolve("/api/revisions/1/").func, "view_class", None) is RevisionDetail
    assert str(get_resolver().url_patterns[0].pattern) == "api/"
