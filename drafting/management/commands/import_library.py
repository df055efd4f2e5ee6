"""``manage.py import_library <file>``

Import the Technical Secretariat's 2017 compilation of agreed RCM statements
(seed ``004``) into the library of agreed language, and print what was read:
statements per theme and per category, and how many distinct wordings (groups
of near-duplicates) they make. Idempotent: run it again and nothing doubles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from drafting.errors import DomainError
from drafting.services.library import library_import_seed004

MAX_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = "Import the 2017 compilation of agreed RCM statements (seed 004) into the library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // 1024 // 1024} MB; not the compilation.")
        try:
            report = library_import_seed004(text=path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{report.created} statements added, {report.existing} already in the library.")
        for theme, count in sorted(report.by_theme.items()):
            self.stdout.write(f"  {theme}: {count}")
        for category, count in sorted(report.by_category.items()):
            self.stdout.write(f"  {category}: {count}")
        self.stdout.write(f"{report.groups} distinct wordings (near-duplicates grouped).")
