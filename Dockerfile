# One image for web, worker, beat and migrate (docker-compose.yml).
# LibreOffice and the fonts are in it: the worker renders PDF exports, and web
# refuses format "pdf" where LibreOffice is missing.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui fonts-dejavu-core fonts-crosextra-carlito fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*
# The unprivileged user the services run as; it owns only what they write:
# /data/media (exports: a volume shared by web and worker), /data/beat
# (beat's schedule) and its home (LibreOffice's temporary profiles). /app,
# the code, stays root's and read-only to it.
RUN useradd --create-home --uid 1000 consenso \
 && mkdir -p /data/media /data/beat \
 && chown -R consenso:consenso /data
WORKDIR /app
# Exactly the versions in the lock file (python3 dev.py lock rewrites it).
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY manage.py pyproject.toml ./
COPY backend ./backend
COPY drafting ./drafting
COPY exports ./exports
COPY workers ./workers
RUN STATIC_ROOT=/app/staticfiles python manage.py collectstatic --no-input
USER consenso
ENV HOME=/home/consenso MEDIA_ROOT=/data/media
EXPOSE 8000
# ASGI for the pages' event streams (docker-compose.yml's web command is the same)
CMD ["uvicorn", "backend.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--lifespan", "off", "--no-proxy-headers"]
