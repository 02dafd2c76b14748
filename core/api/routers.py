"""One router class for every app's ``api/urls.py``."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter


class AppRouter(DefaultRouter):
    """One app's routes under /api/v1/: DefaultRouter's format suffixes, but no root view (the
    project's one root, in ``expansion/urls.py``, lists every app's routes)."""

    include_root_view = False
