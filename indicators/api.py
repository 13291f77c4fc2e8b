"""The indicators API: the scorecard's indicators, and each one's values (GET history, POST adds one).

The same errors (400 with every problem by field, 401, 403, 404, 409 with the newer value)
and the same If-Match rule as /api/v1/actions/<id>/updates/, through the same helpers.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts import access
from api.views import PortalViewMixin, conflict_response, created_response, history_etag, read_posted
from core import clock
from core.quarters import Quarter
from indicators import selectors, services
from indicators import serializers as s
from indicators.models import Indicator, IndicatorValue
from themes import selectors as strategies
from themes.models import PartnerAuthority


class CanRecordValue(BasePermission):
    """Reading an indicator's values is for every role; adding one follows accounts.access."""

    message = "Only the indicator's owner or an administrator can record its values."

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return access.can_view_indicators(request.user, obj)
        return access.can_record_indicator_value(request.user, obj)


def _version_etag(indicator: Indicator) -> str:
    """The indicator's version is the newest value recorded for it."""
    return history_etag(selectors.newest_value(indicator))


@extend_schema_view(
    list=extend_schema(
        description="The active strategy's indicators with their scorecard figure at the end of a quarter "
        "(`year` and `quarter`, default the reporting quarter), for the whole service or a `partner` "
        "(short name), filtered by `theme` (number) and `rag`.",
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("quarter", int),
            OpenApiParameter("partner", str),
            OpenApiParameter("theme", int),
            OpenApiParameter("rag", str),
        ],
    ),
)
class IndicatorViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.IndicatorSerializer
    queryset = Indicator.objects.select_related("theme", "owner").order_by("theme__number", "code", "pk")

    def list(self, request, *args, **kwargs):
        strategy = strategies.active_strategy()
        if strategy is None:
            return Response({"count": 0, "next": None, "previous": None, "quarter": None, "results": []})
        query = request.query_params
        errors = {}
        quarter = clock.reporting_quarter()
        try:
            if "year" in query or "quarter" in query:
                quarter = Quarter(
                    int(query.get("year", quarter.year)), int(query.get("quarter", quarter.number))
                )
        except ValueError:
            errors["quarter"] = ["Send year (such as 2022) and quarter (1 to 4)."]
        partner = theme = None
        if query.get("partner"):
            partner = PartnerAuthority.objects.filter(short_name__iexact=query["partner"]).first()
            if partner is None:
                errors["partner"] = [f"There is no partner called {query['partner']!r}."]
        if query.get("theme"):
            theme = (
                strategy.themes.filter(number=query["theme"]).first() if query["theme"].isdigit() else None
            )
            if theme is None:
                errors["theme"] = ["Send a theme number of the active strategy."]
        if errors:
            raise ValidationError(errors)
        card = selectors.scorecard(
            strategy=strategy, quarter=quarter, partner=partner, theme=theme, rag=query.get("rag") or None
        )
        page = self.paginate_queryset(card.rows)
        results = [
            {**s.IndicatorSerializer(row.indicator).data, "figure": s.FigureSerializer(s.figure_of(row)).data}
            for row in page
        ]
        response = self.get_paginated_response(results)
        response.data["quarter"] = quarter.label
        return response


@extend_schema_view(
    get=extend_schema(
        summary="An indicator's values",
        description="Newest first, every value recorded (a correction is a later value for the same period). "
        "The ETag header is the indicator's version: send it back as If-Match (or `based_on`).",
        responses={200: s.ValueSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Record a value",
        description="Only the indicator's owner or an administrator. The period must be started, in the "
        "strategy's years and not in a locked quarter; commentary is required when the value is red. A newer "
        "value than the one you saw gets 409 with it in the body. A 400 lists every problem at once.",
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
        request=s.ValueCreateSerializer,
        responses={
            201: s.ValueSerializer,
            409: OpenApiResponse(s.ValueConflictSerializer, description="A newer value exists."),
        },
    ),
)
class IndicatorValuesView(PortalViewMixin, generics.GenericAPIView, mixins.ListModelMixin):
    permission_classes = [*PortalViewMixin.permission_classes, CanRecordValue]
    serializer_class = s.ValueSerializer

    def get_indicator(self) -> Indicator:
        indicator = get_object_or_404(Indicator.objects.select_related("strategy"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, indicator)
        return indicator

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IndicatorValue.objects.none()
        return (
            IndicatorValue.objects.filter(indicator_id=self.kwargs["pk"])
            .select_related("indicator", "partner", "author")
            .order_by("-id")
        )

    def get(self, request, pk):
        indicator = self.get_indicator()
        response = self.list(request)
        response["ETag"] = _version_etag(indicator)
        return response

    def post(self, request, pk):
        indicator = self.get_indicator()
        form = s.ValueCreateSerializer(data=request.data, context={"indicator": indicator})
        data, seen, errors = read_posted(request, form)
        draft = services.ValueDraft.from_values(data)
        if errors:
            raise ValidationError(
                services.value_errors(indicator=indicator, draft=draft, format_errors=errors)
            )
        try:
            value = services.value_create(
                indicator=indicator, author=request.user, draft=draft, seen_value_id=seen
            )
        except services.ValueConflict as conflict:
            return conflict_response(conflict, noun="value", serializer=s.ValueSerializer)
        return created_response(s.ValueSerializer(value).data, etag=_version_etag(indicator))
