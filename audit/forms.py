from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Fixed, Layout
from django import forms

from accounts.models import User
from audit import selectors


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of record", required=False)
    record = forms.IntegerField(
        label="Record number",
        required=False,
        min_value=1,
        help_text="The number in the record's address in the admin, for example 12 in /admin/.../12/change/.",
        error_messages={"invalid": "Enter the record number as digits, like 12"},
    )
    person = forms.ModelChoiceField(
        label="Changed by", queryset=User.objects.order_by("username"), required=False, empty_label="Anyone"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind"), *selectors.record_kinds()]
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(Field.select("kind"), Field.text("record", field_width=Fixed.FIVE), Field.select("person")),
        )

    def clean(self):
        data = super().clean()
        if data.get("record") and not data.get("kind"):
            self.add_error("kind", "Choose the kind of record the number belongs to")
        return data
