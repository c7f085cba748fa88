"""A demo log-in with a second factor: /demo/secure-login (credentials not shown on the page) leads to
/demo/2fa, which wants the current code of DEMO_TOTP_SECRET (any authenticator app, or pyotp), then to
/demo/account. The login and 2FA examples of the README and the credential tests use it."""

import pyotp
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from runs.dashboard.demo import DEMO_USERNAME, SESSION_KEY, DemoLoginForm

DEMO_SECURE_PASSWORD = "s3cure-demo-Passw0rd"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
PENDING_KEY = "demo_2fa_pending"


class DemoCodeForm(forms.Form):
    code = forms.CharField(label="Verification code", max_length=10)


@require_http_methods(["GET", "POST"])
def secure_login(request: HttpRequest) -> HttpResponse:
    form = DemoLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["username"] == DEMO_USERNAME and data["password"] == DEMO_SECURE_PASSWORD:
            request.session[PENDING_KEY] = DEMO_USERNAME
            return redirect("runs:demo_2fa")
        error = "Wrong username or password."
    return render(request, "demo/secure_login.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    if request.session.get(PENDING_KEY) != DEMO_USERNAME:
        return redirect("runs:demo_secure_login")
    form = DemoCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].replace(" ", "")
        if pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1):
            del request.session[PENDING_KEY]
            request.session[SESSION_KEY] = DEMO_USERNAME
            return redirect("runs:demo_account")
        error = "That code is not valid. Codes change every 30 seconds."
    return render(request, "demo/two_factor.html", {"form": form, "error": error})
