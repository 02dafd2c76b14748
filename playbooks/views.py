from __future__ import annotations

from django.shortcuts import render

from .selectors import home_summary


def home(request):
    """The landing page: the last run's figures and the top of the user's ranked list."""
    return render(request, "home.html", home_summary(user=request.user))
