"""Where a gate ran: CI commit and run URL from GitHub's and Azure's variables."""

from __future__ import annotations

from mlgate.provenance import ci_run, environment


def test_github_actions():
    env = {
        "GITHUB_SHA": "abc",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "org/repo",
        "GITHUB_RUN_ID": "42",
        "GITHUB_REF": "refs/pull/7/merge",
    }
    assert ci_run(env) == {
        "provider": "github",
        "commit": "abc",
        "run_url": "https://github.com/org/repo/actions/runs/42",
        "ref": "refs/pull/7/merge",
    }


def test_azure_pipelines():
    env = {
        "BUILD_SOURCEVERSION": "def",
        "SYSTEM_COLLECTIONURI": "https://dev.azure.com/org/",
        "SYSTEM_TEAMPROJECT": "My Project",
        "BUILD_BUILDID": "9",
    }
    assert ci_run(env) == {
        "provider": "azure",
        "commit": "def",
        "run_url": "https://dev.azure.com/org/My%20Project/_build/results?buildId=9",
    }


def test_outside_ci_no_ci_section():
    facts = environment({})
    assert "ci" not in facts
    assert set(facts) == {"python", "platform", "libraries"}
    assert "numpy" in facts["libraries"]
