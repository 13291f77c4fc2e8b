"""The risks API: the register (GET /risks/, the page's filters), one risk, and its reviews
(GET the history; POST adds one, with the same errors and version rule as updates)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import access
from api import serializers as s
from api.views import PortalViewMixin, conflict_response, created_response, history_etag, read_posted
from risks import selectors, services
from risks.forms import RegisterFilterForm
from risks.models import Risk, RiskReview
from risks.serializers import ReviewCreateSerializer, ReviewSerializer, RiskSerializer
from themes.selectors import active_strategy


def _version_etag(risk: Risk) -> str:
    """The risk's version is the newest review entered on it."""
    return history_etag(services.newest_review(risk))


@extend_schema_view(
    get=extend_schema(
        summary="The risk register",
        description="The active strategy's risks as at the end of `quarter` (a code such as 20223; "
        "default now), with the register page's filters: `theme` (number), `owner` (user id), `band` "
        "(high, medium, low), `outside_appetite=yes`, `moved` (moved, up, down, unchanged, new), "
        "`likelihood` and `impact` (a heat map cell). Each risk's `current` is its latest counted review.",
        responses={200: RiskSerializer(many=True)},
    )
)
class RiskListView(PortalViewMixin, generics.GenericAPIView):
    serializer_class = RiskSerializer
    queryset = Risk.objects.none()  # the register is built by risks.selectors; this is for the schema
    pagination_class = None

    def get(self, request):
        strategy = active_strategy()
        if strategy is None:
            return Response({"count": 0, "quarter": None, "results": []})
        form = RegisterFilterForm(request.query_params, strategy=strategy)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        register = selectors.register(strategy, quarter=form.as_at, filters=form.filters())
        return Response(
            {
                "count": len(register.rows),
                "quarter": register.quarter.label,
                "results": [RiskSerializer(row).data for row in register.rows],
            }
        )


class RiskDetailView(PortalViewMixin, generics.GenericAPIView):
    serializer_class = RiskSerializer
    queryset = Risk.objects.none()

    @extend_schema(summary="One risk, as it stands now", responses={200: RiskSerializer})
    def get(self, request, pk):
        risk = get_object_or_404(selectors.risk_queryset(), pk=pk)
        response = Response(RiskSerializer(selectors.risk_row(risk)).data)
        response["ETag"] = _version_etag(risk)
        return response


@extend_schema_view(
    get=extend_schema(
        summary="A risk's review history",
        description="Newest first. The ETag header is the risk's version: send it back as If-Match "
        "(or `based_on`) when adding a review.",
        responses={200: ReviewSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Add a quarterly review",
        description="Only the risk's owner or an administrator. State the review you last saw with "
        "If-Match or `based_on`; a newer one gets 409 with that review in the body. The quarter must have "
        "started and not be locked. Commentary is required when the score rises against the last review "
        "or is above the risk's appetite. A 400 lists every problem at once, by field.",
        parameters=[
            OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you saw."
            )
        ],
        request=ReviewCreateSerializer,
        responses={
            201: ReviewSerializer,
            409: OpenApiResponse(s.ConflictSerializer, description="A newer review exists."),
        },
    ),
)
class RiskReviewsView(PortalViewMixin, generics.ListAPIView):
    serializer_class = ReviewSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskReview.objects.none()
        return (
            RiskReview.objects.filter(risk_id=self.kwargs["pk"])
            .select_related("author", "sign_off")
            .order_by("-id")
        )

    def get(self, request, pk):
        risk = get_object_or_404(Risk, pk=pk)
        response = self.list(request)
        response["ETag"] = _version_etag(risk)
        return response

    def post(self, request, pk):
        risk = get_object_or_404(Risk.objects.select_related("strategy"), pk=pk)
        if not access.can_review_risk(request.user, risk):
            raise PermissionDenied("Only the risk's owner or an administrator can review it.")
        data, seen, errors = read_posted(request, ReviewCreateSerializer(data=request.data))
        draft = services.ReviewDraft.from_values(
            {**data, "quarter": data.get("quarter") or services.review_window(risk).default}
        )
        if errors:
            raise ValidationError(services.review_errors(risk=risk, draft=draft, format_errors=errors))
        try:
            review = services.review_create(risk=risk, author=request.user, draft=draft, seen_review_id=seen)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.ReviewConflict as conflict:
            return conflict_response(conflict, noun="review", serializer=ReviewSerializer)
        return created_response(ReviewSerializer(review).data, etag=_version_etag(risk))
