from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import home_summary


@login_required
def home(request):
    """The landing page: the last run's figures and the top of the user's ranked list.
    Anonymous visitors get the sign-in page: nothing of the book is public."""
    return render(request, "home.html", home_summary(user=request.user))
