from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "drafting"
    verbose_name = "Drafting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The Django-free modules' refusals are translated when read (drafting/errors.py).
        from django.utils.translation import gettext

        from drafting import errors

        errors.set_translator(gettext)
