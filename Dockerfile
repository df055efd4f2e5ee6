FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY drafting ./drafting
COPY exports ./exports
COPY workers ./workers
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --no-input && useradd --create-home consenso
USER consenso
EXPOSE 8000
CMD ["gunicorn", "backend.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
