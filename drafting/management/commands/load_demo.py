from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from drafting.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo RCM workshop (idempotent) and print the demo users' API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load it even with CONSENSO_ENV=production (a training server): its users share a published password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo users' password is printed in the README: on a production
        # server they would be eleven open doors, so it takes an explicit flag.
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Refusing to load the demo with CONSENSO_ENV=production: its users' password "
                f"('{DEMO_PASSWORD}') is public. Pass --allow-production for a training server."
            )
        declaration, users = demo_load()
        revision = declaration.revisions.order_by("-number").first()
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {declaration.title}"))
        self.stdout.write(
            f"  declaration id {declaration.pk}; current text {revision.label if revision else '-'} "
            f"(GET /api/declarations/{declaration.pk}/text/)"
        )
        self.stdout.write(f"  users (password '{DEMO_PASSWORD}'), with API tokens:")
        for user in users:
            self.stdout.write(f"    {user.username:<8} {user.delegation:<6} {user.role:<34} Token {user.token}")
