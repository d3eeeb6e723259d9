"""Promotion: move a registry alias to a gated version, compare-and-set.

MLflow has no atomic compare-and-set on aliases: "re-read, then set" alone lets two gates that
started from the same champion both see it unchanged and both promote. So the re-read and the
move run under a lock that the registry itself arbitrates: a registered model named
``<model>.mlgate-lock.<alias>``. Creating a registered model whose name exists fails in every
MLflow store (a unique key in SQL), so exactly one gate holds the lock; it is deleted right after
the alias moves (about a second). The second gate then re-reads the alias, sees that it moved
since its own start, and refuses: neither double promotion nor an alias left on a version that was
never compared with the current champion.

A lock left behind by a killed process is not broken automatically (breaking it safely would need
the very compare-and-set MLflow lacks): gates then refuse to promote and say which registered
model to delete.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from mlgate.mlflow_gateway import error_code, mlflow_call, short_reason

PROMOTED = "promoted"
REFUSED = "refused"
SKIPPED = "skipped"
FAILED = "failed"

LOCK_INFIX = ".mlgate-lock."
LOCK_OWNER_TAG = "mlgate.lock.owner"
LOCK_WAIT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.2
ABSENT = "absent"

LOCK_DESCRIPTION = (
    "Held by mlgate for about a second while it moves the alias {alias} of {name}. If no gate is "
    "running, it was left by a killed process: delete this registered model."
)
MSG_PROMOTED = "moved {name}@{alias} to version {version} (was {expected})"
MSG_ALREADY = "{name}@{alias} already names version {version}"
MSG_ALIAS_MOVED = (
    "not promoted: {name}@{alias} changed since the gate started (was {expected}, now "
    "{current}); version {version} was not compared with the new {alias}: rerun the gate"
)
MSG_LOCK_BUSY = (
    "not promoted: another gate has held the promotion lock of {name}@{alias} for over {wait:g}s; "
    "if no gate is running, delete the registered model '{lock}' and rerun"
)
MSG_LOCK_LEFT = (
    "; the promotion lock '{lock}' could not be deleted ({reason}): delete that registered model "
    "before the next promotion"
)


@dataclass
class Promotion:
    """The promotion step of one gate, as recorded in the report's ``registry.promotion``."""

    alias: str | None
    expected: str | None  # the version the alias named when the gate started; None: absent
    outcome: str = SKIPPED
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lock_name(name: str, alias: str) -> str:
    """The registered model that serialises promotions of ``name@alias``."""
    return f"{name}{LOCK_INFIX}{alias}"


def read_alias(client: Any, name: str, alias: str) -> str | None:
    """The version ``alias`` names now, or None when the alias does not exist."""
    aliases = mlflow_call(lambda: client.get_registered_model(name)).aliases
    version = aliases.get(alias)
    return None if version is None else str(version)


def _acquire(client: Any, lock: str, owner: str, description: str, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            mlflow_call(
                lambda: client.create_registered_model(
                    lock, tags={LOCK_OWNER_TAG: owner}, description=description
                )
            )
            return True
        except Exception as error:
            if "RESOURCE_ALREADY_EXISTS" not in error_code(error):
                raise
        holder = _lock_owner(client, lock)
        if holder == owner:  # our own create went through but its answer was lost
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(LOCK_POLL_SECONDS)


def _lock_owner(client: Any, lock: str) -> str | None:
    try:
        return mlflow_call(lambda: client.get_registered_model(lock)).tags.get(LOCK_OWNER_TAG)
    except Exception:  # released between our create and this read: try again
        return None


def compare_and_set(
    client: Any,
    name: str,
    alias: str,
    version: str,
    expected: str | None,
    owner: str,
    wait: float = LOCK_WAIT_SECONDS,
) -> Promotion:
    """Move ``name@alias`` to ``version`` only if it still names ``expected``.

    An alias that already names ``version`` is success with nothing to move (``already``): a CI
    retry of a promotion that went through must not fail.

    Returns the promotion ``promoted`` or ``refused``; registry errors propagate (the caller
    decides the exit code), and the alias is then untouched or already moved, never half-moved.
    """
    promotion = Promotion(alias=alias, expected=expected)
    lock = lock_name(name, alias)
    description = LOCK_DESCRIPTION.format(alias=alias, name=name)
    if not _acquire(client, lock, owner, description, wait):
        promotion.outcome = REFUSED
        promotion.reason = MSG_LOCK_BUSY.format(name=name, alias=alias, wait=wait, lock=lock)
        return promotion
    try:
        current = read_alias(client, name, alias)
        if current == version:  # a retry after success, or another gate of this version: done
            promotion.outcome = PROMOTED
            promotion.reason = MSG_ALREADY.format(name=name, alias=alias, version=version)
            return promotion
        if current != expected:
            promotion.outcome = REFUSED
            promotion.reason = MSG_ALIAS_MOVED.format(
                name=name,
                alias=alias,
                expected=expected or ABSENT,
                current=current or ABSENT,
                version=version,
            )
            return promotion
        mlflow_call(lambda: client.set_registered_model_alias(name, alias, version))
        promotion.reason = MSG_PROMOTED.format(
            name=name, alias=alias, version=version, expected=expected or ABSENT
        )
        promotion.outcome = PROMOTED
        return promotion
    finally:
        try:
            mlflow_call(lambda: client.delete_registered_model(lock))
        except Exception as error:
            promotion.reason += MSG_LOCK_LEFT.format(lock=lock, reason=short_reason(error))
