"""`/api/auth/...`: signup, signin, refresh, signout, me (trailing slash optional)."""

from django.urls import re_path

from .views import MeView, RefreshView, SignInView, SignOutView, SignUpView

urlpatterns = [
    re_path(r"^signup/?$", SignUpView.as_view(), name="auth-signup"),
    re_path(r"^signin/?$", SignInView.as_view(), name="auth-signin"),
    re_path(r"^refresh/?$", RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^signout/?$", SignOutView.as_view(), name="auth-signout"),
    re_path(r"^me/?$", MeView.as_view(), name="auth-me"),
]
