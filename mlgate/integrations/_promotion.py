"""Promotion: move a registry alias to a gated version, compare-and-set, under a lease.

MLflow has no atomic compare-and-set on aliases: "re-read, then set" alone lets two gates that
started from the same champion both see it unchanged and both promote. So the re-read and the
move run under a lock that the registry itself arbitrates. Creating a registered model whose name
exists fails in every MLflow store (a unique key in SQL), so a name can be created once.

The lock is a *lease* in numbered generations: generation ``n`` is the registered model
``<model>.mlgate-lock.<alias>.<n>``, tagged with its owner and the wall-clock time its lease
expires. To take the lock a gate creates generation ``n + 1`` where ``n`` is the newest one,
which must be released or expired: creating that name *is* the compare-and-set, because of two
gates that saw the same ``n`` only one can create ``n + 1``. While it holds the lock the holder
renews its expiry from a thread; a holder killed with SIGKILL stops renewing, and once the lease
expires the next gate takes generation ``n + 1`` over (its report says from whom). Generations only
grow, so a holder that was too slow finds ``n + 1`` and knows it lost the lock.

Just before it moves the alias, the holder checks its lease: its own generation still names it,
no newer generation exists, and at least a third of the lease remains. What remains is
the time of that one ``set alias`` request: if it takes longer than the margin (a hung registry)
*and* another gate takes the lease over and moves the alias meanwhile, both moves happen. Expiry
times compare clocks of different machines, so clock skew between gate hosts adds to the window
(docs/how-to/serve-operations.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from mlgate.mlflow_gateway import error_code, is_not_found, mlflow_call, short_reason

PROMOTED = "promoted"
REFUSED = "refused"
SKIPPED = "skipped"
FAILED = "failed"

LOCK_INFIX = ".mlgate-lock."
LOCK_OWNER_TAG = "mlgate.lock.owner"
LOCK_EXPIRES_TAG = "mlgate.lock.expires"  # wall-clock seconds since the epoch
LOCK_RELEASED_TAG = "mlgate.lock.released"
LEASE_SECONDS = 15.0  # a holder renews every third of it; a dead holder's lock frees after it
LOCK_WAIT_SECONDS = LEASE_SECONDS + 10.0  # long enough to outlast a dead holder's lease
LOCK_POLL_SECONDS = 0.2
ABSENT = "absent"

LOCK_DESCRIPTION = (
    "Promotion lease of mlgate for the alias {alias} of {name} (generation {generation}). Tags "
    "say who holds it and until when; an expired or released generation is taken over "
    "automatically by the next gate. Older generations may be deleted."
)
MSG_PROMOTED = "moved {name}@{alias} to version {version} (was {expected})"
MSG_ALREADY = "{name}@{alias} already names version {version}"
MSG_ALIAS_MOVED = (
    "not promoted: {name}@{alias} changed since the gate started (was {expected}, now "
    "{current}); version {version} was not compared with the new {alias}: rerun the gate"
)
MSG_LOCK_BUSY = (
    "not promoted: another gate has held the promotion lease of {name}@{alias} for over {wait:g}s "
    "and keeps renewing it ('{lock}'); rerun when it has finished"
)
MSG_LEASE_LOST = (
    "not promoted: the promotion lease '{lock}' was lost before the alias moved ({why}); rerun "
    "the gate"
)
MSG_TOOK_OVER = "took over the expired promotion lease of {owner} ('{lock}')"
MSG_LOCK_LEFT = (
    "; the promotion lease '{lock}' could not be released ({reason}); it frees itself when it "
    "expires"
)


@dataclass
class Promotion:
    """The promotion step of one gate, as recorded in the report's ``registry.promotion``."""

    alias: str | None
    expected: str | None  # the version the alias named when the gate started; None: absent
    outcome: str = SKIPPED
    reason: str = ""
    took_over: str | None = None  # the owner of an expired lease this gate took over

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lock_prefix(name: str, alias: str) -> str:
    """The common start of the lock generations of ``name@alias``."""
    return f"{name}{LOCK_INFIX}{alias}."


def lock_name(name: str, alias: str, generation: int) -> str:
    """The registered model that is generation ``generation`` of the lock of ``name@alias``."""
    return f"{lock_prefix(name, alias)}{generation}"


