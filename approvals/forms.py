"""The queue's form to return an update or a risk review with a reason."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from actionplan.models import SignOff


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning it?",
        help_text="Its author gets this by e-mail and on My actions, so say what to put right.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Say why you are returning it, so its author can put it right",
            "max_length": "Keep the reason to 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, noun: str = "update", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["maxlength"] = SignOff._meta.get_field("reason").max_length
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("reason"), Button("submit", f"Return the {noun}"))
