"""The request form: which quarter, and whether to send it. reporting.services decides."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from core import clock
from core.quarters import Quarter
from reporting import selectors


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
    send = forms.BooleanField(
        label="Send it to the board's distribution list as soon as it is built",
        required=False,
        help_text="Leave this unticked to check the report first; you can send it from its page. "
        "Sending locks the quarter: no more updates can be added for it.",
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
            Field.checkbox("send", small=True),
            Button("submit", "Request the report"),
        )

    @property
    def chosen_quarter(self) -> Quarter:
        return Quarter.from_code(self.cleaned_data["quarter"])
