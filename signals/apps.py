from django.apps import AppConfig


class SignalsConfig(AppConfig):
    # Named "signals" for the business meaning (what happens at a customer); Django signal
    # receivers, if any, live in receivers.py.
    default_auto_field = "django.db.models.BigAutoField"
    name = "signals"
