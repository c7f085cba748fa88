"""Small public pages this server hosts so a new user can try real tasks locally (no login needed)."""

import hashlib

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
SESSION_KEY = "demo_user"

PRODUCTS = [
    {"name": "Trail Runner 2 Shoes", "price": "89.99", "category": "Footwear", "stock": "In stock"},
    {"name": "Merino Wool Socks (3 pack)", "price": "24.50", "category": "Footwear", "stock": "In stock"},
    {"name": "Packable Rain Jacket", "price": "129.00", "category": "Outerwear", "stock": "Low stock"},
    {"name": "Insulated Water Bottle 750 ml", "price": "32.00", "category": "Gear", "stock": "In stock"},
    {"name": "Headlamp 400 Lumen", "price": "45.95", "category": "Gear", "stock": "Sold out"},
    {"name": "Lightweight Daypack 20 L", "price": "74.00", "category": "Bags", "stock": "In stock"},
    {"name": "Sun Hat with Neck Cape", "price": "19.99", "category": "Accessories", "stock": "In stock"},
    {"name": "Trekking Poles (pair)", "price": "99.00", "category": "Gear", "stock": "Low stock"},
]
POSITIONS = [
    "Backend Engineer",
    "Frontend Engineer",
    "Product Designer",
    "Data Analyst",
    "Support Specialist",
]


class JobApplicationForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email")
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    position = forms.ChoiceField(
        label="Position", choices=[("", "Choose a position"), *[(p, p) for p in POSITIONS]]
    )
    years_experience = forms.IntegerField(label="Years of experience", min_value=0, max_value=60)
    cover_letter = forms.CharField(
        label="Cover letter", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    accept_terms = forms.BooleanField(label="I agree that my details may be stored for this application")


class DemoLoginForm(forms.Form):
    username = forms.CharField(label="Username")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)


def application_reference(email: str) -> str:
    """Stable per email, so a test or a user can predict it."""
    return "APP-" + hashlib.sha256(email.lower().encode()).hexdigest()[:6].upper()


class RelabelledJobApplicationForm(JobApplicationForm):
    """The same form after a redesign (`?variant=relabelled`): the email field has a new label, id and name,
    so a script recorded on the original form must find it again (tests/e2e/test_scripts.py)."""

    field_order = ["full_name", "contact_email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_email"] = forms.EmailField(label="Contact email address")
        del self.fields["email"]
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        data = super().clean()
        if "contact_email" in data:
            data["email"] = data.pop("contact_email")
        return data


@require_http_methods(["GET", "POST"])
def job_application(request: HttpRequest) -> HttpResponse:
    relabelled = request.GET.get("variant") == "relabelled"
    form = (RelabelledJobApplicationForm if relabelled else JobApplicationForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session["demo_application"] = {
            **form.cleaned_data,
            "reference": application_reference(form.cleaned_data["email"]),
        }
        return redirect("runs:demo_job_application_thanks")
    action = "/demo/job-application" + ("?variant=relabelled" if relabelled else "")
    return render(request, "demo/job_application.html", {"form": form, "action": action})


def job_application_thanks(request: HttpRequest) -> HttpResponse:
    application = request.session.get("demo_application")
    if application is None:
        return redirect("runs:demo_job_application")
    return render(request, "demo/job_application_thanks.html", {"application": application})


def products(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/products.html", {"products": PRODUCTS})


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = DemoLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["username"] == DEMO_USERNAME and form.cleaned_data["password"] == DEMO_PASSWORD:
            request.session[SESSION_KEY] = DEMO_USERNAME
            return redirect("runs:demo_account")
        error = "Wrong username or password."
    return render(
        request,
        "demo/login.html",
        {"form": form, "error": error, "username": DEMO_USERNAME, "password": DEMO_PASSWORD},
    )


def account(request: HttpRequest) -> HttpResponse:
    if request.session.get(SESSION_KEY) != DEMO_USERNAME:
        return redirect("runs:demo_login")
    return render(request, "demo/account.html", {"plan": "Explorer", "balance": "$42.17"})
