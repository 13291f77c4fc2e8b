"""The API's views: thin, reading through selectors and FilterSets, writing through services."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, generics, mixins, status, viewsets
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from actionplan import selectors, services
from actionplan import window as windows
from actionplan.filters import ActionFilter
from actionplan.models import Action, ActionPlan, ProgressUpdate
from api import serializers as s
from api.exceptions import error_response
from api.pagination import PortalPagination
from api.permissions import CanRequestReports, CanUpdateAction, HasPortalRole
from api.schema import PortalAutoSchema
from reporting.models import BoardReport
from themes.models import PartnerAuthority, Strategy, Theme


class PortalViewMixin:
    permission_classes = [HasPortalRole]
    pagination_class = PortalPagination
    schema = PortalAutoSchema()


class ReadOnlyViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]


class PartnerViewSet(ReadOnlyViewSet):
    queryset = PartnerAuthority.objects.order_by("name", "pk")
    serializer_class = s.PartnerSerializer
    search_fields = ["name", "short_name"]
    ordering_fields = ["name", "short_name"]


class StrategyViewSet(ReadOnlyViewSet):
    queryset = Strategy.objects.order_by("-first_year", "pk")
    serializer_class = s.StrategySerializer
    filterset_fields = ["status"]
    search_fields = ["title", "summary"]
    ordering_fields = ["first_year", "title"]


class ThemeViewSet(ReadOnlyViewSet):
    queryset = Theme.objects.order_by("strategy", "number", "pk")
    serializer_class = s.ThemeSerializer
    filterset_fields = ["strategy", "number"]
    search_fields = ["title", "summary"]
    ordering_fields = ["number", "title"]


class PlanViewSet(ReadOnlyViewSet):
    queryset = ActionPlan.objects.order_by("strategy", "year", "pk")
    serializer_class = s.PlanSerializer
    filterset_fields = ["strategy", "year", "status"]
    ordering_fields = ["year"]


def _action_queryset():
    return Action.objects.select_related("plan", "theme", "lead_officer", "latest_update").prefetch_related(
        Prefetch("partners", queryset=PartnerAuthority.objects.order_by("short_name"))
    )


def _version_etag(action: Action) -> str:
    """The action's version is the newest update entered on it."""
    return history_etag(selectors.newest_update(action))


@extend_schema_view(
    list=extend_schema(
        description="Actions, with the same filters as the actions page. `year` defaults to the "
        "current financial year; send `year=` (empty) for every year."
    ),
)
class ActionViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ActionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActionFilter

    def get_queryset(self):
        return _action_queryset()

    def get_serializer_context(self):
        # "Overdue" is judged on the day the filter's states are read at (as_at's end, or today).
        context = super().get_serializer_context()
        action_filter = ActionFilter(self.request.query_params, queryset=Action.objects.none())
        if action_filter.is_valid():
            context["as_of"] = action_filter.as_of
        return context

    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        response = Response(self.get_serializer(action).data)
        response["ETag"] = _version_etag(action)
        return response


def parse_if_match(header: str) -> int | None:
    """The version an If-Match header names (None for "0": there was none); a 400 if it names none."""
    tag = header.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    if not tag.isdigit():
        raise ValidationError({"If-Match": ['Send the ETag you were given, such as "123".']})
    return int(tag) or None


# --- adding to an append-only history (updates, indicator values, risk reviews) ---------


def history_etag(newest) -> str:
    """A history's version: the id of its newest entry (0 when there is none)."""
    return f'"{newest.pk if newest else 0}"'


def read_posted(request, form) -> tuple[dict, int | None, dict[str, list[str]]]:
    """What a POST adding to a history sent: the fields that are valid, the version the
    client saw (If-Match, else `based_on`) and every format error, so that the service adds
    its rules' errors for what was valid and every problem comes back at once. A body that
    is not an object at all is refused there and then."""
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        data = dict(form.validated_data)
    else:
        data = form.valid_parts()
        if data is None:  # not an object at all: nothing more to check
            raise ValidationError(form.errors)
        errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    seen = data.pop("based_on", None)
    if "If-Match" in request.headers:
        try:
            seen = parse_if_match(request.headers["If-Match"])
        except ValidationError as error:
            errors.update(error.detail)
    return data, seen, errors


def conflict_response(conflict, *, noun: str, serializer) -> Response:
    """409 with the newer entry the client had not seen (`newer_<noun>`) and its version."""
    response = error_response(
        f"{conflict} Read the newer {noun}, then send yours again based on it.",
        status_code=status.HTTP_409_CONFLICT,
        code="conflict",
        current_version=conflict.newer.pk,
        **{f"newer_{noun}": serializer(conflict.newer).data},
    )
    response["ETag"] = f'"{conflict.newer.pk}"'
    return response


def created_response(data, *, etag: str) -> Response:
    response = Response(data, status=status.HTTP_201_CREATED)
    response["ETag"] = etag
    return response


