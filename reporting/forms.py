"""The report forms: request a quarter, confirm a send, reopen a quarter. reporting.services decides."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from core import clock
from core.quarters import Quarter
from reporting import selectors, services


class ReportRequestForm(forms.Form):
    quarter = forms.TypedChoiceField(
        label="Which quarter should the report cover?",
        coerce=int,
        help_text="The report shows every action of that quarter's financial year "
        "as it stood at the quarter's end.",
        error_messages={
            "required": "Choose the quarter to report on",
            "invalid_choice": "Choose a quarter from the list",
        },
    )

    def __init__(self, *args, strategy=None, **kwargs):
        super().__init__(*args, **kwargs)
        quarters = selectors.reportable_quarters(strategy, up_to=clock.current_quarter()) if strategy else []
        self.fields["quarter"].choices = [(q.code, q.label) for q in quarters]
        if quarters and not self.is_bound:
            self.initial.setdefault("quarter", clock.reporting_quarter().code)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("quarter"),
            Button("submit", "Request the report"),
        )

    @property
    def chosen_quarter(self) -> Quarter:
        return Quarter.from_code(self.cleaned_data["quarter"])


class ReportSendForm(forms.Form):
    """The send page's one question: has the administrator checked what will be sent?"""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": services.SEND_NOT_CONFIRMED},
    )

    def __init__(self, *args, quarter: Quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "confirm"
        ].label = f"I have checked the report and want to send it and lock {quarter.label}"
        fields = [Field.checkbox("confirm", small=True)]
        if services.is_unfinished(quarter):
            # Sending a quarter that has not ended locks it early: a second, explicit box.
            self.fields["report_early"] = forms.BooleanField(
                required=False,
                label=services.REPORT_EARLY_LABEL,
                help_text=f"{quarter.label} ends on {quarter.last_day:%-d %B %Y}. Updates for it "
                "cannot be added once it is locked.",
            )
            fields.append(Field.checkbox("report_early", small=True))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*fields, Button("submit", "Send to the board"))


class QuarterReopenForm(forms.Form):
    """Why a locked quarter is being reopened: required, recorded and shown on the old report."""

    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea,
        help_text="For example, an update was entered against the wrong action. The reason is shown on "
        "the superseded report and kept in the audit history.",
    )

    def __init__(self, *args, quarter: Quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter = quarter
        self.fields["reason"].label = f"Why is {quarter.label} being reopened?"
        self.fields["reason"].error_messages = {
            "required": f"Enter why {quarter.label} is being reopened",
            "max_length": "The reason must be 1,000 characters or fewer",
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.textarea("reason", label_size=Size.MEDIUM, rows=4, max_characters=1000),
            Button("submit", f"Reopen {quarter.label}", css_class="govuk-button--warning"),
        )
