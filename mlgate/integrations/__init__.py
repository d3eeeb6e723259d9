"""Integrations: record a finished gate elsewhere (MLflow run, registry tags, alias promotion;
GitHub Actions and Azure Pipelines in :mod:`mlgate.integrations.ci`).

They read a :class:`~mlgate.result.GateResult` and the registry facts read when the gate started;
they never recompute metrics.
"""
