"""Headers Django does not set itself.

Permissions-Policy turns off browser features the portal never uses, so a
script injected despite the CSP still cannot reach the camera, microphone,
location or payment APIs. Cross-Origin-Opener-Policy comes from Django's
SecurityMiddleware; Content-Security-Policy from django-csp.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
