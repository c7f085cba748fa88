"""Public ids: a prefix plus a time-sortable 64-bit integer in decimal (`tsk_490440779503358000`).

Layout of the integer (63 bits, so it stays positive in a signed 64-bit column):
41 bits of milliseconds since 2024-01-01, 10 bits of a per-process sequence, 12 random bits.
"""

import itertools
import re
import secrets
import time

EPOCH_MS = 1_704_067_200_000
_sequence = itertools.count()


def new_int_id(now_ms: int | None = None) -> int:
    ms = (now_ms if now_ms is not None else int(time.time() * 1000)) - EPOCH_MS
    seq = next(_sequence) & 0x3FF
    return (ms << 22) | (seq << 12) | secrets.randbits(12)


def id_time_ms(public_id: str) -> int | None:
    """When the id was made (ms since the Unix epoch), read from its integer; None for an id of another form."""
    digits = public_id.rpartition("_")[2]
    if not digits.isdigit():
        return None
    return (int(digits) >> 22) + EPOCH_MS


def new_id(prefix: str) -> str:
    return f"{prefix}_{new_int_id()}"


def new_org_id() -> str:
    return new_id("o")


def new_run_id() -> str:
    return new_id("tsk")


def new_step_id() -> str:
    return new_id("stp")


def new_action_id() -> str:
    return new_id("act")


def new_thought_id() -> str:
    return new_id("ot")


def new_artifact_id() -> str:
    return new_id("a")


def new_key_id() -> str:
    return new_id("key")


def new_browser_session_id() -> str:
    return new_id("pbs")


def new_browser_profile_id() -> str:
    return new_id("bp")


def new_credential_id() -> str:
    return new_id("cred")


def new_totp_code_id() -> str:
    return new_id("totp")


def new_workflow_permanent_id() -> str:
    return new_id("wpid")


def new_workflow_id() -> str:
    return new_id("w")


def new_workflow_run_id() -> str:
    return new_id("wr")


def new_workflow_block_id() -> str:
    return new_id("wrb")


def new_script_id() -> str:
    return new_id("s")


def new_script_revision_id() -> str:
    return new_id("sr")


# A public id is a prefix and digits; anything else cannot exist, so it is not worth a query (and a NUL
# byte in an id would make PostgreSQL raise instead of answering "no rows").
PUBLIC_ID = re.compile(r"[a-z]{1,8}(_[a-z0-9]{1,8})?_[0-9]{1,25}")


def is_public_id(value: str) -> bool:
    return bool(PUBLIC_ID.fullmatch(value))
