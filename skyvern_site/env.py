"""Small readers for environment variables that fail loudly on bad values."""

import os
import secrets
from pathlib import Path


class EnvError(ValueError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={value} must be at least {minimum}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise EnvError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_from(var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into var/ for local use."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def encryption_keys_from(default_file: Path) -> list[str]:
    """Fernet keys for the stored copies of API keys and webhook secrets, newest first.

    SKYVERN_ENCRYPTION_KEYS (comma-separated), else the file SKYVERN_ENCRYPTION_KEY_FILE (one key a line),
    else `default_file`, generated once for a laptop. Never derived from SECRET_KEY, and by default kept out of
    the database's var/ directory, so a copy of var/ (or of the database) alone decrypts nothing.
    """
    from cryptography.fernet import Fernet

    keys = env_list("SKYVERN_ENCRYPTION_KEYS")
    path = Path(env_str("SKYVERN_ENCRYPTION_KEY_FILE") or default_file)
    if not keys and not os.environ.get("SKYVERN_ENCRYPTION_KEY_FILE"):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:  # exclusive: two processes starting at once must not write two different keys
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(Fernet.generate_key().decode() + "\n")
    if not keys:
        try:
            keys = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        except OSError as exc:
            raise EnvError(f"cannot read the encryption key file {path}: {exc}") from None
    if not keys:
        raise EnvError(f"the encryption key file {path} holds no key")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise EnvError(
                "an encryption key is not a Fernet key (make one: manage.py rotate_encryption_key --generate)"
            ) from None
    return keys
