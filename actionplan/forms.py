"""The progress update form. It collects answers; actionplan.services decides."""

from __future__ import annotations

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    Button,
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Fieldset,
    Fixed,
    Fluid,
    Hidden,
    Layout,
    Size,
)
from django import forms

from actionplan import services
from actionplan import window as windows
from actionplan.models import UPDATE_TEXT_LIMITS, Action, ProgressUpdate
from core.quarters import Quarter

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

CHANGED, NO_CHANGE = "changed", "no_change"


def _at_most(name: str) -> str:
    """The hint naming a text's limit. The service refuses longer text (update_errors), and
    says so beside the answer; no maxlength attribute, which would cut a paste off unseen."""
    return f"At most {UPDATE_TEXT_LIMITS[name]:,} characters."


WHOLE_ACTION = ""


class DueDateField(DateInputField):
    """GOV.UK's date input, with messages that name the field."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["incomplete"] = "The revised due date must include a day, month and year"
        for field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            field.error_messages["incomplete"] = f"The revised due date must include a {part}"
            field.validators[0].message = f"The revised due date's {part} must be a number"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise forms.ValidationError("The revised due date must be a real date, like 31 3 2024") from error


class QuarterField(forms.TypedChoiceField):
    """Offers the quarters open for updates, but accepts any real quarter.

    Which quarter an update may be for is the service's rule (update_validate): a
    quarter locked after the form was opened, say, is refused there with the reason.
    """

    def valid_value(self, value):
        try:
            Quarter.from_code(int(value))
        except (TypeError, ValueError):
            return False
        return True


class RevealingRadios(ConditionalRadios):
    """crispy-forms-gds's conditionally revealing radios, with a legend size like Field.radios."""

    def __init__(self, field, *choices, legend_size: str):
        super().__init__(field, *choices)
        self.legend_size = Size.for_legend(legend_size)

    def render(self, form, context, **kwargs):
        with context.push(legend_size=self.legend_size):
            return super().render(form, context, **kwargs)


