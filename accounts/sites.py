"""The admin site: Django's, with its sign-in limited like the API's signin."""

from django.contrib import admin
from django.template.response import TemplateResponse

from .exceptions import SignInUnavailable
from .throttling import admin_sign_in_wait


class TodoAdminSite(admin.AdminSite):
    """Staff sign in with email and password, at most THROTTLE_AUTH_RATE attempts per client
    address and per account (accounts.throttling.admin_sign_in_wait), across processes."""

    site_header = "Todo API administration"
    site_title = "Todo API admin"
    index_title = "Users and tasks"

    def login(self, request, extra_context=None):
        if request.method == "POST":
            try:
                wait = admin_sign_in_wait(request)
            except SignInUnavailable:
                # Fail closed, and say so: no password guessing while the limit cannot be kept.
                return self._refused(request, 503, "Sign-in is temporarily unavailable", None)
            if wait is not None:
                return self._refused(request, 429, "Too many sign-in attempts", wait)
        return super().login(request, extra_context)

    def _refused(self, request, status: int, title: str, wait: int | None) -> TemplateResponse:
        context = {**self.each_context(request), "title": title, "retry_after": wait}
        response = TemplateResponse(request, "admin/sign_in_refused.html", context, status=status)
        response["Retry-After"] = str(wait or 1)
        return response
