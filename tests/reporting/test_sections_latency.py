"""Latency section from the documented ``details`` of the latency checks."""

from __future__ import annotations

from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from tests.reporting._sections import check, report_of, section_of


def summary(p50: float) -> dict:
    return {
        "calls": 400,
        "p50_ms": p50,
        "p95_ms": p50 * 2,
        "p99_ms": p50 * 3,
        "mean_ms": p50,
        "min_ms": p50 / 2,
        "max_ms": p50 * 4,
        "iqr_ms": p50 / 4,
    }


def throughput(rate: float) -> dict:
    return {
        "calls": 20,
        "rows": 20000,
        "seconds": 20000 / rate,
        "rows_per_s": rate,
        "min_rows_per_s": rate / 2,
        "max_rows_per_s": rate * 2,
    }


def details(with_champion: bool) -> dict:
    return {
        "single_row": {
            "model": summary(1.5),
            "baseline": summary(1.0) if with_champion else None,
            "rows_sampled": 200,
            "warmup_calls": 10,
            "stopped_by": "budget",
        },
        "batch": {
            "model": throughput(50000.0),
            "baseline": throughput(80000.0) if with_champion else None,
            "batch_size": 1000,
            "warmup_calls": 10,
            "stopped_by": "max_calls",
        },
        "budget_seconds": 10.0,
        "method": "predict",
    }


def test_challenger_next_to_champion_in_page_and_summary():
    report = report_of(
        check("latency", "single_row_p95_ms", details(True), value=3.0, threshold={"max": 5}),
        check("latency", "batch_rows_per_s", details(True), value=50000.0),
    )
    section = section_of(render_html(report), "latency")
    assert "<th>measure</th><th>challenger</th><th>champion</th>" in section
    assert "<tr><td>single row p99 (ms)</td><td>4.5</td><td>3</td></tr>" in section
    assert "<tr><td>batch rows/s</td><td>50,000</td><td>80,000</td></tr>" in section
    assert "predict timed within a 10 s budget; single row: 200 rows sampled" in section
    assert "<tr><th>single_row</th>" not in section
    assert "### Latency" in render_markdown(report)


def test_model_alone_has_no_champion_column():
    report = report_of(check("latency", "single_row_p50_ms", details(False), value=1.5))
    section = section_of(render_html(report), "latency")
    assert "<th>measure</th><th>model</th></tr>" in section
    assert "<tr><td>single row p50 (ms)</td><td>1.5</td></tr>" in section
