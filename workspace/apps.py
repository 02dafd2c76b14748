from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The browser pages people work in (see the README's Architecture)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
