"""The Discover form: every TaskRunRequest field, checked by the same rules as POST /v1/run/tasks."""

import json
import re
from typing import Any

from django import forms
from django.conf import settings

from runs import selectors
from runs.choices import ProxyLocation, RunEngine
from runs.exceptions import DomainError
from runs.models import Organization
from runs.services.engines import engine_setup_problem, engines_supported
from runs.services.proxies import proxy_usable_names
from runs.services.run_requests import normalise_run_request

GEO = "geo"
JSON_ATTRS = {"class": "json-editor", "spellcheck": "false", "rows": 5, "data-json": "1"}


class JSONTextField(forms.CharField):
    """A textarea holding JSON; `shape` (dict or list) restricts the top-level type."""

    def __init__(self, *, shapes: tuple[type, ...] = (dict,), rows: int = 5, **kwargs: Any) -> None:
        self.shapes = shapes
        attrs = {**JSON_ATTRS, "rows": rows, "data-json-shapes": _names(shapes)}
        kwargs.setdefault("widget", forms.Textarea(attrs=attrs))
        super().__init__(required=False, strip=True, **kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(parsed, self.shapes):
            raise forms.ValidationError(f"Expected a JSON {_names(self.shapes).replace(',', ' or ')}")
        return parsed

    def prepare_value(self, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else json.dumps(value, indent=2)


def _names(shapes: tuple[type, ...]) -> str:
    return ",".join({dict: "object", list: "array"}[shape] for shape in shapes)


def _engine_choices() -> list[tuple[str, str]]:
    return [(value, _engine_label(value)) for value in RunEngine.values]


def _engine_label(engine: str) -> str:
    """The engine's name, marked when this server cannot run it (and, if a setting is missing, which)."""
    if engine not in engines_supported():
        return f"{engine} (not available on this server yet)"
    problem = engine_setup_problem(engine=engine)
    # Preflight failures end with what to do ("... is not configured: set SKYVERN_X_API_KEY").
    return f"{engine} (not configured: {problem.rsplit(': ', 1)[-1]})" if problem else engine


UNAVAILABLE_MARKS = ("(not available", "(not configured")


class RefusingSelect(forms.Select):
    """Options the server would refuse stay visible (with the reason in their label) but cannot be chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if any(mark in str(label) for mark in UNAVAILABLE_MARKS):
            option["attrs"]["disabled"] = True
        return option


def _proxy_choices() -> list[tuple[str, str]]:
    """Every Skyvern proxy name, marked when this server has no proxy for it (the run would be refused)."""
    usable = proxy_usable_names()
    names = [(p, p if p in usable else f"{p} (not configured on this server)") for p in ProxyLocation]
    return [("", "Default"), *names, (GEO, "Country / subdivision / city…")]


class DiscoverForm(forms.Form):
    prompt = forms.CharField(
        label="What should the browser do?",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "e.g. Find the price of the cheapest product", "autofocus": True}
        ),
    )
    url = forms.CharField(
        label="Start URL",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "https://example.com"}),
    )
    engine = forms.ChoiceField(
        label="Engine", choices=_engine_choices, widget=RefusingSelect,
        help_text="Engines this server cannot run are greyed out, with what would make them available.",
    )  # fmt: skip
    title = forms.CharField(label="Title", required=False, max_length=500)
    data_extraction_schema = JSONTextField(
        label="Data extraction schema (JSON Schema)", shapes=(dict, list), rows=9,
        help_text="The shape of the output you want back, as JSON Schema.",
    )  # fmt: skip
    error_code_mapping = JSONTextField(
        label="Error code mapping (JSON)", help_text='e.g. {"login_failed": "The password was refused"}'
    )
    max_steps = forms.IntegerField(label="Max steps", required=False, min_value=1)
    # Sent as the x-max-iterations-override header by API callers, so it stays out of request_body().
    max_iterations = forms.IntegerField(
        label="Max iterations (skyvern-2.0)", required=False, min_value=1,
        help_text="How many mini-goals the planner may hand out before the run gives up (default 10).",
    )  # fmt: skip
    webhook_url = forms.CharField(label="Webhook URL", required=False)
    proxy_location = forms.ChoiceField(
        label="Proxy location", required=False, choices=_proxy_choices, widget=RefusingSelect,
        help_text="Greyed-out places have no proxy on this server (SKYVERN_PROXY_MAP or SKYVERN_PROXY_URL_TEMPLATE add them).",
    )  # fmt: skip
    proxy_country = forms.CharField(label="Proxy country (ISO code)", required=False, max_length=2)
    proxy_subdivision = forms.CharField(label="Proxy subdivision", required=False)
    proxy_city = forms.CharField(label="Proxy city", required=False)
    totp_identifier = forms.CharField(label="TOTP identifier", required=False)
    totp_url = forms.CharField(label="TOTP URL", required=False)
    browser_session_id = forms.CharField(label="Browser session id", required=False)
    browser_address = forms.CharField(label="Browser address (CDP)", required=False)
    user_agent = forms.CharField(label="User agent", required=False)
    extra_http_headers = JSONTextField(
        label="Extra HTTP headers (JSON)", help_text='e.g. {"Accept-Language": "en"}'
    )
    max_screenshot_scrolls = forms.IntegerField(label="Max screenshot scrolls", required=False, min_value=0)
    model_name = forms.CharField(label="Model name", required=False)
    include_action_history_in_verification = forms.BooleanField(
        label="Include action history in verification", required=False
    )
    publish_workflow = forms.BooleanField(label="Publish as a workflow", required=False)

    ADVANCED = (
        "title", "data_extraction_schema", "error_code_mapping", "max_steps", "max_iterations", "webhook_url",
        "proxy_location", "proxy_country", "proxy_subdivision", "proxy_city", "totp_identifier", "totp_url",
        "browser_session_id", "browser_address", "user_agent", "extra_http_headers", "max_screenshot_scrolls",
        "model_name", "include_action_history_in_verification", "publish_workflow",
    )  # fmt: skip

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["engine"].initial = settings.SKYVERN_DEFAULT_ENGINE
        self.fields["data_extraction_schema"].widget.attrs["data-json-schema"] = "1"
        steps = self.fields["max_steps"]
        steps.widget.attrs["placeholder"] = f"default {settings.SKYVERN_DEFAULT_MAX_STEPS}"
        steps.help_text = (
            f"Browser steps before the run gives up: at most {settings.SKYVERN_MAX_STEPS_LIMIT}."
        )
        # Offers the configured models (the page's <datalist id="model-names">); any litellm name still goes.
        self.fields["model_name"].widget.attrs["list"] = "model-names"
        default = selectors.model_resolve(name=None, organization=organization)
        if default is not None:
            self.fields["model_name"].help_text = f"Empty: {default.name}"
        self.normalised: dict[str, Any] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        body = self.request_body()
        try:
            self.normalised = self._normalise(body)
        except DomainError as exc:  # a refusal, or a browser session not found (404) or closed (409)
            for message in self._every_refusal(body) or [str(exc)]:
                self._add_request_error(message)
        return cleaned

    def _normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_run_request(
            body,
            organization=self.organization,
            max_iterations_override=self.cleaned_data.get("max_iterations"),
        )

    def _every_refusal(self, body: dict[str, Any]) -> list[str]:
        """The service stops at the first problem; people should see them all at once. Each field is tried
        alone with the prompt and engine, and every refusal is kept (in the form's order)."""
        base = {"prompt": body["prompt"], "engine": body["engine"]}
        messages: list[str] = []
        for name in [None, *(key for key in body if key not in base)]:
            try:
                self._normalise({**base, name: body[name]} if name else base)
            except DomainError as exc:
                if str(exc) not in messages:
                    messages.append(str(exc))
            if name is None and messages:
                break  # the engine itself is refused: every other check would repeat that
        return messages

    def request_body(self) -> dict[str, Any]:
        """The cleaned values as a POST /v1/run/tasks body: empty fields are left out, like an API caller would."""
        data = self.cleaned_data
        body: dict[str, Any] = {"prompt": data["prompt"], "engine": data["engine"]}
        for name in (
            "url", "title", "data_extraction_schema", "error_code_mapping", "max_steps", "webhook_url",
            "totp_identifier", "totp_url", "browser_session_id", "browser_address", "user_agent",
            "extra_http_headers", "max_screenshot_scrolls",
        ):  # fmt: skip
            if data.get(name) not in (None, ""):
                body[name] = data[name]
        if data.get("model_name"):
            body["model"] = {"model_name": data["model_name"]}
        for flag in ("include_action_history_in_verification", "publish_workflow"):
            if data.get(flag):
                body[flag] = True
        proxy = self._proxy_location()
        if proxy is not None:
            body["proxy_location"] = proxy
        return body

    def _proxy_location(self) -> str | dict[str, str] | None:
        data = self.cleaned_data
        geo = {key: data.get(f"proxy_{key}", "") for key in ("country", "subdivision", "city")}
        if data.get("proxy_location") == GEO or any(geo.values()):
            return {key: value for key, value in geo.items() if value}
        return data.get("proxy_location") or None

    def _add_request_error(self, message: str) -> None:
        """Show the service's refusal next to the field it names, or above the form when it names none."""
        lowered = message.lower()
        for name in sorted(self.fields, key=len, reverse=True):
            if name in lowered:
                target = "proxy_location" if name.startswith("proxy_") else name
                # The label people see, not the API's field name.
                label = str(self.fields[name].label)
                self.add_error(target, re.sub(rf"\b{re.escape(name)}\b", f"{label}", message))
                return
        if "model" in lowered:
            self.add_error("model_name", message)
            return
        self.add_error(None, message)


def initial_from_request(request: dict[str, Any]) -> dict[str, Any]:
    """Form values that reproduce a stored run request (the Edit and run again link)."""
    initial = {name: value for name, value in request.items() if name in DiscoverForm.base_fields}
    proxy = request.get("proxy_location")
    if isinstance(proxy, dict):
        initial["proxy_location"] = GEO
        initial.update({f"proxy_{key}": proxy.get(key, "") for key in ("country", "subdivision", "city")})
    model = request.get("model")
    if isinstance(model, dict):
        initial["model_name"] = model.get("model_name", "")
    return initial
