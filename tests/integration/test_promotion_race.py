"""Two gates racing for the same alias: exactly one promotes, the other refuses (exit 1), and the
alias ends on a version that was compared with the champion it replaced.
"""

from __future__ import annotations

import threading

import pytest

from mlgate.integrations import _records
from mlgate.integrations._promotion import (
    MSG_LOCK_BUSY,
    PROMOTED,
    REFUSED,
    compare_and_set,
    lock_name,
)
from tests.integration.conftest import mlgate_process

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
    assert lock_name(name, "champion") not in {
        model.name for model in registry.client.search_registered_models()
    }


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


def test_a_lock_left_behind_refuses_promotion_and_names_it(registry):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    registry.client.create_registered_model(lock_name(name, "champion"))

    promotion = compare_and_set(registry.client, name, "champion", "2", "1", "me", wait=0.5)

    assert promotion.outcome == REFUSED
    assert promotion.reason == MSG_LOCK_BUSY.format(
        name=name, alias="champion", wait=0.5, lock=lock_name(name, "champion")
    )
    assert registry.alias(name, "champion") == "1"
