"""The local Spark session's settings, the Java check and the raw views' column lists (no Spark
started: these run without Java)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from models_py.spark.raw_tables import _view_columns, declared_columns
from models_py.spark.session import JavaMissingError, _major_version, check_java, spark_conf


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("no version here", None),
    ],
)
def test_java_major_version(text: str, major: int | None) -> None:
    assert _major_version(text) == major


def fake_java(folder: Path, version_line: str) -> Path:
    """A `java` executable that prints `version_line` as `java -version` does (on stderr)."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return java


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaMissingError, match=r"Java but none was found.*openjdk-17-jre-headless"):
        check_java()


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    fake_java(tmp_path, 'java version "1.8.0_392"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaMissingError, match=r'needs Java 17 or later.*"1\.8\.0_392"'):
        check_java()


def test_java_17_from_java_home(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", os.defpath)
    assert check_java() == 17


def test_tables_and_metastore_under_the_spark_dir(tmp_path) -> None:
    conf = spark_conf(tmp_path)
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "tables")
    assert (
        f"databaseName={tmp_path / 'metastore_db'};"
        in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert conf["spark.sql.catalogImplementation"] == "hive"
    assert conf["spark.sql.sources.default"] == "parquet"


def test_raw_view_has_every_declared_column_absent_ones_null() -> None:
    columns = _view_columns(["customer_id", "marketing_consent"], ["Customer_ID", "extra"])
    assert columns == [
        "`Customer_ID` as `customer_id`",
        "cast(null as string) as `marketing_consent`",
        "`extra`",
    ]


def test_declared_columns_come_from_the_raw_source_yml() -> None:
    declared = declared_columns()
    assert {"customers", "products", "orders", "order_lines"} <= set(declared)
    assert "marketing_consent" in declared["customers"]
