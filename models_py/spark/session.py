"""The one place that configures the local Spark session: where its tables (Parquet, one folder
per table) and its metastore live, and how it runs. dbt-spark's `method: session`, the ML step
and the tests all get their session from `local_session()`.

Spark needs Java 17 or later; `check_java()` says what to install when it is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from models_py.settings import env_path

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "MIN_JAVA",
    "JavaMissingError",
    "check_java",
    "local_session",
    "spark_conf",
    "spark_dir",
]

MIN_JAVA = 17
INSTALL_JAVA = (
    "install a Java runtime 17 or later (Debian/Ubuntu: sudo apt-get install "
    "openjdk-17-jre-headless; Fedora/RHEL: sudo dnf install java-17-openjdk-headless; macOS: "
    "brew install openjdk@17) and put it on PATH or set JAVA_HOME"
)


class JavaMissingError(RuntimeError):
    """No usable Java for Spark; the message says what to install."""


def spark_dir() -> Path:
    """CA_SPARK_DIR: the folder holding the Spark tables and the metastore."""
    return env_path("CA_SPARK_DIR")


def spark_conf(root: Path) -> dict[str, str]:
    """The local session's settings; `root` holds tables/ (Parquet) and metastore_db/ (Derby)."""
    root = root.absolute()
    cores = os.environ.get("CA_SPARK_CORES", "*")
    return {
        "spark.master": f"local[{cores}]",
        "spark.app.name": "customer_analytics",
        "spark.driver.memory": os.environ.get("CA_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(root / "tables"),
        # Hive reads the metastore location from the Hadoop configuration (spark.hadoop.*).
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        # Derby writes derby.log into the working directory unless told where.
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
        "spark.sql.sources.default": "parquet",
        "spark.sql.session.timeZone": "UTC",
        # Few, larger tasks: one machine has few cores and the default 200 partitions cost more
        # in task overhead than they save. A cluster profile sets its own.
        "spark.sql.shuffle.partitions": os.environ.get("CA_SPARK_SHUFFLE_PARTITIONS", "8"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def _java_command() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def _major_version(version_text: str) -> int | None:
    """17 from 'openjdk version "17.0.15"', 8 from 'java version "1.8.0_392"'."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_text)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_java() -> int:
    """The Java major version Spark will use; raises JavaMissingError saying what to install."""
    java = _java_command()
    if java is None:
        raise JavaMissingError(f"Spark needs Java but none was found: {INSTALL_JAVA}")
    result = subprocess.run(
        [java, "-version"], capture_output=True, text=True, check=False, timeout=60
    )
    major = _major_version(result.stderr + result.stdout)
    if major is None or major < MIN_JAVA:
        found = (result.stderr or result.stdout).strip().splitlines()[:1]
        raise JavaMissingError(
            f"Spark needs Java {MIN_JAVA} or later; {java} is {found or 'unreadable'}: "
            f"{INSTALL_JAVA}"
        )
    return major


def local_session(
    root: Path | None = None, overrides: Mapping[str, str] | None = None
) -> SparkSession:
    """The process's local Spark session with the metastore and tables under `root` (default
    CA_SPARK_DIR), `overrides` set on top of `spark_conf` (e.g. a driver result limit). Spark
    allows one per process: a later call returns the same session."""
    from pyspark.sql import SparkSession

    check_java()
    root = (root or spark_dir()).absolute()
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (mapInPandas) otherwise start the system python3, without this venv's pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # pyspark warns on every pandas conversion that pandas 3 is not fully supported; the Spark
    # parity tests check the conversions this project makes.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    builder = SparkSession.builder
    for key, value in {**spark_conf(root), **(overrides or {})}.items():
        builder = builder.config(key, value)
    session = builder.enableHiveSupport().getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
