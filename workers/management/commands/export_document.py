from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from drafting.errors import DomainError
from workers.exporting import KINDS, render_document


class Command(BaseCommand):
    help = "Write a Word document of a declaration: clean, compilation, tracked (changes) or record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("declaration", type=int)
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("output", type=Path, help="The .docx file to write.")
        parser.add_argument("--revision", type=int, default=None, help="Revision id (default: the current one).")
        parser.add_argument(
            "--language",
            choices=("es", "en", "both"),
            default=None,
            help="es, en, or both side by side (default: the declaration's original language).",
        )

    def handle(
        self,
        *args: Any,
        declaration: int,
        kind: str,
        output: Path,
        revision: int | None,
        language: str | None = None,
        **opts: Any,
    ) -> None:
        try:
            body = render_document(declaration_id=declaration, kind=kind, revision_id=revision, language=language)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        output.write_bytes(body)
        self.stdout.write(f"wrote {output} ({len(body):,} bytes)")
