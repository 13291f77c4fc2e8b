"""What the API shows and accepts. Reads only: every write goes through a service."""

from collections.abc import Mapping

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from accounts import access
from accounts.models import User
from actionplan.models import UPDATE_TEXT_LIMITS, Action, ActionPlan, ProgressUpdate
from core import clock
from core.quarters import Quarter
from reporting.models import BoardReport
from themes.models import PartnerAuthority, Strategy, Theme


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerAuthority
        fields = ["id", "name", "short_name", "slug"]


class StrategySerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period_label", read_only=True)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "title",
            "first_year",
            "last_year",
            "period",
            "status",
            "approved_on",
            "approved_by",
            "summary",
        ]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "strategy", "number", "title", "summary"]


class PlanSerializer(serializers.ModelSerializer):
    year_label = serializers.CharField(read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["id", "strategy", "year", "year_label", "status", "approved_on", "notes"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class UpdateSerializer(serializers.ModelSerializer):
    quarter = serializers.SerializerMethodField()
    partner = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True, allow_null=True, help_text="Empty for the whole action."
    )
    author = PersonSerializer(read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "action",
            "period",
            "quarter",
            "partner",
            "status",
            "rag",
            "percent_complete",
            "commentary",
            "next_steps",
            "revised_due_date",
            "revision_reason",
            "no_change",
            "author",
            "created_at",
            "sign_off",
        ]

    sign_off = serializers.SerializerMethodField(
        help_text='"counted" (needs no sign-off, or approved), "pending" (awaiting sign-off: counts '
        'nowhere yet) or "returned" (to its author, with a reason: never counts).'
    )

    def get_quarter(self, update) -> str:
        return update.quarter.label

    def get_sign_off(self, update) -> str:
        return update.sign_off_state


class ApprovalSerializer(serializers.Serializer):
    """One update awaiting the caller's sign-off, with what it changes (a risk review's entry
    has `kind` "review", `review` and `risk_reference` in place of the update's)."""

    kind = serializers.CharField(read_only=True, default="update")
    # An update's entry has these; a risk review's has `review` and `risk_reference` instead.
    update = UpdateSerializer(source="update_data", required=False)
    action_reference = serializers.CharField(required=False)
    review = serializers.DictField(required=False)
    risk_reference = serializers.CharField(required=False)
    theme = serializers.IntegerField()
    own = serializers.BooleanField(help_text="The caller's own: another approver must sign it off.")
    changes = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class DecisionSerializer(serializers.Serializer):
    kind = serializers.CharField(
        required=False, max_length=20, help_text='What is decided: "update" (the default) or "review".'
    )
    decision = serializers.ChoiceField(choices=["approve", "return"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CurrentStateSerializer(serializers.Serializer):
    """The action now: its latest overall update, or "not started"."""

    status = serializers.CharField()
    rag = serializers.CharField(allow_null=True)
    percent_complete = serializers.IntegerField()
    due_date = serializers.DateField(help_text="The revised due date if there is one, else the original.")
    overdue = serializers.BooleanField()
    update_id = serializers.IntegerField(allow_null=True, help_text="The update this state comes from.")
    partners_differ = serializers.BooleanField(
        help_text="The councils' states differ: the whole action's figures are the worst of them "
        "(ask with `partner` for one council's)."
    )


class ActionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    theme_number = serializers.IntegerField(source="theme.number", read_only=True)
    lead_officer = PersonSerializer(read_only=True)
    partners = serializers.SlugRelatedField(slug_field="short_name", many=True, read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "year",
            "theme",
            "theme_number",
            "reference",
            "title",
            "description",
            "lead_officer",
            "partners",
            "start_date",
            "due_date",
            "priority",
            "carried_forward_from",
            "current",
        ]

    @extend_schema_field(CurrentStateSerializer)
    def get_current(self, action):
        from actionplan import selectors

        # The state row the filter read (the whole action's, or the `partner` asked for).
        if hasattr(action, "state"):
            as_of = self.context.get("as_of") or clock.today()
            state = selectors.state_of(action, as_of=as_of)
        else:
            state = selectors.action_state(action)
        return {
            "status": state.status,
            "rag": state.rag,
            "percent_complete": state.percent_complete,
            "due_date": state.due_date,
            "overdue": state.is_overdue,
            "update_id": state.update.pk if state.update else None,
            "partners_differ": state.partners_differ,
        }


class ValidPartsMixin:
    """For a write serializer whose rules a service checks: the valid parts of a bad body."""

    def valid_parts(self) -> dict | None:
        """After is_valid() failed: the fields that are valid on their own (None if the body
        is not an object). The service checks these too, so a client hears of every problem at once."""
        if not isinstance(self.initial_data, Mapping):
            return None
        values = {}
        for name, field in self.fields.items():
            if name in self.errors:
                continue
            try:
                value = field.run_validation(field.get_value(self.initial_data))
                check = getattr(self, f"validate_{name}", None)
                values[field.source] = check(value) if check else value
            except (serializers.ValidationError, SkipField):
                continue
        return values


class UpdateCreateSerializer(ValidPartsMixin, serializers.Serializer):
    """A new progress update: its fields' formats. The rules (RAG needed unless completed,
    commentary for amber and red, which quarters are open...) are actionplan.services'."""

    quarter = serializers.CharField(
        required=False,
        max_length=20,
        help_text='The quarter reported on, "2022/23 Q3" or 20223: one of the action\'s plan year, '
        "started and not locked. Defaults to the reporting quarter if that is open for this action, "
        "else the latest open quarter.",
    )
    partner = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Short name of the partner this update is for; leave out for the whole action.",
    )
    status = serializers.ChoiceField(
        choices=ProgressUpdate.Status.choices,
        required=False,
        help_text="Required, except with `no_change` (copied from the last update).",
    )
    rag = serializers.ChoiceField(
        choices=ProgressUpdate.Rag.choices,
        required=False,
        help_text="Not needed when completed, or with `no_change`.",
    )
    percent_complete = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Not needed when completed, or with `no_change`.",
    )
    commentary = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=UPDATE_TEXT_LIMITS["commentary"],
        help_text="Required for amber and red; with `no_change`, the reason nothing has changed (required).",
    )
    next_steps = serializers.CharField(
        required=False, allow_blank=True, max_length=UPDATE_TEXT_LIMITS["next_steps"]
    )
    revised_due_date = serializers.DateField(required=False, allow_null=True)
    revision_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=UPDATE_TEXT_LIMITS["revision_reason"]
    )
    no_change = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Nothing has changed since the last update (for `partner`, that partner's state, or the "
        "whole action's when it has none of its own): its status, RAG, % complete, next steps and revised "
        "due date with its reason are copied, and `commentary` says why. Leave those fields out; a value "
        "that differs from the copy is refused.",
    )
    based_on = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of the newest update you saw (the ETag of the updates list); "
        "null when there was none. The If-Match header does the same.",
    )

    def validate_quarter(self, value):
        try:
            return Quarter.parse(value)
        except ValueError:
            raise serializers.ValidationError('Enter a quarter such as "2022/23 Q3".') from None

    def validate_partner(self, value):
        if not value:
            return None
        partner = PartnerAuthority.objects.filter(Q(short_name__iexact=value) | Q(name__iexact=value)).first()
        if partner is None:
            raise serializers.ValidationError(f"There is no partner called {value!r}.")
        return partner


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    newer_update = UpdateSerializer()


class ReportSerializer(serializers.ModelSerializer):
    quarter = serializers.SerializerMethodField()
    requested_by = PersonSerializer(read_only=True)

    class Meta:
        model = BoardReport
        fields = [
            "id",
            "strategy",
            "period",
            "quarter",
            "state",
            "error",
            "send_when_built",
            "requested_by",
            "requested_at",
            "sha256",
            "page_count",
            "built_at",
            "sent_at",
        ]

    def get_quarter(self, report) -> str:
        return report.quarter.label

    def to_representation(self, report):
        data = super().to_representation(report)
        request = self.context.get("request")
        if data["error"] and not (request and access.can_request_reports(request.user)):
            # SMTP errors quote the board's addresses: those are for administrators, as on the page.
            data["error"] = "The report could not be built or sent; the administrators can see why."
        return data


class ReportRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=1900, max_value=2999, help_text="The financial year's start: 2022 is 2022/23."
    )
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    send = serializers.BooleanField(default=False, help_text="E-mail the board once built.")

    def validate(self, data):
        data["period"] = Quarter(data["year"], data["quarter"])
        return data


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages (400 only).",
    )
