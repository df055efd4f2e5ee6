"""Celery app and thin tasks that call drafting and exports services."""

from workers.celery import app

__all__ = ["app"]
