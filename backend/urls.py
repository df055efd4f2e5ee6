from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# The API first: Django tries patterns in order, and the pages' include has an
# empty prefix, so every API request used to be matched against all the pages'
# patterns before reaching its own (~0.1 ms of each API request). No page's
# path starts with api/ (tests/test_urls.py), so the order changes no answer.
urlpatterns = [
    path("api/", include("backend.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("backend.pages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
]


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Unmatched URLs under /api/ answer in the API's JSON error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "not_found", "detail": f"No endpoint at {request.path}.", "fields": {}}, status=404
        )
    return page_not_found(request, exception)


handler404 = api_not_found