def read_alias(client: Any, name: str, alias: str) -> str | None:
    """The version ``alias`` names now, or None when the alias does not exist."""
    aliases = mlflow_call(lambda: client.get_registered_model(name)).aliases
    version = aliases.get(alias)
    return None if version is None else str(version)


@dataclass
class Lease:
    """A held generation of a promotion lock."""

    client: Any
    name: str  # the lock generation's registered model
    generation: int
    owner: str
    expires: float
    took_over: str | None = None

    def renew(self, seconds: float) -> None:
        expires = time.time() + seconds
        mlflow_call(
            lambda: self.client.set_registered_model_tag(
                self.name, LOCK_EXPIRES_TAG, f"{expires:.3f}"
            )
        )
        self.expires = expires

    def lost(self, prefix: str, margin: float) -> str | None:
        """Why this lease may no longer be used to move the alias, or None when it still holds."""
        try:
            tags = mlflow_call(lambda: self.client.get_registered_model(self.name)).tags
        except Exception as error:
            if is_not_found(error):  # deleted by the gate that took the next generation
                return "its generation was taken over"
            raise
        if tags.get(LOCK_OWNER_TAG) != self.owner:
            return f"now held by {tags.get(LOCK_OWNER_TAG)}"
        left = _float(tags.get(LOCK_EXPIRES_TAG)) - time.time()
        if left < margin:
            return f"{max(left, 0.0):.1f}s of the lease left, {margin:g}s needed"
        if _exists(self.client, f"{prefix}{self.generation + 1}"):
            return "a newer generation exists"
        return None

    def release(self) -> None:
        """Mark the generation released (a taken-over one may be gone: nothing to release)."""
        try:
            mlflow_call(
                lambda: self.client.set_registered_model_tag(self.name, LOCK_RELEASED_TAG, "1")
            )
        except Exception as error:
            if not is_not_found(error):
                raise


def _float(text: str | None) -> float:
    try:
        return float(text) if text is not None else 0.0
    except ValueError:
        return 0.0


def _exists(client: Any, name: str) -> bool:
    try:
        mlflow_call(lambda: client.get_registered_model(name))
    except Exception as error:
        if is_not_found(error):
            return False
        raise
    return True


def _newest(client: Any, prefix: str) -> tuple[int, dict[str, str]]:
    """The newest generation's number and tags; (0, {}) when there is none.

    The registry search is a prefix match (``LIKE``), whose ``_`` and ``%`` are wildcards, so the
    names found are filtered exactly here.
    """
    pattern = prefix.replace("'", "\\'")
    found = mlflow_call(
        lambda: client.search_registered_models(f"name LIKE '{pattern}%'", max_results=1000)
    )
    newest: tuple[int, dict[str, str]] = (0, {})
    for model in found:
        suffix = model.name[len(prefix) :] if model.name.startswith(prefix) else ""
        if suffix.isdigit() and int(suffix) > newest[0]:
            newest = (int(suffix), dict(model.tags))
    return newest


def acquire(
    client: Any,
    name: str,
    alias: str,
    owner: str,
    wait: float = LOCK_WAIT_SECONDS,
    lease: float = LEASE_SECONDS,
    now: Callable[[], float] = time.time,
) -> Lease | None:
    """Take the promotion lease of ``name@alias``, waiting up to ``wait`` s; None when busy."""
    prefix = lock_prefix(name, alias)
    deadline = time.monotonic() + wait
    while True:
        generation, tags = _newest(client, prefix)
        free = (
            generation == 0
            or LOCK_RELEASED_TAG in tags
            or _float(tags.get(LOCK_EXPIRES_TAG)) <= now()
        )
        if free:
            took_over = None
            if generation and LOCK_RELEASED_TAG not in tags:
                took_over = tags.get(LOCK_OWNER_TAG, "an unknown owner")
            held = _create(client, prefix, generation + 1, owner, name, alias, lease, now)
            if held is not None:
                held.took_over = took_over
                _forget_older(client, prefix, generation)
                return held
        if time.monotonic() >= deadline:
            return None
        time.sleep(LOCK_POLL_SECONDS)


