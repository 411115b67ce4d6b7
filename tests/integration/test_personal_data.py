"""Personal data stays out of BI: the served file and the segment CSVs carry no name, email, phone
or birth date of any demo customer, and the on-request audiences hold only consenting customers
with SHA-256 hashes of their normalised email and phone."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from models_py.report import build_report
from models_py.serving.audiences import (
    normalise_email,
    normalise_phone,
    sha256_hex,
    write_audiences,
)
from models_py.serving.publish import publish

pytestmark = pytest.mark.integration

# Known vectors, computed outside Python: printf '%s' test@example.com | sha256sum
SHA256_TEST_EMAIL = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
# printf '%s' +919876543210 | sha256sum
SHA256_TEST_PHONE = "f3a47ce5ce3d4ca8ad15225a245b2759022f79489f5c62719b8c9490f7aab90e"
IDENTIFIER_COLUMN_NAMES = {"name", "customer_name", "email", "phone", "date_of_birth"}
CONSENT_YES = {"yes", "y", "true"}


@dataclass(frozen=True)
class Outputs:
    raw_customers: pd.DataFrame
    served: Path
    exports_dir: Path
    audiences_dir: Path


@pytest.fixture(scope="module")
def outputs(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    root = tmp_path_factory.mktemp("personal_data")
    served = root / "analytics.duckdb"
    publish(built_warehouse.db_path, served)
    build_report(served, root / "report", root / "exports")
    write_audiences(built_warehouse.db_path, root / "audiences", "91")
    raw = pd.read_csv(built_warehouse.raw_dir / "customers.csv", dtype=str, keep_default_na=False)
    return Outputs(
        raw_customers=raw,
        served=served,
        exports_dir=root / "exports",
        audiences_dir=root / "audiences",
    )


@dataclass(frozen=True)
class Identifiers:
    """Every direct identifier of the demo customers, as a scan looks for it."""

    texts: set[str]  # names, emails, raw phones and birth dates with separators (lower-cased)
    digits: set[str]  # phones without and with the country code; YYYYMMDD birth dates
    birth_dates: set[pd.Timestamp]


def identifiers(raw: pd.DataFrame) -> Identifiers:
    values = {c: [v.strip() for v in raw[c] if v.strip()] for c in raw.columns}
    texts = {v.lower() for c in ("name", "email", "phone") for v in values[c]}
    texts |= {v for v in values["date_of_birth"] if not v.isdigit()}
    national = {re.sub(r"\D", "", p)[-10:] for p in values["phone"]}
    digits = national | {"91" + n for n in national}
    digits |= {v for v in values["date_of_birth"] if v.isdigit()}
    births = pd.to_datetime(raw["date_of_birth"], errors="coerce", format="mixed", dayfirst=True)
    return Identifiers(texts=texts, digits=digits, birth_dates=set(births.dropna().dt.normalize()))


def leaks(blob: str, ids: Identifiers) -> list[str]:
    """Identifiers found in a text: strings anywhere, digit identifiers as whole digit runs."""
    lowered = blob.lower()
    found = [text for text in ids.texts if text in lowered]
    return found + sorted(set(re.findall(r"\d+", blob)) & ids.digits)


def test_served_file_holds_no_direct_identifier(outputs: Outputs) -> None:
    ids = identifiers(outputs.raw_customers)
    assert len(ids.texts) > 1000 and len(ids.birth_dates) > 500  # the scan has something to find
    with duckdb.connect(str(outputs.served), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database()"
        ).fetchall()
        assert {t for t, _, _ in columns} >= {"dim_customers", "quarantine_customers"}
        assert "dim_customer_contacts" not in {t for t, _, _ in columns}
        named = [(t, c) for t, c, _ in columns if c.lower() in IDENTIFIER_COLUMN_NAMES]
        assert named == [], f"identifier columns served: {named}"
        for table, column, data_type in columns:
            values = con.execute(f'select distinct "{column}" from "{table}"').fetchall()
            values = [v for (v,) in values if v is not None]
            if data_type in ("DATE", "TIMESTAMP"):
                births = {pd.Timestamp(v).normalize() for v in values} & ids.birth_dates
                assert not births, f"{table}.{column} holds birth dates, e.g. {sorted(births)[:3]}"
            elif data_type == "VARCHAR" or data_type.startswith(("STRUCT", "MAP", "VARCHAR[]")):
                found = leaks("\n".join(map(str, values)), ids)
                assert not found, f"{table}.{column} holds identifiers, e.g. {found[:3]}"


def test_exported_csvs_hold_no_direct_identifier(outputs: Outputs) -> None:
    ids = identifiers(outputs.raw_customers)
    files = sorted(outputs.exports_dir.glob("*.csv")) + sorted(outputs.audiences_dir.glob("*.csv"))
    assert len(files) >= 4
    for path in files:
        found = leaks(path.read_text(encoding="utf-8"), ids)
        assert not found, f"{path.name} holds identifiers, e.g. {found[:3]}"


def test_hashes_match_known_vectors_whatever_the_spelling() -> None:
    for email in ("test@example.com", "  Test@Example.COM ", "TEST@EXAMPLE.COM\t"):
        assert sha256_hex(normalise_email(email)) == SHA256_TEST_EMAIL
    for phone in (
        "+91 98765 43210",
        "+91-98765-43210",
        "9876543210",
        "098765 43210",
        "0091 9876543210",
    ):
        assert normalise_phone(phone, "91") == "+919876543210"
        assert sha256_hex(normalise_phone(phone, "91")) == SHA256_TEST_PHONE
    assert normalise_phone("+1 (650) 555-1212", "91") == "+16505551212"
    assert normalise_phone("+44 (0)20 7946 0958", "91") == "+442079460958"
    assert normalise_phone("12345", "91") is None
    assert normalise_email("no-at-sign.example.com") is None


def hashlib_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def audience_rows(outputs: Outputs) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str) for p in sorted(outputs.audiences_dir.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def test_audiences_hold_exactly_the_consenting_segmented_customers(outputs: Outputs) -> None:
    raw = outputs.raw_customers
    consent = raw.assign(yes=raw["marketing_consent"].str.strip().str.lower().isin(CONSENT_YES))
    consenting = set(consent.loc[consent["yes"], "customer_id"].str.strip())
    with duckdb.connect(str(outputs.served), read_only=True) as con:
        segmented = dict(
            con.execute(
                "select customer_id, segment_name from customer_360 where segment_id is not null"
            ).fetchall()
        )
    rows = audience_rows(outputs)
    assert rows["customer_id"].is_unique
    assert set(rows["customer_id"]) == consenting & set(segmented)
    assert 0.2 < len(rows) / len(segmented) < 0.6  # a realistic share consents
    assert dict(zip(rows["customer_id"], rows["segment_name"], strict=True)) == {
        c: segmented[c] for c in rows["customer_id"]
    }


def test_audience_hashes_are_of_the_customers_own_email_and_phone(outputs: Outputs) -> None:
    raw = outputs.raw_customers.assign(customer_id=lambda f: f["customer_id"].str.strip())
    # A re-sent record may carry a new phone: any version of the customer's record may match.
    emails = raw.groupby("customer_id")["email"].agg(
        lambda v: {hashlib_hex(e.strip().lower()) for e in v}
    )
    phones = raw.groupby("customer_id")["phone"].agg(
        lambda v: {hashlib_hex("+" + re.sub(r"\D", "", p)) for p in v}
    )
    rows = audience_rows(outputs)
    assert rows["email_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    for row in rows.itertuples():
        assert row.email_sha256 in emails[row.customer_id]
        assert row.phone_sha256 in phones[row.customer_id]
