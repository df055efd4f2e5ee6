"""The product's URLs plus bench-only views. Used only with bench.settings."""

from __future__ import annotations

from django.urls import path

from backend.urls import urlpatterns as product_urlpatterns
from bench import views

urlpatterns = [
    *product_urlpatterns,
    path("bench/ceiling/", views.ceiling, name="bench-ceiling"),
    path("bench/insert/", views.bare_insert, name="bench-insert"),
    path("bench/same-statements/", views.same_statements, name="bench-same-statements"),
    path("bench/ceiling-with-version/<int:pk>/", views.ceiling_with_version, name="bench-ceiling-with-version"),
]
