"""Test settings: fast hashing, in-memory mail. DATABASE_URL / CELERY_BROKER_URL still apply,
so the same suite runs on SQLite and on PostgreSQL + Redis."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests call tasks in-process; the Celery integration test starts a real worker and turns
# eager mode off for itself.
CELERY_TASK_ALWAYS_EAGER = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405 - whitenoise warns about a missing root
