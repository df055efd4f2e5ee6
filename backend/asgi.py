"""ASGI entry point (uvicorn backend.asgi:application): the pages' event
streams (backend/pages/stream.py) need it; every other view runs as under WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ["CONSENSO_ASGI"] = "1"  # the settings take database connections from a pool
application = get_asgi_application()
