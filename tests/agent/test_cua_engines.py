"""The coordinate engines, whole runs: real Chromium, local pages, each provider's stand-in on its wire format.

Every run signs up on cua_form.html, whose field is centred at (250, 120) and its button at (160, 220),
by coordinates only; the sink looks at the page itself after each action.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from agent import (
    ActionRecord,
    AgentResult,
    AgentTask,
    BrowserConfig,
    LLMClient,
    LLMConfig,
    NullSink,
    StepRecord,
    run_agent,
)
from agent.engines.anthropic_cua import prune_images
from agent.engines.ui_tars import parse, smart_resize, to_action, to_viewport
from tests.support.cua_providers import (
    FakeChat,
    FakeMessages,
    FakeResponses,
    ProviderReply,
    chat_body,
    computer_call,
    images_in,
    message,
    messages_body,
    prompt_kind,
    reasoning,
    responses_body,
    text_block,
    tool_use,
)

pytestmark = pytest.mark.browser  # drives Chromium

SIGN_UP = "Sign up for the newsletter as Ada"
SAFETY_CHECK = {"id": "cu_sc_1", "code": "malicious_instructions", "message": "The page may be unsafe."}


class PageWatchingSink(NullSink):
    """After each action: the action, and what the page shows (URL, the name field's value)."""

    def __init__(self) -> None:
        self.session: Any = None
        self.actions: list[tuple[ActionRecord, dict[str, Any]]] = []
        self.steps: list[StepRecord] = []
        self.artifacts: list[tuple[str, bytes]] = []

    async def browser_ready(self, session: Any) -> None:
        self.session = session

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        page = self.session.page
        field = await page.evaluate(
            "document.querySelector('#name') && document.querySelector('#name').value"
        )
        self.actions.append((action, {"url": page.url, "field": field, "screenshot": bool(screenshot)}))

    async def step_finished(self, step: StepRecord) -> None:
        self.steps.append(step.model_copy(deep=True))

    async def artifact(
        self, step: Any, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        self.artifacts.append((artifact_type, data))

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.artifacts}

    def texts(self, kind: str) -> list[str]:
        return [data.decode() for artifact_type, data in self.artifacts if artifact_type == kind]


@pytest.fixture
def run(launcher: Any, browser_config: BrowserConfig) -> Callable[..., Any]:
    """`await run(engine, config, task, sink)`."""

    async def go(
        engine: str, config: LLMConfig, task: AgentTask, sink: Any = None, **kwargs: Any
    ) -> AgentResult:
        config = config.model_copy(update={"retry_backoff": 0.01})
        return await run_agent(
            task, LLMClient(config), browser_config, sink=sink, launcher=launcher, engine=engine, **kwargs
        )

    return go


def form_task(page_server: Any, **fields: Any) -> AgentTask:
    return AgentTask(prompt=SIGN_UP, url=page_server.url("cua_form.html"), **fields)


def signed_up(sink: PageWatchingSink) -> bool:
    return any("loop_thanks.html?name=Ada" in seen["url"] for _, seen in sink.actions)


# --- openai-cua -----------------------------------------------------------------------------------


async def test_openai_cua_clicks_types_and_submits_by_coordinates(run: Any, page_server: Any) -> None:
    script = [
        responses_body(
            reasoning("The name field is empty."),
            computer_call({"type": "click", "button": "left", "x": 250, "y": 120}),
        ),
        responses_body(computer_call({"type": "type", "text": "Ada"}, safety_checks=[SAFETY_CHECK])),
        responses_body(computer_call({"type": "click", "button": "left", "x": 160, "y": 220})),
        responses_body(message("I signed up as Ada.")),
    ]
    ids = [answer["id"] for answer in script]
    sink = PageWatchingSink()
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="sk-secret")
        result = await run("openai-cua", config, form_task(page_server), sink)
    bodies = openai.bodies()

    assert result.status == "completed", result.failure_reason
    assert result.output == "I signed up as Ada."
    (click, seen_click), (typing, seen_typing), (submit, seen_submit), (done, _) = sink.actions
    assert (click.action_type, click.x, click.y, click.reasoning) == (
        "click",
        250,
        120,
        "The name field is empty.",
    )
    assert click.raw == {"type": "click", "button": "left", "x": 250, "y": 120}
    assert (typing.action_type, typing.text, seen_typing["field"]) == ("input_text", "Ada", "Ada")
    assert typing.data == {"acknowledged_safety_checks": [SAFETY_CHECK]}
    assert (submit.x, submit.y) == (160, 220) and "loop_thanks.html?name=Ada" in seen_submit["url"]
    assert (done.action_type, done.data) == ("complete", "I signed up as Ada.")
    assert seen_click["screenshot"]
    # The wire format: one tool, chained turns, each computer_call answered with a screenshot.
    assert [request.headers["authorization"] for request in openai.requests] == ["Bearer sk-secret"] * 4
    assert bodies[0]["tools"] == [
        {
            "type": "computer_use_preview",
            "display_width": 1280,
            "display_height": 720,
            "environment": "browser",
        }
    ]
    assert {body["truncation"] for body in bodies} == {"auto"}
    assert set(openai.kinds()) == {"openai-cua"}
    assert all(body["instructions"].startswith("Prompt-Kind: openai-cua\n") for body in bodies)
    assert [body.get("previous_response_id") for body in bodies] == [None, *ids[:3]]
    (answer,) = bodies[2]["input"]
    assert answer["type"] == "computer_call_output" and answer["output"]["type"] == "input_image"
    assert answer["output"]["image_url"].startswith("data:image/png;base64,")
    assert answer["acknowledged_safety_checks"] == [SAFETY_CHECK]
    assert "acknowledged_safety_checks" not in bodies[1]["input"][0]
    assert all(len(images_in(body)) == 1 for body in bodies)


