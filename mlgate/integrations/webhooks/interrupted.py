"""End the MLflow run of a gate that was cut off, so the tracking UI does not show it running.

A receiver killed with SIGKILL takes its gate child's outcome with it only when the child dies too
(the child has its own session, so usually it finishes and its outcome is adopted). When it did
not finish, its run may have been created and left ``RUNNING``; the gate that replaces it ends
that run ``KILLED`` first. The run is found by what the gate wrote on it: its name
(``mlgate <model> v<version>``), the gate digest tag, and the ``RUNNING`` status.
"""

from __future__ import annotations

import sys
from functools import partial

from mlgate.integrations import _records
from mlgate.mlflow_gateway import mlflow_call, registry_client
from mlgate.spec import load_spec

KILLED = "KILLED"
MSG_ENDED = "mlgate serve: ended interrupted run {run_id} of {model} v{version} as KILLED"
MSG_NOT_ENDED = "mlgate serve: could not end the interrupted run of {model} v{version}: {error}"


def end_interrupted_runs(gate: str, model: str, version: str, digest: str) -> list[str]:
    """Set ``KILLED`` on every ``RUNNING`` run of this (model, version, gate); their ids.

    Best effort: a registry that cannot be reached now is reported on stderr (the gate log) and
    the gate runs anyway, since a run left ``RUNNING`` misleads but decides nothing.
    """
    try:
        spec = load_spec(gate)
        client, _tracking, _registry = registry_client(spec)
        experiment = mlflow_call(lambda: client.get_experiment_by_name(spec.experiment))
        if experiment is None:
            return []
        # The digest is hex, safe inside the filter; the run name (free text) is compared here.
        query = f"attributes.status = 'RUNNING' and tags.`{_records.GATE_DIGEST}` = '{digest}'"
        runs = mlflow_call(partial(client.search_runs, [experiment.experiment_id], query))
        name = f"mlgate {model} v{version}"
        ended = []
        for run in runs:
            if run.info.run_name != name:
                continue
            run_id = run.info.run_id
            mlflow_call(partial(client.set_terminated, run_id, KILLED))
            print(MSG_ENDED.format(run_id=run_id, model=model, version=version), file=sys.stderr)
            ended.append(run_id)
        return ended
    except Exception as error:  # best effort, see above
        reason = " ".join(str(error).split())
        print(MSG_NOT_ENDED.format(model=model, version=version, error=reason), file=sys.stderr)
        return []