def _create(
    client: Any,
    prefix: str,
    generation: int,
    owner: str,
    name: str,
    alias: str,
    lease: float,
    now: Callable[[], float],
) -> Lease | None:
    """Create generation ``generation`` (the compare-and-set); None when another gate did."""
    lock = f"{prefix}{generation}"
    expires = now() + lease
    tags = {LOCK_OWNER_TAG: owner, LOCK_EXPIRES_TAG: f"{expires:.3f}"}
    description = LOCK_DESCRIPTION.format(alias=alias, name=name, generation=generation)
    try:
        mlflow_call(
            lambda: client.create_registered_model(lock, tags=tags, description=description)
        )
    except Exception as error:
        if "RESOURCE_ALREADY_EXISTS" not in error_code(error):
            raise
        try:  # our own create went through but its answer was lost (a retried request)
            current = mlflow_call(lambda: client.get_registered_model(lock)).tags
        except Exception:
            return None
        if current.get(LOCK_OWNER_TAG) != owner:
            return None
    return Lease(client, lock, generation, owner, expires)


def _forget_older(client: Any, prefix: str, newest_before: int) -> None:
    """Delete the generation just superseded (best effort: it only clutters the registry)."""
    if newest_before:
        try:
            mlflow_call(lambda: client.delete_registered_model(f"{prefix}{newest_before}"))
        except Exception:
            return


class _Renewal:
    """Renew a lease every third of its length from a daemon thread, until stopped."""

    def __init__(self, held: Lease, lease: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(held, lease), daemon=True)
        self._thread.start()

    def _run(self, held: Lease, lease: float) -> None:
        while not self._stop.wait(lease / 3):
            try:
                held.renew(lease)
            except Exception:  # the check before moving the alias sees an unrenewed lease
                continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def compare_and_set(
    client: Any,
    name: str,
    alias: str,
    version: str,
    expected: str | None,
    owner: str,
    wait: float = LOCK_WAIT_SECONDS,
    lease: float = LEASE_SECONDS,
) -> Promotion:
    """Move ``name@alias`` to ``version`` only if it still names ``expected``.

    An alias that already names ``version`` is success with nothing to move (``already``): a CI
    retry of a promotion that went through must not fail.

    Returns the promotion ``promoted`` or ``refused``; registry errors propagate (the caller
    decides the exit code), and the alias is then untouched or already moved, never half-moved.
    """
    promotion = Promotion(alias=alias, expected=expected)
    prefix = lock_prefix(name, alias)
    held = acquire(client, name, alias, owner, wait=wait, lease=lease)
    if held is None:
        generation = _newest(client, prefix)[0]
        promotion.outcome = REFUSED
        promotion.reason = MSG_LOCK_BUSY.format(
            name=name, alias=alias, wait=wait, lock=f"{prefix}{generation}"
        )
        return promotion
    renewal = _Renewal(held, lease)
    if held.took_over is not None:
        promotion.took_over = held.took_over
    try:
        _move(client, name, alias, version, expected, held, prefix, lease, promotion)
        if held.took_over is not None:
            promotion.reason += "; " + MSG_TOOK_OVER.format(owner=held.took_over, lock=held.name)
        return promotion
    finally:
        renewal.stop()
        try:
            held.release()
        except Exception as error:
            promotion.reason += MSG_LOCK_LEFT.format(lock=held.name, reason=short_reason(error))


def _move(
    client: Any,
    name: str,
    alias: str,
    version: str,
    expected: str | None,
    held: Lease,
    prefix: str,
    lease: float,
    promotion: Promotion,
) -> None:
    current = read_alias(client, name, alias)
    if current == version:  # a retry after success, or another gate of this version: done
        promotion.outcome = PROMOTED
        promotion.reason = MSG_ALREADY.format(name=name, alias=alias, version=version)
        return
    if current != expected:
        promotion.outcome = REFUSED
        promotion.reason = MSG_ALIAS_MOVED.format(
            name=name,
            alias=alias,
            expected=expected or ABSENT,
            current=current or ABSENT,
            version=version,
        )
        return
    why = held.lost(prefix, margin=lease / 3)
    if why is not None:
        promotion.outcome = REFUSED
        promotion.reason = MSG_LEASE_LOST.format(lock=held.name, why=why)
        return
    mlflow_call(lambda: client.set_registered_model_alias(name, alias, version))
    promotion.reason = MSG_PROMOTED.format(
        name=name, alias=alias, version=version, expected=expected or ABSENT
    )
    promotion.outcome = PROMOTED
