"""The demo's log-in with a second factor: password first, then the authenticator's current code."""

import pyotp
from django.test import Client

from runs.dashboard.demo_2fa import DEMO_SECURE_PASSWORD, DEMO_TOTP_SECRET


def test_the_secure_login_wants_the_password_then_a_valid_code(db):
    client = Client()
    assert client.get("/demo/2fa")["Location"] == "/demo/secure-login"
    page = client.get("/demo/secure-login").content.decode()
    assert DEMO_SECURE_PASSWORD not in page  # unlike /demo/login, the page does not show it
    wrong = client.post("/demo/secure-login", {"username": "demo", "password": "demo-password"})
    assert "Wrong username or password" in wrong.content.decode()
    right = client.post("/demo/secure-login", {"username": "demo", "password": DEMO_SECURE_PASSWORD})
    assert right["Location"] == "/demo/2fa"
    bad_code = client.post(
        "/demo/2fa", {"code": "000000" if pyotp.TOTP(DEMO_TOTP_SECRET).now() != "000000" else "1"}
    )
    assert "not valid" in bad_code.content.decode()
    account = client.post("/demo/2fa", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}, follow=True)
    assert "Welcome back" in account.content.decode()
