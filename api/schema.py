"""OpenAPI: every operation documents the error bodies it can really return."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.serializers import ErrorSerializer

_ERRORS = {
    "400": "Invalid input: per-field messages in `errors`.",
    "401": "Not signed in: send a token (`Authorization: Token ...`) or a session cookie.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or no such page.",
}


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in _ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        return responses
