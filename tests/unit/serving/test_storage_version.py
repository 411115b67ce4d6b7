"""The storage version of the served file: the setting chooses the format DuckDB writes, and an
unknown value is refused before anything is written (tests/integration/test_served_compat.py opens
the published file in older clients)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import make_build

from models_py.serving.publish import PublishError, publish


def test_unknown_storage_version_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, served = tmp_path / "build.duckdb", tmp_path / "served" / "analytics.duckdb"
    make_build(build, 1)  # a complete build: publish refuses any other
    monkeypatch.setenv("CA_SERVED_STORAGE_VERSION", "v1.1")
    with pytest.raises(PublishError, match=r"CA_SERVED_STORAGE_VERSION='v1\.1'.*'v1\.1\.0'"):
        publish(build, served)
    assert list(served.parent.iterdir()) == []


def test_storage_version_setting_chooses_the_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "build.duckdb"
    make_build(build, 1)  # a complete build: publish refuses any other
    written = {}
    for setting in ("", "v1.4.0", "latest"):
        monkeypatch.setenv("CA_SERVED_STORAGE_VERSION", setting)
        served = tmp_path / f"served{setting}.duckdb"
        publish(build, served)
        with duckdb.connect() as con:
            con.execute(f"attach '{served}' as served (read_only)")
            written[setting] = con.execute(
                "select tags['storage_version'] from duckdb_databases() "
                "where database_name = 'served'"
            ).fetchone()[0]
    assert written[""] == "v1.0.0+"  # the default: the format DuckDB 1.0 to 1.1 write
    assert written["v1.4.0"] == "v1.4.0+"
    assert written["latest"] not in {written[""], written["v1.4.0"]}
