"""The product's URLs plus bench-only views. Used only with bench.settings."""

from __future__ import annotations

from django.urls import path

from backend.urls import urlpatterns as product_urlpatterns
from bench import views

# First, so that the ceiling and the floors pay no URL matching beyond their
# own pattern: a bare view, as their names say (before 2026-12-05 they came
# after the product's ~110 patterns, which flattered every ratio a little).
urlpatterns = [
    path("bench/ceiling/", views.ceiling, name="bench-ceiling"),
    path("bench/insert/", views.bare_insert, name="bench-insert"),
    path("bench/same-statements/", views.same_statements, name="bench-same-statements"),
    path("bench/ceiling-with-version/<int:pk>/", views.ceiling_with_version, name="bench-ceiling-with-version"),
    *product_urlpatterns,
]
