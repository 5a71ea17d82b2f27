from datetime import date

from django import forms

from . import stats

PERIOD_CHOICES = [*((key, label) for key, (label, _) in stats.PRESETS.items()),
                  ("all", "All time"), ("custom", "Custom range")]  # fmt: skip


class PeriodForm(forms.Form):
    """The dashboard's period: a preset, or a custom range of whole UTC days."""

    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, data, *, today: date):
        data = data.copy()
        if not data.get("period"):
            data["period"] = "custom" if data.get("start") or data.get("end") else ""
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom" or self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        if not start or not end:
            raise forms.ValidationError("Choose both a start and an end date.")
        if start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if start < stats.EARLIEST:
            raise forms.ValidationError(f"Choose a start date from {stats.EARLIEST:%Y} on.")
        if end > self.today:
            raise forms.ValidationError("The end date is in the future: choose today or earlier.")
        if (end - start).days + 1 > stats.MAX_DAYS:
            raise forms.ValidationError(
                f"Choose a range of at most {stats.MAX_DAYS} days (about three years)."
            )
        return data

    def chosen(self, *, subject: stats.Subject) -> stats.Period:
        """The chosen period; the default (28 days) while the form has errors."""
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("period") or stats.DEFAULT_PERIOD
        if key == "custom":
            return stats.custom_period(start=data["start"], end=data["end"])
        return stats.preset_period(key=key, subject=subject, on=self.today)
