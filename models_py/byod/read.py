"""Read one configured input table (a file or a glob of files, CSV or Parquet) into a DataFrame of
text columns, with `_file` and `_row` (1-based data row within its file) for error messages.

Paths and reader options reach DuckDB only as prepared-statement parameters, never spliced into
SQL; column names are handled in pandas, never in SQL."""

from __future__ import annotations

import codecs
import csv
import glob
import itertools
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from models_py.byod.config import ByodError, TableConfig

FILE_COLUMN = "_file"
ROW_COLUMN = "_row"
UTF8_NAMES = {"utf-8", "utf8", "utf_8"}
CHUNK_BYTES = 1 << 20
# Delimiters a sniff considers, most common first; the first lines it reads.
SNIFF_DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50


class MissingFilesError(ByodError):
    """A table's path names no file."""


def resolve_files(table: TableConfig) -> list[Path]:
    """The files a table's path (relative to the config file) or glob names, sorted."""
    pattern = Path(table.path).expanduser()
    if not pattern.is_absolute():
        pattern = table.base_dir / pattern
    if glob.has_magic(str(pattern)):
        files = sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
        if not files:
            raise MissingFilesError(f"tables.{table.name}.path: no file matches {pattern}")
        return files
    if not pattern.is_file():
        raise MissingFilesError(f"tables.{table.name}.path: file not found: {pattern}")
    return [pattern]


def is_utf8(encoding: str) -> bool:
    return encoding.lower() in UTF8_NAMES


def first_invalid_utf8(path: Path) -> tuple[int, int, bytes] | None:
    """Where a file stops being UTF-8: (byte offset, 1-based line, the offending bytes), or None
    when it is valid UTF-8. Reads the file in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            # bytes of a character split across chunks wait in the decoder (never a newline)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                data = error.object
                line += data[: error.start].count(b"\n")
                return offset - pending + error.start, line, data[error.start : error.start + 4]
            if not chunk:
                return None
            line += chunk.count(b"\n")
            offset += len(chunk)


def not_utf8_error(path: Path, table: TableConfig) -> ByodError | None:
    """A ByodError saying where the file is not UTF-8 and which key to set, or None."""
    found = first_invalid_utf8(path)
    if found is None:
        return None
    offset, line, sample = found
    return ByodError(
        f"{path}: the file is not UTF-8 text (line {line}, byte offset {offset}: bytes "
        f"{sample.hex(' ')}). Set its encoding with `encoding: latin-1` (or cp1252, utf-16, ...) "
        f"under tables.{table.name} in the config"
    )


def _transcode(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of a file in another encoding (DuckDB reads UTF-8)."""
    target = workdir / f"{len(list(workdir.iterdir()))}.csv"
    try:
        with (
            path.open(encoding=encoding, newline="") as source,
            target.open("w", encoding="utf-8", newline="") as sink,
        ):
            shutil.copyfileobj(source, sink)
    except (LookupError, UnicodeDecodeError) as error:
        raise ByodError(f"{path}: cannot be read as {encoding}: {error}") from error
    return target


def _read_whitespace(path: Path, table: TableConfig) -> pd.DataFrame:
    """A file whose fields are separated by runs of spaces or tabs (no quoting)."""
    try:
        text = path.read_text(encoding=table.encoding)
    except (LookupError, UnicodeDecodeError) as error:
        if is_utf8(table.encoding) and (not_utf8 := not_utf8_error(path, table)):
            raise not_utf8 from error
        raise ByodError(f"{path}: cannot be read as {table.encoding}: {error}") from error
    lines = [line.split() for line in text.splitlines()]
    lines = [fields for fields in lines if fields]
    if table.header:
        if not lines:
            return pd.DataFrame()
        names, lines = list(table.columns or lines[0]), lines[1:]
    else:
        names = list(table.columns or ())
    for number, fields in enumerate(lines, start=1):
        if len(fields) != len(names):
            raise ByodError(
                f"{path}: data row {number} has {len(fields)} fields, expected {len(names)} "
                f"({', '.join(names)})"
            )
    return pd.DataFrame(lines, columns=names, dtype=object)


