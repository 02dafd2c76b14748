"""The project's URLs plus one page showing every component partial, for the browser test of
the design system (tests/browser/test_components.py)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from expansion.urls import urlpatterns as project_urls

PAGE = engines["django"].from_string((Path(__file__).parent / "components_demo.html").read_text())


class DemoForm(forms.Form):
    amount = forms.DecimalField(label="Amount (ARR)", min_value=0, help_text="Annual ARR.")
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))


def components(request):
    chart = {
        "labels": [f"Jun {d}" for d in range(1, 31)],
        "datasets": [
            {"label": "api_calls", "data": [30 + d * 2 for d in range(30)]},
            {"label": "limit", "data": [100] * 30, "borderDash": [4, 4]},
        ],
        "options": {"y_min": 0},
    }
    form = DemoForm({"amount": "-1", "note": ""})
    form.is_valid()
    context = {
        "chart_id": "usage-chart",
        "kind": "line",
        "chart": chart,
        "title": "Daily API calls against the limit",
        "x_label": "Day",
        "columns": [
            {"label": "Product"},
            {"label": "Renews", "sort": "renews"},
            {"label": "ARR", "num": True},
        ],
        "rows": [["Automation Platform Pro", "30 Sep 2026", "$60,000"]] * 3,
        "form": form,
    }
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [path("__components__/", components), *project_urls]
