import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from drafting import services
from workers.tasks import export_sweep, import_sweep


class Command(BaseCommand):
    help = (
        "Adopt silence procedures whose deadline has passed unbroken, and hand over again export and import jobs "
        "the workers never finished. With Redis, Celery beat does both; on the embedded default, run "
        "this (dev.py serve runs it with --every)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds (0: once).")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            for adoption_id in services.silence_due():
                if services.silence_conclude(adoption_id=adoption_id):
                    self.stdout.write(f"adopted by silence procedure: adoption {adoption_id}")
            for job_id in export_sweep.apply().get():
                self.stdout.write(f"export job handed over again: {job_id}")
            for job_id in import_sweep.apply().get():
                self.stdout.write(f"import job handed over again: {job_id}")
            if not every:
                return
            time.sleep(every)
