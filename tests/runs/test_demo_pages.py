"""The public demo pages that example tasks run against: no login, real forms, predictable answers."""

import pytest

from runs.dashboard.demo import DEMO_PASSWORD, PRODUCTS, application_reference

pytestmark = pytest.mark.django_db

APPLICATION = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0000",
    "position": "Backend Engineer",
    "years_experience": "7",
    "cover_letter": "I enjoy building reliable systems.",
    "accept_terms": "on",
}


def test_the_job_application_thanks_the_applicant_with_a_reference(client):
    response = client.post("/demo/job-application", APPLICATION, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/demo/job-application/thanks"
    assert "Thank you, Ada Lovelace!" in html and application_reference("ada@example.com") in html


def test_the_job_application_refuses_missing_fields(client):
    response = client.post("/demo/job-application", {**APPLICATION, "accept_terms": "", "email": "nope"})
    assert response.status_code == 200
    assert b"This field is required." in response.content and b"valid email" in response.content


def test_the_thanks_page_without_an_application_goes_back_to_the_form(client):
    assert client.get("/demo/job-application/thanks")["Location"] == "/demo/job-application"


def test_the_products_page_lists_every_product_with_its_price(client):
    html = client.get("/demo/products").content.decode()
    for product in PRODUCTS:
        assert product["name"] in html and f"${product['price']}" in html


def test_the_demo_login_lets_the_demo_user_in_and_no_one_else(client):
    assert client.get("/demo/account")["Location"] == "/demo/login"
    refused = client.post("/demo/login", {"username": "demo", "password": "wrong"})
    assert b"Wrong username or password." in refused.content
    account = client.post("/demo/login", {"username": "demo", "password": DEMO_PASSWORD}, follow=True)
    assert b"Welcome back, demo" in account.content and b"$42.17" in account.content


def test_the_relabelled_job_application_asks_for_a_contact_email_and_still_accepts(client):
    page = client.get("/demo/job-application?variant=relabelled").content.decode()
    assert "Contact email address" in page and 'name="contact_email"' in page and 'name="email"' not in page
    data = {**APPLICATION, "contact_email": APPLICATION["email"]}
    del data["email"]
    response = client.post("/demo/job-application?variant=relabelled", data, follow=True)
    assert response.redirect_chain[-1][0] == "/demo/job-application/thanks"
