from typing import Any

from django.core.management.base import BaseCommand

from drafting.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo RCM workshop (idempotent) and print the demo users' API tokens."

    def handle(self, *args: Any, **options: Any) -> None:
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
