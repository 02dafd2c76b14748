"""Forms of the opportunity page: parse input, then one service call in the view."""

from __future__ import annotations

from django import forms

from playbooks.models import OPEN_STAGES, Stage

STAGE_TARGETS = [(s, Stage(s).label) for s in (*OPEN_STAGES, Stage.WON, Stage.LOST)]


class StageAdvanceForm(forms.Form):
    stage = forms.ChoiceField(choices=STAGE_TARGETS, label="Move to")
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason",
        help_text="Needed when exit criteria are unchecked, or when the deal is lost.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DealForm(forms.Form):
    amount_arr = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="Amount (ARR)",
        widget=forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}),
    )
    notes = forms.CharField(
        required=False, max_length=10_000, label="Notes",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CriterionForm(forms.Form):
    checked = forms.BooleanField(required=False)
