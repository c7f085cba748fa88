"""Example tasks for the Discover pills; three of them run against this server's own demo pages."""

from typing import Any

from django.http import HttpRequest

PRODUCTS_SCHEMA = {
    "type": "object",
    "properties": {
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
                "required": ["name", "price"],
            },
        }
    },
    "required": ["products"],
}
APPLICATION_SCHEMA = {
    "type": "object",
    "properties": {"reference": {"type": "string", "description": "The application reference shown"}},
}
ACCOUNT_SCHEMA = {
    "type": "object",
    "properties": {"plan": {"type": "string"}, "balance": {"type": "string"}},
}


def example_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    """Pill label → form values. Demo URLs use the address the user reached us on, which the worker shares."""
    demo = request.build_absolute_uri("/demo/")
    return [
        {
            "label": "Apply for a job (demo)",
            "values": {
                "url": f"{demo}job-application",
                "title": "Demo job application",
                "prompt": (
                    "Fill in the job application with these details: full name Ada Lovelace, email "
                    "ada@example.com, phone +44 20 7946 0000, position Backend Engineer, 7 years of experience, "
                    "cover letter 'I enjoy building reliable systems.' Accept the terms and submit the form. "
                    "The task is complete when the thank-you page shows an application reference."
                ),
                "data_extraction_schema": APPLICATION_SCHEMA,
            },
        },
        {
            "label": "Extract product prices (demo)",
            "values": {
                "url": f"{demo}products",
                "title": "Demo product prices",
                "prompt": "Extract the name and price of every product listed on this page.",
                "data_extraction_schema": PRODUCTS_SCHEMA,
            },
        },
        {
            "label": "Log in and read the account (demo)",
            "values": {
                "url": f"{demo}login",
                "title": "Demo login",
                "prompt": (
                    "Log in with username 'demo' and password 'demo-password', then report the plan name "
                    "and the account balance shown on the account page."
                ),
                "data_extraction_schema": ACCOUNT_SCHEMA,
            },
        },
        {
            "label": "Top posts on Hacker News",
            "values": {
                "url": "https://news.ycombinator.com",
                "title": "Hacker News top 3",
                "prompt": "Find the top 3 posts on Hacker News and return their titles and links.",
                "data_extraction_schema": None,
            },
        },
    ]
