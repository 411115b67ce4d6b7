"""Fast checks of the benchmark harness (bench/): comparing features, SQL's ntile, the measuring
helpers. Speed itself is checked by `make bench`, never by timed tests; that the pandas way and
the floor query compute dbt's customer_features is tests/integration/test_bench_features.py."""

from __future__ import annotations

import sys

import duckdb
import numpy as np
import pandas as pd
import pytest

from bench import pandas_way
from bench.__main__ import pandas_outcomes, stage_of
from bench.compare import compare_features
from bench.floor import floor_sql
from bench.measure import run_measured


def test_compare_features_reports_a_changed_value():
    reference = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "monetary": [10.0, 20.0, 30.0], "gender": ["f", "m", "x"]}
    )
    candidate = reference.copy()
    candidate.loc[1, "monetary"] = 20.5
    result = compare_features(reference, candidate.iloc[:2], sample_size=3)
    assert result["columns"]["monetary"] == 1
    assert result["only_in_reference"] == 1
    assert result["example"]["customer_id"] == "b"


@pytest.mark.parametrize("rows", [1, 4, 5, 7, 13])
def test_ntile_matches_sql_ntile(rows):
    frame = pd.DataFrame(
        {"customer_id": [f"C{i:03d}" for i in range(rows)], "x": np.arange(rows) % 3}
    )
    expected = duckdb.sql(
        "select customer_id, ntile(5) over (order by x desc, customer_id) as bucket from frame"
    ).df()
    ours = pandas_way.ntile(frame, ["x", "customer_id"], [False, True])
    got = dict(zip(frame["customer_id"], ours, strict=True))
    assert got == dict(zip(expected["customer_id"], expected["bucket"], strict=True))


def test_floor_sql_names_a_missing_raw_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"customers\.parquet"):
        floor_sql(tmp_path, "parquet")


def test_run_measured_sees_the_memory_of_child_processes():
    # The parent allocates little; a grandchild holds ~200 MiB for a moment.
    child = (
        "import subprocess, sys; subprocess.run([sys.executable, '-c', "
        "\"import time; b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        'time.sleep(1.0)"], check=True)'
    )
    measured = run_measured([sys.executable, "-c", child], echo_prefix=None)
    assert measured.outcome == "ok"
    assert measured.peak_rss_mib > 150


def _run_python_under_300_mib_cap(code: str):
    return run_measured(
        [sys.executable, "-c", code], memory_cap_bytes=300 * 1024**2, echo_prefix=None
    )


def test_run_measured_stops_a_command_over_its_resident_memory_cap():
    # 600 MiB written (so resident) and held, under a 300 MiB cap: killed at a sample, not after
    # the sleep.
    measured = _run_python_under_300_mib_cap(
        "import time; b = b'x' * (600 * 1024 ** 2); time.sleep(30)"
    )
    assert measured.outcome == "oom"
    assert measured.seconds < 20
    assert measured.peak_rss_mib > 300


def test_run_measured_lets_reserved_but_untouched_memory_pass_the_cap():
    # 2 GiB of NumPy zeros (calloc'd, never written) under a 300 MiB cap: the pages are not
    # resident until written, so the command finishes.
    measured = _run_python_under_300_mib_cap(
        "import numpy; a = numpy.zeros(2 * 1024 ** 3, dtype='uint8'); print(a.nbytes)"
    )
    assert measured.outcome == "ok"


def test_pandas_outcomes_name_the_cap_and_the_peak_or_say_not_run():
    line = pandas_outcomes(
        {
            "outcomes": ["oom"],
            "seconds_to_outcome": 29.6,
            "memory_cap_gib": 18.8,
            "peak_during": "[pandas] load ...",
        }
    )
    assert line.startswith("Pandas way outcomes: oom (after 29.60 s")
    assert "cap 18.80 GiB" in line and "`[pandas] load ...`" in line
    assert pandas_outcomes({"outcomes": []}) == "Pandas way: not run."


def test_run_measured_records_a_timeout():
    measured = run_measured(
        [sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5, echo_prefix=None
    )
    assert measured.outcome == "timeout"
    assert measured.seconds < 10


@pytest.mark.parametrize(
    ("node", "stage"),
    [
        (
            {"resource_type": "model", "original_file_path": "models/staging/stg_customers.sql"},
            "staging",
        ),
        (
            {
                "resource_type": "model",
                "original_file_path": "models/intermediate/cleaning/int_orders_classified.sql",
            },
            "staging",
        ),
        (
            {
                "resource_type": "model",
                "original_file_path": "models/ml/segment_model.py",
                "name": "segment_model",
            },
            "segmentation",
        ),
        (
            {
                "resource_type": "model",
                "original_file_path": "models/ml/model_registry.py",
                "name": "model_registry",
            },
            "prediction",
        ),
        (
            {"resource_type": "test", "original_file_path": "models/marts/_marts__models.yml"},
            "dbt tests",
        ),
    ],
)
def test_stage_of_groups_dbt_nodes_by_folder(node, stage):
    assert stage_of(node) == stage
