"""JSON errors for the API: one shape for every status, per-field messages for 400.

    {"detail": "...", "code": "invalid", "errors": {"field": ["message", ...]}}

The services raise Django's ValidationError (a dict of field -> message); DRF would
let it through as a 500, so it is translated here.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else has updated this action since you last saw it."
    default_code = "conflict"


def portal_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": "Some of what was sent is not valid: see errors.",
            "code": "invalid",
            "errors": _flatten(exc.detail),
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data["detail"]
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or _code_for(response.status_code),
            **{k: v for k, v in response.data.items() if k != "detail"},
        }
    return response


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {(NON_FIELD if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {NON_FIELD: exc.messages}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors become dotted field names with lists of messages."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                errors.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        for item in detail:
            if isinstance(item, dict | list | tuple):
                for field, messages in _flatten(item, prefix).items():
                    errors.setdefault(field, []).extend(messages)
            else:
                errors.setdefault(prefix or NON_FIELD, []).append(str(item))
    else:
        errors.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return errors


def _code_for(status_code: int) -> str:
    return {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}.get(
        status_code, "error"
    )


def error_response(detail: str, *, status_code: int, code: str, **extra) -> Response:
    return Response({"detail": detail, "code": code, **extra}, status=status_code)
