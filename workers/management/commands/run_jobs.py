from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workers import runner


class Command(BaseCommand):
    help = (
        "Run queued import and export jobs (the embedded default's worker; with Redis, Celery workers do this). "
        "dev.py serve starts it next to the web server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0.5, help="Look for new jobs every N seconds.")
        parser.add_argument("--once", action="store_true", help="Run the jobs waiting now, then stop.")

    def handle(self, *args: Any, every: float, once: bool, **options: Any) -> None:
        if once:
            self.stdout.write(f"jobs run: {runner.run_pending()}")
            return
        runner.run_forever(every)