async def test_openai_cua_records_each_turn_as_a_step_with_tokens_cost_and_artifacts(
    run: Any, page_server: Any
) -> None:
    script = [
        responses_body(
            computer_call({"type": "click", "button": "left", "x": 250, "y": 120}), input_tokens=2000
        ),
        responses_body(message("Nothing else to do."), input_tokens=3000, output_tokens=20),
    ]
    sink = PageWatchingSink()
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="sk-secret")
        result = await run("openai-cua", config, form_task(page_server), sink)

    assert result.status == "completed"
    assert [(s.order, s.status, s.input_tokens, s.output_tokens) for s in sink.steps] == [
        (0, "completed", 2000, 50),
        (1, "completed", 3000, 20),
    ]
    assert result.input_tokens == 5000 and result.total_cost > 0  # litellm knows computer-use-preview's price
    assert {"screenshot_llm", "llm_request", "llm_response", "screenshot_action"} <= sink.kinds()
    for text in sink.texts("llm_request") + sink.texts("llm_response"):
        assert "sk-secret" not in text and "base64," not in text
    assert json.loads(sink.texts("llm_request")[0])["url"] == openai.base_url + "/responses"


async def test_openai_cua_extracts_the_schema_through_the_same_provider(run: Any, page_server: Any) -> None:
    schema = {"type": "object", "properties": {"heading": {"type": "string"}}, "required": ["heading"]}

    def script(body: dict[str, Any]) -> dict[str, Any]:
        if prompt_kind(body) == "extract":
            return responses_body(message('{"heading": "Newsletter"}'))
        return responses_body(message("The page is the newsletter form."))

    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        result = await run("openai-cua", config, form_task(page_server, data_extraction_schema=schema))

    assert result.status == "completed", result.failure_reason
    assert result.output == {"heading": "Newsletter"}
    assert openai.kinds() == ["openai-cua", "extract"]
    assert "schema" in openai.bodies()[0]["input"][0]["content"][0]["text"]  # the task says what to report


async def test_without_a_url_the_engines_own_model_chooses_where_to_start(run: Any, page_server: Any) -> None:
    def script(body: dict[str, Any]) -> dict[str, Any]:
        if prompt_kind(body) == "start_url":
            return responses_body(message(json.dumps({"url": page_server.url("cua_form.html")})))
        return responses_body(message("The newsletter form is open."))

    sink = PageWatchingSink()
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        result = await run("openai-cua", config, AgentTask(prompt=SIGN_UP), sink)

    assert result.status == "completed", result.failure_reason
    assert openai.kinds() == ["start_url", "openai-cua"]
    assert sink.actions[-1][1]["url"] == page_server.url("cua_form.html")


async def test_openai_cua_answers_a_question_once_instead_of_stopping(run: Any, page_server: Any) -> None:
    script = [responses_body(message("Shall I sign up?")), responses_body(message("Done, I stopped."))]
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        result = await run("openai-cua", config, form_task(page_server))

    assert result.output == "Done, I stopped."
    assert "Nobody can answer questions" in openai.bodies()[1]["input"][0]["content"][0]["text"]


async def test_a_final_message_naming_an_error_code_terminates_the_run(run: Any, page_server: Any) -> None:
    script = [responses_body(message("I cannot sign up: newsletter_closed (the form is disabled)."))]
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        mapping = {"newsletter_closed": "The newsletter takes no sign-ups", "closed": "never this one"}
        result = await run("openai-cua", config, form_task(page_server, error_code_mapping=mapping))

    assert result.status == "terminated"
    assert result.output == {"error": "newsletter_closed"}
    assert result.errors[0]["error_code"] == "newsletter_closed"


