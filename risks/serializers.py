"""What the risks API shows and accepts. Reads only: the one write is risks.services'."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import PersonSerializer, ValidPartsMixin
from core.quarters import Quarter
from risks.models import REVIEW_TEXT_LIMITS, Risk, RiskReview


class ScoreSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()


class ReviewSerializer(serializers.ModelSerializer):
    quarter = serializers.SerializerMethodField()
    score = serializers.IntegerField(read_only=True)
    author = PersonSerializer(read_only=True)
    sign_off = serializers.SerializerMethodField(
        help_text='"counted" (needs no sign-off, or approved), "pending" (awaiting sign-off: counts '
        'nowhere yet) or "returned" (to its author, with a reason: never counts).'
    )

    class Meta:
        model = RiskReview
        fields = [
            "id", "risk", "period", "quarter", "likelihood", "impact", "score", "control_effectiveness",
            "controls", "commentary", "author", "created_at", "sign_off",
        ]  # fmt: skip

    def get_quarter(self, review) -> str:
        return review.quarter.label

    def get_sign_off(self, review) -> str:
        return review.sign_off_state


class CurrentSerializer(serializers.Serializer):
    """The risk as at the register's quarter: its latest counted review (null: not yet reviewed)."""

    review_id = serializers.IntegerField(source="review.pk", allow_null=True)
    quarter = serializers.CharField(source="review.quarter.label", allow_null=True)
    likelihood = serializers.IntegerField(source="review.likelihood", allow_null=True)
    impact = serializers.IntegerField(source="review.impact", allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    band = serializers.CharField(
        source="band.level", help_text='"high", "medium", "low", or "" when not reviewed.'
    )
    outside_appetite = serializers.BooleanField()
    movement = serializers.SerializerMethodField(
        help_text='Since the quarter before: "up", "down", "unchanged", "new" (first review) or null.'
    )
    pending = serializers.BooleanField(help_text="A review awaits sign-off and does not count yet.")

    def get_movement(self, row) -> str | None:
        return row.movement.key if row.movement else None

    def to_representation(self, row):
        if row.review is None:
            return {
                "review_id": None, "quarter": None, "likelihood": None, "impact": None, "score": None,
                "band": "", "outside_appetite": False, "movement": None, "pending": row.pending,
            }  # fmt: skip
        return super().to_representation(row)


class RiskSerializer(serializers.Serializer):
    """One risk in the register, as at the quarter asked for."""

    def to_representation(self, row):
        risk: Risk = row.risk
        return {
            "id": risk.pk,
            "reference": risk.reference,
            "title": risk.title,
            "theme": risk.theme.number,
            "owner": PersonSerializer(risk.owner).data,
            "cause": risk.cause,
            "event": risk.event,
            "consequence": risk.consequence,
            "existing_controls": risk.existing_controls,
            "appetite": risk.appetite,
            "review_frequency": risk.review_frequency,
            "inherent": {"likelihood": risk.inherent_likelihood, "impact": risk.inherent_impact,
                         "score": risk.inherent_score},
            "target": {"likelihood": risk.target_likelihood, "impact": risk.target_impact,
                       "score": risk.target_score},
            "current": CurrentSerializer(row).data,
        }  # fmt: skip


class ReviewCreateSerializer(ValidPartsMixin, serializers.Serializer):
    """A new review: its fields' formats. The rules (which quarters are open, commentary when
    the score rises or is above appetite) are risks.services'."""

    quarter = serializers.CharField(
        required=False,
        max_length=20,
        help_text='The quarter reviewed, "2022/23 Q3" or 20223: started and not locked. Defaults to the '
        "reporting quarter if it is open, else the latest open quarter.",
    )
    likelihood = serializers.IntegerField(min_value=1, max_value=5, help_text="1 Rare to 5 Almost certain.")
    impact = serializers.IntegerField(min_value=1, max_value=5, help_text="1 Minimal to 5 Catastrophic.")
    control_effectiveness = serializers.ChoiceField(choices=RiskReview.Effectiveness.choices)
    controls = serializers.CharField(max_length=REVIEW_TEXT_LIMITS["controls"])
    commentary = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REVIEW_TEXT_LIMITS["commentary"],
        help_text="Required when the score rises against the last review or is above the risk's appetite.",
    )
    based_on = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of the newest review you saw (the ETag of the reviews list); null when there "
        "was none. The If-Match header does the same.",
    )

    def validate_quarter(self, value):
        try:
            return Quarter.parse(value)
        except ValueError:
            raise serializers.ValidationError('Enter a quarter such as "2022/23 Q3".') from None
