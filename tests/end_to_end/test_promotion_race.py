"""Two gates racing for the same alias: exactly one promotes, the other refuses (exit 1), and the
alias ends on a version that was compared with the champion it replaced.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from mlgate.integrations import _records
from mlgate.integrations._promotion import (
    LOCK_EXPIRES_TAG,
    LOCK_OWNER_TAG,
    LOCK_RELEASED_TAG,
    MSG_LOCK_BUSY,
    MSG_TOOK_OVER,
    PROMOTED,
    REFUSED,
    acquire,
    compare_and_set,
    lock_name,
)
from tests.end_to_end.conftest import mlgate_process

pytestmark = pytest.mark.integration

# A custom metric that holds each gate until both have evaluated: both read the champion at
# their start before either can promote, whatever the machine's speed.
BARRIER = """\
import os, time

def wait_for_both(y_true, y_pred):
    open(os.path.join({folder!r}, str(os.getpid())), "w").close()
    deadline = time.monotonic() + 120
    while len(os.listdir({folder!r})) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0.0
"""


def test_two_gate_processes_racing_for_champion_promote_exactly_once(registry, gate_for, tmp_path):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    contender = registry.add_version(name, "strong")  # version 3, as good as version 2
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    (tmp_path / "race_barrier.py").write_text(BARRIER.format(folder=str(barrier)))
    extra = "metrics: {barrier: {function: 'race_barrier:wait_for_both'}}\n"
    first = gate_for(name, registry.uri, extra=extra)
    second = first.with_name("second.yaml")
    pinned = first.read_text().replace("@challenger", f"/{contender}")
    second.write_text(pinned + "report: {json: second-report.json}\n")

    processes = [mlgate_process("run", "-c", str(gate)) for gate in (first, second)]
    outputs = [process.communicate(timeout=240) for process in processes]
    codes = sorted(process.returncode for process in processes)

    assert codes == [0, 1], outputs
    loser_err = next(
        err for process, (_, err) in zip(processes, outputs, strict=True) if process.returncode
    )
    assert f"not promoted: {name}@champion changed since the gate started (was 1, now" in loser_err
    winner = registry.alias(name, "champion")
    assert winner in ("2", contender)
    # Both passed the gate against version 1 and say so; only the winner moved the alias.
    assert registry.tags(name, 2)[_records.STATUS] == "passed"
    assert registry.tags(name, contender)[_records.STATUS] == "passed"
    # One generation taken per promotion; the superseded one deleted, the newest released.
    locks = sorted(
        model.name
        for model in registry.client.search_registered_models()
        if model.name.startswith(f"{name}.mlgate-lock.")
    )
    assert locks == [lock_name(name, "champion", 2)]
    assert LOCK_RELEASED_TAG in registry.client.get_registered_model(locks[0]).tags


def test_compare_and_set_from_two_threads_promotes_once(registry):
    name = registry.register(("weak", "champion"), ("strong", None), ("strong", None))
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def promote(version: str) -> None:
        start.wait()
        promotion = compare_and_set(registry.client, name, "champion", version, "1", owner=version)
        outcomes[version] = promotion.outcome

    threads = [threading.Thread(target=promote, args=(version,)) for version in ("2", "3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes.values()) == [PROMOTED, REFUSED]
    winner = next(version for version, outcome in outcomes.items() if outcome == PROMOTED)
    assert registry.alias(name, "champion") == winner


def test_a_lease_held_and_renewed_by_a_live_gate_refuses_after_the_wait(registry):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    held = acquire(registry.client, name, "champion", "other-gate", lease=60)
    assert held is not None

    promotion = compare_and_set(registry.client, name, "champion", "2", "1", "me", wait=0.5)

    assert promotion.outcome == REFUSED
    assert promotion.reason == MSG_LOCK_BUSY.format(
        name=name, alias="champion", wait=0.5, lock=lock_name(name, "champion", 1)
    )
    assert registry.alias(name, "champion") == "1"


# A process that takes the promotion lease exactly as a gate does, keeps renewing it, and
# announces it; the test kills it with SIGKILL while it holds the lease.
HOLDER = """import sys, time
from mlflow.tracking import MlflowClient
from mlgate.integrations._promotion import _Renewal, acquire

client = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
held = acquire(client, sys.argv[2], "champion", "killed-gate", lease=float(sys.argv[3]))
_Renewal(held, float(sys.argv[3]))
print(held.name, flush=True)
time.sleep(600)
"""
HOLDER_LEASE_S = 6.0


def _expires(registry, lock: str) -> float:
    return float(registry.client.get_registered_model(lock).tags[LOCK_EXPIRES_TAG])


def test_a_gate_killed_holding_the_lease_is_taken_over_once_it_expires(
    registry, gate_for, tmp_path
):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, registry.uri, name, str(HOLDER_LEASE_S)],
        stdout=subprocess.PIPE,
        text=True,
    )
    lock = holder.stdout.readline().strip()
    assert lock == lock_name(name, "champion", 1)
    first = _expires(registry, lock)
    time.sleep(HOLDER_LEASE_S / 3 + 1.5)
    assert _expires(registry, lock) > first  # renewed while held
    holder.send_signal(signal.SIGKILL)
    holder.wait(30)
    expired_at = _expires(registry, lock)  # no longer renewed

    gate = gate_for(name, registry.uri)
    process = mlgate_process("run", "-c", str(gate), "--report-dir", str(tmp_path))
    out, err = process.communicate(timeout=240)

    assert process.returncode == 0, (out, err)
    assert registry.alias(name, "champion") == "2"
    promotion = json.loads((tmp_path / "mlgate-report.json").read_text())["registry"]["promotion"]
    assert promotion["outcome"] == PROMOTED
    assert promotion["took_over"] == "killed-gate"
    taken = lock_name(name, "champion", 2)
    assert promotion["reason"].endswith(MSG_TOOK_OVER.format(owner="killed-gate", lock=taken))
    taken_model = registry.client.get_registered_model(taken)
    assert LOCK_RELEASED_TAG in taken_model.tags
    assert taken_model.creation_timestamp >= expired_at * 1000  # only once the lease ran out


def test_two_gates_racing_for_an_expired_lease_exactly_one_takes_it(registry):
    name = registry.register(("weak", "champion"))
    expired = lock_name(name, "champion", 4)
    registry.client.create_registered_model(
        expired, tags={LOCK_OWNER_TAG: "dead-gate", LOCK_EXPIRES_TAG: f"{time.time() - 1:.3f}"}
    )
    start = threading.Barrier(8)
    leases: dict[str, object] = {}

    def take(owner: str) -> None:
        start.wait()
        leases[owner] = acquire(registry.client, name, "champion", owner, wait=0.0, lease=60)

    threads = [threading.Thread(target=take, args=(f"gate-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    winners = {owner: lease for owner, lease in leases.items() if lease is not None}
    assert len(leases) == 8 and len(winners) == 1, leases
    ((owner, lease),) = winners.items()
    assert lease.name == lock_name(name, "champion", 5) and lease.took_over == "dead-gate"
    assert registry.client.get_registered_model(lease.name).tags[LOCK_OWNER_TAG] == owner


def test_a_holder_whose_lease_was_taken_over_does_not_move_the_alias(registry):
    name = registry.register(("weak", "champion"), ("strong", None))
    slow = acquire(registry.client, name, "champion", "slow-gate", lease=60)
    assert slow is not None
    registry.client.set_registered_model_tag(slow.name, LOCK_EXPIRES_TAG, f"{time.time() - 1:.3f}")
    fast = acquire(registry.client, name, "champion", "fast-gate", wait=0.0, lease=60)
    assert fast is not None and fast.generation == slow.generation + 1

    why = slow.lost(f"{name}.mlgate-lock.champion.", margin=1.0)

    assert why == "its generation was taken over"
    assert fast.lost(f"{name}.mlgate-lock.champion.", margin=1.0) is None