@extend_schema_view(
    get=extend_schema(
        summary="An action's update history",
        description="Newest first. The ETag header is the action's version: send it back as "
        "If-Match (or `based_on`) when adding an update.",
        responses={200: s.UpdateSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Add a progress update",
        description="Only the action's lead officer or an administrator. State the update you last "
        "saw with If-Match or `based_on`; a newer one gets 409 with that update in the body. "
        "The quarter must be one of the action's own plan year, started, not locked and not ended before "
        "the action's start date, and the plan approved (not draft or closed). With `no_change` the "
        "position is copied from the last update, as the form does. A 400 lists every problem at once, "
        "by field.",
        parameters=[
            OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you saw."
            )
        ],
        request=s.UpdateCreateSerializer,
        responses={
            201: s.UpdateSerializer,
            409: OpenApiResponse(s.ConflictSerializer, description="A newer update exists."),
        },
    ),
)
class ActionUpdatesView(PortalViewMixin, generics.GenericAPIView, mixins.ListModelMixin):
    permission_classes = [HasPortalRole, CanUpdateAction]
    serializer_class = s.UpdateSerializer

    def get_action(self) -> Action:
        action = get_object_or_404(Action, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, action)
        return action

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressUpdate.objects.none()
        return (
            ProgressUpdate.objects.filter(action_id=self.kwargs["pk"])
            .select_related("partner", "author", "sign_off")
            .order_by("-id")
        )

    def get(self, request, pk):
        action = self.get_action()
        response = self.list(request)
        response["ETag"] = _version_etag(action)
        return response

    def post(self, request, pk):
        action = self.get_action()
        data, seen, errors = read_posted(request, s.UpdateCreateSerializer(data=request.data))
        # What was left out is the service's default: "no change" copies it from the last update.
        draft = services.UpdateDraft.from_values(
            {**data, "quarter": data.get("quarter") or windows.update_window(action).default}
        )
        if errors:
            # With the service's rule errors for what was valid, so every problem comes back at once.
            raise ValidationError(services.update_errors(action=action, draft=draft, format_errors=errors))
        try:
            update = services.update_create(
                action=action, author=request.user, draft=draft, seen_update_id=seen
            )
        except services.UpdateConflict as conflict:
            return conflict_response(conflict, noun="update", serializer=s.UpdateSerializer)
        return created_response(s.UpdateSerializer(update).data, etag=_version_etag(action))
        response = Response(s.UpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        response["ETag"] = _version_etag(action)
        return response


@extend_schema_view(
    create=extend_schema(
        summary="Ask for a board report to be built",
        request=s.ReportRequestSerializer,
        responses={202: s.ReportSerializer},
    ),
)
class ReportViewSet(PortalViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasPortalRole, CanRequestReports]
    serializer_class = s.ReportSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["strategy", "period", "state"]
    ordering_fields = ["period", "requested_at"]
    queryset = BoardReport.objects.select_related("requested_by").order_by("-period", "-requested_at", "-pk")

    def create(self, request, *args, **kwargs):
        form = s.ReportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        from reporting import services as reporting

        report = reporting.report_request(
            quarter=form.validated_data["period"],
            user=request.user,
            send=form.validated_data["send"],
        )
        return Response(s.ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ApprovalsView(PortalViewMixin, generics.GenericAPIView):
    """What waits for the caller's sign-off (GET), and a decision on one (POST <id>/)."""

    serializer_class = s.ApprovalSerializer
    # The queue is built by actionplan.sign_off, not a queryset; this one is for the schema.
    queryset = ProgressUpdate.objects.none()

    def _require_approver(self, request):
        from rest_framework.exceptions import PermissionDenied

        from accounts import access

        if not access.is_approver(request.user):
            raise PermissionDenied("You do not sign off updates.")

    @extend_schema(
        summary="What awaits the caller's sign-off",
        description='Every kind (approvals.kinds): progress updates (`"kind": "update"`, with `update`) '
        'and risk reviews (`"kind": "review"`, with `review`), each with what it changes.',
        responses={200: s.ApprovalSerializer(many=True)},
    )
    def get(self, request):
        from approvals import kinds

        self._require_approver(request)
        items = [item.kind.api_data(item) for group in kinds.queue(request.user) for item in group.items]
        return Response({"count": len(items), "results": items})


class ApprovalDecisionView(ApprovalsView):
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Approve or return one update or risk review",
        description='`kind` says which (default "update"; "review" for a risk review).',
        request=s.DecisionSerializer,
        responses={200: s.UpdateSerializer, 403: OpenApiResponse(description="Your own, or not your theme"),
                   409: OpenApiResponse(description="Already decided")},
    )  # fmt: skip
    def post(self, request, pk):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from rest_framework.exceptions import NotFound, PermissionDenied

        from actionplan import sign_off
        from approvals import kinds

        self._require_approver(request)
        form = s.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind = kinds.get(form.validated_data.get("kind") or "update")
        if kind is None:
            raise ValidationError({"kind": [f"Say one of: {', '.join(kinds.KINDS)}."]})
        record = kind.fetch([pk])
        if not record:
            raise NotFound(f"There is no {kind.noun} {pk}.")
        decision = "approved" if form.validated_data["decision"] == "approve" else "returned"
        try:
            kind.decide(
                user=request.user,
                objects=record,
                decision=decision,
                reason=form.validated_data.get("reason", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except sign_off.AlreadyDecided as exc:
            return error_response(str(exc), status_code=status.HTTP_409_CONFLICT, code="already_decided")
        return Response(kind.api_record(pk))


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([])
@schema(None)
def not_found(request, *args, **kwargs):
    detail = "There is nothing at this address in the API."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != "not-found":
                detail += f" Did you mean {request.path}/ ?"
        except Resolver404:
            pass
    return error_response(detail, status_code=status.HTTP_404_NOT_FOUND, code="not_found")