class ProgressUpdateForm(forms.Form):
    seen_update_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quarter = QuarterField(
        label="Which quarter are you reporting on?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the quarter you are reporting on"},
    )
    partner = forms.ChoiceField(
        label="Is this update for the whole action or one partner?",
        required=False,
        widget=forms.RadioSelect,
        help_text="Choose one partner only where delivery differs between the councils.",
    )
    change = forms.ChoiceField(
        label="Has anything changed since the last update?",
        choices=[(CHANGED, "Yes, record the new position"), (NO_CHANGE, "No, nothing has changed")],
        required=False,
        widget=forms.RadioSelect,
    )
    no_change_reason = forms.CharField(
        label="If nothing has changed, say why",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="A sentence is enough. The last update's status, RAG, % complete, next steps and "
        "dates are kept (for one partner, that partner's last update, or the whole action's if it "
        'has none), and the answers under "The position now" are not used.',
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Status.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[(Rag.GREEN, "Green: on track"), (Rag.AMBER, "Amber: at risk"), (Rag.RED, "Red: off track")],
        required=False,
        widget=forms.RadioSelect,
        help_text="Completed actions are shown blue; you do not need to choose.",
    )
    percent_complete = forms.IntegerField(
        label="Percentage complete",
        required=False,
        min_value=0,
        max_value=100,
        # GOV.UK asks for a text input with a numeric keyboard, not type=number.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        help_text="A whole number from 0 to 100. Completed actions are 100%.",
        error_messages={
            "invalid": "Enter the percentage complete as a whole number, like 40",
            "min_value": "Percentage complete must be 0 or more",
            "max_value": "Percentage complete must be 100 or less",
        },
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea,
        help_text=f"What happened this quarter. Required for amber and red. {_at_most('commentary')}",
    )
    next_steps = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea, help_text=_at_most("next_steps")
    )
    revised_due_date = DueDateField(
        label="Revised due date",
        required=False,
        require_all_fields=False,
        help_text="Only if the due date has changed. For example, 31 3 2024.",
    )
    revision_reason = forms.CharField(
        label="Reason for the revised due date",
        required=False,
        widget=forms.Textarea,
        help_text=_at_most("revision_reason"),
    )

    def __init__(
        self,
        *args,
        action: Action,
        last_update: ProgressUpdate | None,
        window: windows.UpdateWindow | None = None,
        **kwargs,
    ):
        self.action = action
        self.last_update = last_update
        self.window = window or windows.update_window(action)
        self.quarters = list(self.window.quarters)
        kwargs.setdefault("initial", {}).update(self._initial_from(last_update, self.window.default))
        super().__init__(*args, **kwargs)
        # Oldest first, as a calendar reads (the window lists them newest first).
        self.fields["quarter"].choices = [
            (q.code, f"{q.label} ({q.months_label})") for q in sorted(self.quarters)
        ]
        partners = list(action.partners.all())
        self.fields["partner"].choices = [
            (WHOLE_ACTION, "The whole action"),
            *((p.slug, p.name) for p in partners),
        ]
        self.partners = {p.slug: p for p in partners}
        self.fields["revised_due_date"].help_text = (
            f"Only if the due date has changed. The original due date is {action.due_date:%-d %B %Y}. "
            "For example, 31 3 2024."
        )
        self.helper = self._helper(show_partner=len(partners) > 1, can_copy=last_update is not None)

    @staticmethod
    def _initial_from(last: ProgressUpdate | None, quarter: Quarter | None) -> dict:
        initial = {"quarter": quarter.code if quarter else None, "change": CHANGED, "partner": WHOLE_ACTION}
        if last is None:
            return {**initial, "status": Status.NOT_STARTED, "percent_complete": 0}
        return {
            **initial,
            "status": last.status,
            "rag": "" if last.rag == Rag.BLUE else last.rag,
            "percent_complete": last.percent_complete,
            "next_steps": last.next_steps,
            "revised_due_date": last.revised_due_date,
            "revision_reason": last.revision_reason,
        }

    def _helper(self, *, show_partner: bool, can_copy: bool) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        new_position = [
            Field.radios("status", legend_size=Size.SMALL),
            Field.radios("rag", legend_size=Size.SMALL),
            Field.text("percent_complete", field_width=Fixed.THREE),
            Field.textarea("commentary", rows=5),
            Field.textarea("next_steps", rows=3),
            Field("revised_due_date"),
            Field.textarea("revision_reason", rows=2),
        ]
        layout = [
            Hidden("seen_update_id", self["seen_update_id"].value() or ""),
            Field.radios("quarter", legend_size=Size.MEDIUM),
        ]
        if show_partner:
            layout.append(Field.radios("partner", legend_size=Size.MEDIUM))
        if can_copy:
            # GOV.UK's conditionally revealed question: the reason shows under "No" only.
            layout.append(
                RevealingRadios(
                    "change",
                    self.fields["change"].choices[0][1],
                    ConditionalQuestion(
                        self.fields["change"].choices[1][1], Field.textarea("no_change_reason", rows=2)
                    ),
                    legend_size=Size.MEDIUM,
                )
            )
        layout.append(Fieldset(*new_position, legend="The position now", legend_size=Size.MEDIUM))
        layout.append(Button("save", "Save update", data_prevent_double_click="true"))
        helper.layout = Layout(*layout)
        return helper

    def clean_partner(self):
        slug = self.cleaned_data.get("partner") or WHOLE_ACTION
        return self.partners.get(slug)

    def clean(self):
        data = super().clean()
        change = data["change"] = data.get("change") or CHANGED
        # The partner's answer decides what "no change" copies; if it is invalid, its error shows.
        if change == CHANGED or "partner" in data:
            # The service's rules now, beside the answers' own errors, so every problem
            # is listed at once (update_create checks them again when saving).
            self.add_service_errors(
                services.update_errors(action=self.action, draft=self._draft(data), format_errors=self.errors)
            )
        return data

    def draft(self) -> services.UpdateDraft:
        """What services.update_create stores (with the action, the author and seen_update_id)."""
        return self._draft(self.cleaned_data)

    def _draft(self, data: dict) -> services.UpdateDraft:
        """The answers as a draft: for "no change" only its reason (the service copies the rest
        from services.no_change_baseline, as for the API)."""
        quarter = data.get("quarter")
        common = {"quarter": Quarter.from_code(quarter) if quarter else None, "partner": data.get("partner")}
        if data.get("change") == NO_CHANGE:
            return services.UpdateDraft(
                **common, commentary=data.get("no_change_reason") or "", no_change=True
            )
        return services.UpdateDraft.from_values({**data, **common})

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put errors keyed by the draft's fields (services.update_errors, or the
        ValidationError of update_create) on the questions they are about, once each."""
        no_change = self.cleaned_data.get("change") == NO_CHANGE
        # The service names the draft's fields; "no change" answers are asked by other questions.
        renamed = {"commentary": "no_change_reason", "no_change": "change"} if no_change else {}
        for key, messages in errors.items():
            field = renamed.get(key, key)
            if field not in self.fields:
                field = None
            if field is not None and field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, each pointing at a real input."""
        links = [(self._anchor("quarter"), e) for e in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                links.append((self._anchor(name), message))
        return links

    def _anchor(self, name: str) -> str:
        field = self[name]
        widget = field.field.widget
        if isinstance(widget, forms.RadioSelect):
            return f"id_{name}_1"
        if isinstance(field.field, DateInputField):
            return f"{field.auto_id}_0"
        return field.auto_id


def freeze_choices(form: forms.Form) -> None:
    """Read each lazily queried list of choices once, not once per look at the widget."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.choices = list(field.widget.choices)


def filter_helper() -> FormHelper:
    """How the action list's filter (actionplan.filters.ActionFilter) is laid out."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(
        Field.text("q", field_width=Fluid.TWO_THIRDS),
        Div(
            Field.select("year"),
            Field.select("theme"),
            Field.select("partner"),
            Field.select("lead"),
            Field.select("status"),
            Field.select("rag"),
            Field.select("overdue"),
            Field.select("ordering"),
            css_class="app-filter__selects",
        ),
    )
    return helper