async def test_openai_cua_stops_at_max_steps(run: Any, page_server: Any) -> None:
    def script(body: dict[str, Any]) -> dict[str, Any]:
        return responses_body(computer_call({"type": "click", "button": "left", "x": 600, "y": 400}))

    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        result = await run("openai-cua", config, form_task(page_server, max_steps=2))

    assert result.status == "failed" and result.step_count == 2
    assert result.errors[0]["error_code"] == "REACH_MAX_STEPS"


async def test_openai_cua_is_canceled_between_actions(run: Any, page_server: Any) -> None:
    sink = PageWatchingSink()
    script = [
        responses_body(
            computer_call({"type": "click", "button": "left", "x": 250, "y": 120}),
            computer_call({"type": "type", "text": "Ada"}),
        )
    ]
    with FakeResponses(script) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="k")
        result = await run(
            "openai-cua", config, form_task(page_server), sink, should_stop=lambda: bool(sink.actions)
        )

    assert result.status == "canceled"
    assert [action.action_type for action, _ in sink.actions] == ["click"]


async def test_a_refused_key_fails_the_run_at_once_without_leaking_it(run: Any, page_server: Any) -> None:
    refusal = ProviderReply({"error": {"message": "Incorrect API key provided: sk-wrong."}}, 401)
    with FakeResponses([refusal]) as openai:
        config = LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="sk-wrong")
        result = await run("openai-cua", config, form_task(page_server))

    assert result.status == "failed" and len(openai.requests) == 1
    assert "HTTP 401" in result.failure_reason and "SKYVERN_OPENAI_CUA_API_KEY" in result.failure_reason
    assert "sk-wrong" not in result.failure_reason


# --- anthropic-cua --------------------------------------------------------------------------------


async def test_anthropic_cua_clicks_types_and_presses_enter(run: Any, page_server: Any) -> None:
    script = [
        messages_body(
            text_block("I'll click the name field."),
            tool_use({"action": "left_click", "coordinate": [250, 120]}),
        ),
        messages_body(tool_use({"action": "type", "text": "Ada"})),
        messages_body(tool_use({"action": "key", "text": "Return"})),
        messages_body(tool_use({"action": "screenshot"})),
        messages_body(text_block("Signed up as Ada.")),
    ]
    sink = PageWatchingSink()
    with FakeMessages(script) as claude:
        config = LLMConfig(model="claude-sonnet-4-5", api_base=claude.base_url, api_key="sk-ant")
        result = await run("anthropic-cua", config, form_task(page_server), sink)
    bodies = claude.bodies()

    assert result.status == "completed", result.failure_reason
    assert result.output == "Signed up as Ada."
    (click, _), (typing, seen_typing), (enter, seen_enter), _done = sink.actions
    assert (click.x, click.y, click.reasoning) == (250, 120, "I'll click the name field.")
    assert click.raw == {"action": "left_click", "coordinate": [250, 120]}
    assert seen_typing["field"] == "Ada"
    assert (enter.action_type, enter.text) == ("keypress", "Enter") and signed_up(sink)
    headers = claude.requests[0].headers
    assert (headers["x-api-key"], headers["anthropic-version"]) == ("sk-ant", "2023-06-01")
    assert headers["anthropic-beta"] == "computer-use-2025-01-24"
    assert bodies[0]["tools"] == [
        {"type": "computer_20250124", "name": "computer", "display_width_px": 1280, "display_height_px": 720}
    ]
    assert all(body["system"].startswith("Prompt-Kind: anthropic-cua\n") for body in bodies)
    # Every tool_use is answered by a tool_result carrying the screenshot; old screenshots are dropped.
    last_turn = bodies[-1]["messages"]
    (result_block,) = last_turn[-1]["content"]
    assert result_block["type"] == "tool_result" and result_block["tool_use_id"].startswith("toolu_")
    assert result_block["content"][-1]["type"] == "image"
    assert [len(images_in(body)) for body in bodies] == [1, 2, 3, 3, 3]


def test_anthropic_history_keeps_only_the_last_images() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "x"}}
    history = [
        {"role": "user", "content": [{"type": "text", "text": "task"}, image]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "1", "name": "computer", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "1", "content": [image]}]},
    ]

    pruned = prune_images(history, 1)

    assert pruned[0]["content"][1]["type"] == "text"
    assert pruned[2]["content"][0]["content"] == [image]
    assert history[0]["content"][1] is image  # the original is left alone


# --- ui-tars --------------------------------------------------------------------------------------


