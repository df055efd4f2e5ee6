"""The Celery app, configured from Django settings (CELERY_* names).

Without REDIS_URL the settings make tasks run eagerly in-process; with it,
``celery -A workers worker`` consumes them from Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("consenso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])
