"""What the indicators API shows and accepts. Reads only: every write goes through indicators.services."""

from django.db.models import Q
from rest_framework import serializers

from api.serializers import PersonSerializer, UpdateCreateSerializer
from indicators import services
from indicators.models import Indicator, IndicatorValue
from themes.models import PartnerAuthority


class ValueSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(
        help_text='As the form writes it: "2022-11", "2022/23 Q3" or "2022/23".'
    )
    period_label = serializers.SerializerMethodField()
    partner = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True, allow_null=True, help_text="Empty for the whole service."
    )
    author = PersonSerializer(read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "period",
            "period_label",
            "period_end",
            "partner",
            "actual",
            "numerator",
            "denominator",
            "commentary",
            "author",
            "created_at",
        ]

    def get_period(self, value) -> str:
        return value.period.code

    def get_period_label(self, value) -> str:
        return value.period.label


class FigureSerializer(serializers.Serializer):
    """An indicator on the scorecard at the quarter asked for."""

    period = serializers.CharField(
        allow_null=True, help_text="The period the figure is for (end-of-quarter rule)."
    )
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    rag = serializers.CharField(help_text='"red", "amber", "green", "no_rag" (no target) or "not_reported".')
    vs_previous = serializers.CharField(
        help_text='"improving", "no_change", "worsening", "up", "down" or "not_compared".'
    )
    vs_year_earlier = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(read_only=True)
    theme_number = serializers.IntegerField(source="theme.number", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "strategy",
            "theme",
            "theme_number",
            "code",
            "name",
            "definition",
            "unit",
            "polarity",
            "frequency",
            "roll_up",
            "data_source",
            "baseline",
            "owner",
            "is_activity",
            "per_partner",
        ]


def figure_of(row) -> dict:
    return {
        "period": row.reading.period.label if row.reading else None,
        "actual": row.reading.actual if row.reading else None,
        "target": row.target.target if row.target else None,
        "rag": row.rag,
        "vs_previous": row.vs_previous.key,
        "vs_year_earlier": row.vs_year_earlier.key,
    }


class ValueCreateSerializer(serializers.Serializer):
    """A new value: its fields' formats. The rules (open periods, commentary on red...) are the service's."""

    period = serializers.CharField(
        max_length=30,
        required=False,
        help_text='"2022-11" (monthly), "2022/23 Q3" (quarterly) or "2022/23" (annual).',
    )
    partner = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="A per-partner indicator's council (short name).",
    )
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    numerator = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    denominator = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    commentary = serializers.CharField(
        required=False, allow_blank=True, max_length=services.COMMENTARY_LIMIT, help_text="Required when red."
    )
    based_on = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of the newest value you saw (the ETag of the values list); null when there "
        "was none. The If-Match header does the same.",
    )

    def validate_period(self, value):
        from indicators.periods import Period

        try:
            return Period.parse(value, self.context["indicator"].frequency)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_partner(self, value):
        if not value:
            return None
        partner = PartnerAuthority.objects.filter(Q(short_name__iexact=value) | Q(name__iexact=value)).first()
        if partner is None:
            raise serializers.ValidationError(f"There is no partner called {value!r}.")
        return partner

    # The updates API's: the fields valid on their own after is_valid() failed, so the
    # service's rules are checked for them too and every problem comes back at once.
    valid_parts = UpdateCreateSerializer.valid_parts


class ValueConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    newer_value = ValueSerializer()