async def test_ui_tars_clicks_on_its_grid_types_and_finishes(run: Any, page_server: Any) -> None:
    # (250, 120) and (160, 220) on the 1280x720 viewport, as 0..1000 grid positions.
    script = [
        chat_body("Thought: The name field comes first.\nAction: click(start_box='(195,167)')"),
        chat_body("Thought: Type the name and send.\nAction: type(content='Ada\\n')"),
        chat_body("Thought: Signed up.\nAction: finished(content='Signed up as Ada')"),
    ]
    sink = PageWatchingSink()
    with FakeChat(script) as tars:
        config = LLMConfig(model="ui-tars-1.5-7b", api_base=tars.base_url)
        result = await run("ui-tars", config, form_task(page_server), sink)
    bodies = tars.bodies()

    assert result.status == "completed", result.failure_reason
    assert result.output == "Signed up as Ada"
    (click, seen_click), (typing, _), _done = sink.actions
    assert (round(click.x), round(click.y), click.reasoning) == (250, 120, "The name field comes first.")
    assert click.raw["start_box"] == "(195,167)"
    assert typing.text == "Ada\n" and signed_up(sink)
    assert "authorization" not in tars.requests[0].headers  # no key configured: none sent
    first = bodies[0]["messages"][0]["content"][0]["text"]
    assert first.startswith("Prompt-Kind: ui-tars\n") and SIGN_UP in first
    # Multi-turn: the model's earlier answers stay, each turn adds a screenshot.
    assert [m["role"] for m in bodies[2]["messages"]] == [
        "user",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert [len(images_in(body)) for body in bodies] == [1, 2, 3]


async def test_ui_tars_gets_its_unusable_answer_explained(run: Any, page_server: Any) -> None:
    script = [chat_body("I would click the button"), chat_body("Action: finished(content='ok')")]
    with FakeChat(script) as tars:
        config = LLMConfig(model="ui-tars", api_base=tars.base_url)
        result = await run("ui-tars", config, form_task(page_server))

    assert result.output == "ok"
    assert "could not be used" in json.dumps(tars.bodies()[1]["messages"][-1])


@pytest.mark.parametrize(
    ("text", "name", "point"),
    [
        ("Action: click(start_box='(500,500)')", "click", (640, 360)),
        ("Action: click(start_box='<|box_start|>(100,200)<|box_end|>')", "click", (128, 144)),
        ("Action: left_double(start_box='[100, 100, 300, 300]')", "double_click", (256, 144)),
        ("Action: right_single(start_box='<point>1000 0</point>')", "right_click", (1279, 0)),
    ],
)
def test_ui_tars_positions_in_every_written_form(text: str, name: str, point: tuple[int, int]) -> None:
    action = to_action(parse(text), (1280, 720), "relative")
    assert action is not None and action.kind == name and action.point == point


def test_ui_tars_coordinate_modes() -> None:
    assert smart_resize(720, 1280) == (728, 1288)
    assert to_viewport((644, 364), (1280, 720), "resized") == pytest.approx((640, 360), abs=0.5)
    assert to_viewport((640, 360), (1280, 720), "pixels") == (640, 360)


def test_ui_tars_hotkeys_drags_and_scrolls() -> None:
    hotkey = to_action(parse("Thought: select\nAction: hotkey(key='ctrl a')"), (1000, 1000), "relative")
    drag = to_action(parse("Action: drag(start_box='(10,10)', end_box='(20,30)')"), (1000, 1000), "relative")
    scroll = to_action(
        parse("Action: scroll(start_box='(500,500)', direction='up')"), (1000, 1000), "relative"
    )
    typed = parse("Action: type(content='it\\'s \"here\"\\n')")

    assert hotkey.keys == ["ctrl", "a"] and hotkey.reasoning == "select"
    assert drag.path == [(10, 10), (20, 30)]
    assert (scroll.x, scroll.y, scroll.scroll_y) == (500, 500, -500)
    assert typed.args["content"] == 'it\'s "here"\n'
    with pytest.raises(ValueError, match="no 'Action:'"):
        parse("Thought: hmm")


# --- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "config", "variable"),
    [
        ("openai-cua", LLMConfig(model="computer-use-preview"), "SKYVERN_OPENAI_CUA_API_KEY"),
        ("openai-cua", LLMConfig(model=None, api_key="k"), "SKYVERN_OPENAI_CUA_MODEL"),
        ("anthropic-cua", LLMConfig(model="claude-sonnet-4-5"), "SKYVERN_ANTHROPIC_CUA_API_KEY"),
        ("ui-tars", LLMConfig(model="ui-tars-1.5-7b"), "SKYVERN_UI_TARS_API_BASE"),
    ],
)
async def test_an_unconfigured_engine_fails_naming_what_to_set(
    run: Any, page_server: Any, engine: str, config: LLMConfig, variable: str
) -> None:
    sink = PageWatchingSink()
    result = await run(engine, config, form_task(page_server), sink)

    assert result.status == "failed"
    assert result.failure_reason.startswith(f"The {engine} engine is not configured: set {variable}")
    assert sink.session is None  # refused before a browser opened
