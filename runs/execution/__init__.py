"""The worker's side: a stored run → the agent (runner, inputs, watch, sink), webhooks, TOTP fetch, signing."""
