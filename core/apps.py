from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Infrastructure that knows no app; an app only for its one model (idempotency keys)
    and its one task (their purge)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
