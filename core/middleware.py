from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

# Anonymous visitors see only the sign-in page, the health check and the
# accessibility statement (which UK public-sector sites must publish openly).
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/password/reset/",  # a forgotten password: accounts.password_reset
    "/healthz",
    "/accessibility/",
    "/static/",
)


class LoginRequiredMiddleware:
    """Everything but the public pages needs a signed-in user.

    API requests get a JSON 401 (DRF's token auth happens inside the view, so
    those are left to DRF's own permission classes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if request.user.is_authenticated or path.startswith(PUBLIC_PREFIXES) or path.startswith("/api/"):
            return self.get_response(request)
        if path.startswith("/admin/"):
            return self.get_response(request)  # the admin has its own sign-in
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class PrivateNoStoreMiddleware:
    """Nothing shown to a signed-in user is kept in a browser's or proxy's cache (ASVS 8.2.1).

    Board papers, exports and pages could otherwise be read back from a shared
    computer's cache after sign-out. Set on every response to a signed-in user, a
    session or an API token (DRF puts the token's user on the request), whatever
    the view; anonymous pages (sign-in, public pages, open data) keep their own headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