def _field_counts(lines: list[str], delimiter: str, quote: str | None) -> set[int]:
    quoting = {"quotechar": quote} if quote else {"quoting": csv.QUOTE_NONE}
    return {len(row) for row in csv.reader(lines, delimiter=delimiter, **quoting) if row}


def sniff_delimiter(path: Path, quote: str | None, setting: str) -> str:
    """The one delimiter that splits every one of the first lines of a UTF-8 file into the same
    number (two or more) of fields; ',' when none does. Several such delimiters are ambiguous:
    a ByodError asks for the `setting` key."""
    # Undecodable bytes are replaced here; the reader proper reports them.
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        lines = [line for line in itertools.islice(handle, SNIFF_LINES) if line.strip()]
    consistent = {}
    for delimiter in SNIFF_DELIMITERS:
        counts = _field_counts(lines, delimiter, quote)
        if len(counts) == 1 and min(counts) > 1:
            consistent[delimiter] = counts.pop()
    if len(consistent) > 1:
        found = ", ".join(f"{d!r} ({n} fields)" for d, n in consistent.items())
        raise ByodError(
            f"{path}: cannot tell the delimiter: each of {found} splits the first "
            f"{len(lines)} lines evenly; set {setting} (e.g. delimiter: ';')"
        )
    return next(iter(consistent), ",")


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: TableConfig, delimiter: str
) -> pd.DataFrame:
    options = ["delim := ?", "header := ?", "all_varchar := true"]
    params: list = [str(path), delimiter, table.header]
    if table.quote is not None:
        options.append("quote := ?")
        params.append(table.quote)
    if table.columns is not None:
        options.append("names := ?")
        params.append(list(table.columns))
    sql = f"select * from read_csv(?, {', '.join(options)})"
    return con.execute(sql, params).df()


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> pd.DataFrame:
    frame = con.execute("select columns(*)::varchar from read_parquet(?)", [str(path)]).df()
    return frame


def _read_file(con, path: Path, table: TableConfig, workdir: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise ByodError(f"{path}: the file is empty")
    if table.format == "parquet":
        frame = _read_parquet(con, path)
    elif table.delimiter == "whitespace":
        frame = _read_whitespace(path, table)
    else:
        source = path
        if not is_utf8(table.encoding):
            source = _transcode(path, table.encoding, workdir)
        delimiter = table.delimiter or sniff_delimiter(
            source, table.quote, f"tables.{table.name}.delimiter"
        )
        frame = _read_csv(con, source, table, delimiter)
    if len(frame) == 0:
        raise ByodError(f"{path}: the file has no data rows")
    if table.format == "parquet" and table.columns is not None:
        if len(table.columns) != len(frame.columns):
            raise ByodError(
                f"tables.{table.name}.columns: {len(table.columns)} names for "
                f"{len(frame.columns)} columns in {path}"
            )
        frame.columns = list(table.columns)
    return frame


def read_table(table: TableConfig) -> pd.DataFrame:
    """Every row of every file of the table, all columns text (None when empty), plus `_file` and
    `_row`. Raises ByodError naming the file when one is missing, empty, unreadable, or lacks a
    mapped column."""
    frames = []
    with tempfile.TemporaryDirectory(prefix="byod-read-") as tmp, duckdb.connect() as con:
        for path in resolve_files(table):
            try:
                frame = _read_file(con, path, table, Path(tmp))
            except duckdb.Error as error:
                not_utf8 = table.format == "csv" and is_utf8(table.encoding)
                if not_utf8 and (not_utf8_message := not_utf8_error(path, table)):
                    raise not_utf8_message from error
                first_line = str(error).strip().splitlines()[0]
                raise ByodError(
                    f"{path}: cannot be read as {table.format}: {first_line}"
                ) from error
            missing = [
                f"{key} -> {column.source!r}"
                for key, column in table.mapping.items()
                if column.source not in frame.columns
            ]
            if missing:
                raise ByodError(
                    f"{path}: tables.{table.name}.mapping names column(s) the file does not have: "
                    f"{'; '.join(missing)}. The file's columns are: "
                    f"{', '.join(repr(str(c)) for c in frame.columns)}"
                )
            frame = frame.astype(object).where(frame.notna(), None)
            frame[FILE_COLUMN] = str(path)
            frame[ROW_COLUMN] = range(1, len(frame) + 1)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
