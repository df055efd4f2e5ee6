import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from drafting import services


class Command(BaseCommand):
    help = (
        "Adopt silence procedures whose deadline has passed unbroken. With Redis, "
        "Celery beat does this; on the embedded default, run this (dev.py serve runs it with --every)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds (0: once).")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            for adoption_id in services.silence_due():
                if services.silence_conclude(adoption_id=adoption_id):
                    self.stdout.write(f"adopted by silence procedure: adoption {adoption_id}")
            if not every:
                return
            time.sleep(every)
