"""``manage.py import_draft <file> --meeting <id> [--declaration <id>] [--confirm]``

The same import job as ``POST /api/imports/``, run here in the foreground
(no worker needed): upload, read, show the preview, and with ``--confirm``
create the zero draft (or the next revision of ``--declaration``). Without
``--confirm`` the job stays ready, to be confirmed later through the API.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from drafting import services
from drafting.errors import DomainError
from drafting.models import Declaration, ImportJob, Meeting


class Command(BaseCommand):
    help = "Import a Word (.docx) or plain-text (.txt) draft into a meeting, showing each step."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--meeting", type=int, required=True)
        parser.add_argument("--declaration", type=int, help="Import as the next revision of this declaration.")
        parser.add_argument("--confirm", action="store_true", help="Create the text once read.")
        parser.add_argument("--user", help="Secretariat user acting (default: the meeting's first).")
        parser.add_argument("--title", default="")
        parser.add_argument("--kind", default="", choices=["", *Declaration.Kind.values])
        parser.add_argument("--language", default="", choices=["", "es", "en"])

    def _step(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.2f} s] {message}")

    def handle(self, *args: Any, **options: Any) -> None:
        self.started = time.monotonic()
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        meeting = Meeting.objects.filter(pk=options["meeting"]).first()
        if meeting is None:
            raise CommandError(f"Meeting {options['meeting']} does not exist.")
        user = self._user(meeting, options["user"])
        declaration = None
        if options["declaration"] is not None:
            declaration = Declaration.objects.filter(pk=options["declaration"]).first()
            if declaration is None:
                raise CommandError(f"Declaration {options['declaration']} does not exist.")
        try:
            content = path.read_bytes()
            self._step(f"Uploading {path.name} ({len(content):,} bytes) as {user.username}")
            job = services.import_job_create(
                actor=user,
                meeting=meeting,
                declaration=declaration,
                content=content,
                filename=path.name,
                title=options["title"],
                kind=options["kind"],
                original_language=options["language"],
                dispatch=lambda job_id: None,  # read below, in this process
            )
            self._step(f"Import job {job.pk} queued; reading")
            services.import_job_run(job_id=job.pk)
            job = ImportJob.objects.get(pk=job.pk)
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(f"Import job {job.pk} failed: {job.error}")
            self._preview(job)
            if not options["confirm"]:
                self._step(
                    f"Preview ready. Confirm with POST /api/imports/{job.pk}/confirm/ (or rerun with --confirm)."
                )
                return
            self._step("Confirming")
            job = services.import_job_confirm(actor=user, job_id=job.pk)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        assert job.revision is not None
        revision = job.revision
        self._step(
            f"Done: declaration {revision.declaration_id} “{revision.declaration.title}”, "
            f"{revision.label} (revision {revision.pk})."
        )

    def _user(self, meeting: Meeting, username: str | None) -> User:
        staff = meeting.secretariat_staff.order_by("id")
        user = staff.filter(username=username).first() if username else staff.first()
        if user is None:
            who = f"{username!r} is not" if username else "nobody is"
            raise CommandError(f"{who} Technical Secretariat staff of meeting {meeting.pk}.")
        return user

    def _preview(self, job: ImportJob) -> None:
        preview = job.preview or {}
        counts = preview.get("counts", {})
        self._step(f"Read: {counts.get('paragraphs', 0)} paragraphs in {counts.get('sections', 0)} sections")
        self.stdout.write(f"  title: {preview.get('title') or '(none found)'}")
        if preview.get("place_date"):
            self.stdout.write(f"  place and date: {preview['place_date']}")
        if preview.get("members_present"):
            self.stdout.write(f"  members present: {', '.join(preview['members_present'])}")
        for section in preview.get("sections", []):
            kinds: dict[str, int] = {}
            for p in section["paragraphs"]:
                kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
            listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
            self.stdout.write(
                f"  {section['kind']}{' “' + section['heading'] + '”' if section['heading'] else ''}: {listed}"
            )
        if "identities" in preview:
            ids = preview["identities"]
            self.stdout.write(
                f"  identities: {ids['exact']} same text, {ids['similar']} reworded, {ids['new']} new, "
                f"{ids['dropped']} existing paragraphs not in the file (deleted)"
            )
        for note in preview.get("notes", []):
            where = note.get("where") or "whole file"
            self.stdout.write(f"  beside the text ({note['kind']}, {where}): {note['text']}")
        for warning in job.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning['message']}"))
