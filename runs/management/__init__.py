"""Management commands: keys, users, local bootstrap, LLM checks, key rotation."""
