"""Audiences for campaign activation, on request: per segment, the customers who gave marketing
consent, with email and phone normalised and hashed with SHA-256 as ad platforms' customer-match
uploads expect (email trimmed and lower-cased; phone in E.164, +<country code><number>; the hash of
that text as lower-case hex).

It reads the build file (``CA_WAREHOUSE_PATH``), the only place direct identifiers live (the
private ``dim_customer_contacts``), and writes ``<out>/segment_<id>_<name>.csv`` outside the served
file. Nothing raw leaves: the CSVs hold the customer id, the segment and the two hashes.

Run: ``python -m models_py audiences [--build PATH] [--out DIR] [--country-code 91]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from models_py.settings import env_path

# Calling code of phone numbers written without one (national numbers); India for the demo.
DEFAULT_COUNTRY_CODE = "91"
AUDIENCE_COLUMNS = ("customer_id", "segment_name", "email_sha256", "phone_sha256")
# E.164: at most 15 digits after the +; shorter than 8 is no real subscriber number.
E164_DIGITS = (8, 15)

CONSENTING_CUSTOMERS_SQL = """
select
    contacts.customer_id,
    profile.segment_id,
    profile.segment_name,
    contacts.email,
    contacts.phone
from dim_customer_contacts as contacts
inner join dim_customers as customers
    on contacts.customer_id = customers.customer_id
inner join customer_360 as profile
    on contacts.customer_id = profile.customer_id
where customers.marketing_consent and profile.segment_id is not null
order by profile.segment_id, contacts.customer_id
"""


class AudienceError(RuntimeError):
    """The audiences cannot be written (no build file, a table missing, a bad setting)."""


@dataclass(frozen=True)
class Audience:
    segment_name: str
    path: Path
    customers: int


@dataclass(frozen=True)
class AudienceRun:
    audiences: list[Audience]
    consenting: int
    unreachable: int  # consenting customers with neither a usable email nor phone


def normalise_email(email: str | None) -> str | None:
    """Trimmed, lower-cased email; None when empty or without a single '@' between text."""
    if email is None:
        return None
    text = email.strip().lower()
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or " " in text:
        return None
    return text


def normalise_phone(phone: str | None, country_code: str = DEFAULT_COUNTRY_CODE) -> str | None:
    """E.164 (+ and digits only). A number starting with + or 00 carries its own country code;
    any other is a national number of `country_code` (a leading trunk 0 is dropped). None when
    empty or not 8-15 digits. Numbers without + or 00 are never read as international."""
    if phone is None:
        return None
    # "(0)" marks a trunk zero dropped when dialling from abroad: +44 (0)20 ... is +4420...
    text = phone.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        international = country_code + digits.removeprefix("0")
    if not E164_DIGITS[0] <= len(international) <= E164_DIGITS[1]:
        return None
    return "+" + international


def sha256_hex(text: str | None) -> str | None:
    """SHA-256 of the UTF-8 text as lower-case hex; None stays None."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed_audience(contacts: pd.DataFrame, country_code: str) -> pd.DataFrame:
    """customer_id, segment_id, segment_name and the hashes of the normalised email and phone."""
    emails = contacts["email"].map(normalise_email, na_action="ignore")
    phones = contacts["phone"].map(lambda p: normalise_phone(p, country_code), na_action="ignore")
    return pd.DataFrame(
        {
            "customer_id": contacts["customer_id"],
            "segment_id": contacts["segment_id"],
            "segment_name": contacts["segment_name"],
            "email_sha256": emails.map(sha256_hex, na_action="ignore"),
            "phone_sha256": phones.map(sha256_hex, na_action="ignore"),
        }
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "segment"


def _consenting_customers(build_path: Path) -> pd.DataFrame:
    if not build_path.is_file():
        raise AudienceError(f"build file {build_path} does not exist: run `make run` first")
    try:
        with duckdb.connect(str(build_path), read_only=True) as con:
            return con.execute(CONSENTING_CUSTOMERS_SQL).df()
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise AudienceError(
            f"cannot read the audiences from {build_path} (is dbt still writing it, or is the "
            f"build older than dim_customer_contacts?): {first_line}"
        ) from exc


def write_audiences(
    build_path: Path, out_dir: Path, country_code: str = DEFAULT_COUNTRY_CODE
) -> AudienceRun:
    """One CSV per segment of the consenting customers reachable by email or phone (hashed).
    Earlier segment files in `out_dir` are replaced."""
    if not country_code.isdigit() or not 1 <= len(country_code) <= 3:
        raise AudienceError(f"country calling code {country_code!r}: expected 1-3 digits, e.g. 91")
    audience = hashed_audience(_consenting_customers(Path(build_path)), country_code)
    reachable = audience["email_sha256"].notna() | audience["phone_sha256"].notna()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("segment_*.csv"):
        stale.unlink()
    written = []
    for (segment_id, segment_name), rows in audience.loc[reachable].groupby(
        ["segment_id", "segment_name"], sort=True
    ):
        path = out_dir / f"segment_{int(segment_id)}_{_slug(str(segment_name))}.csv"
        rows.loc[:, list(AUDIENCE_COLUMNS)].to_csv(path, index=False)
        written.append(Audience(segment_name=str(segment_name), path=path, customers=len(rows)))
    return AudienceRun(
        audiences=written, consenting=len(audience), unreachable=int((~reachable).sum())
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models_py audiences",
        description="Write per-segment audiences of consenting customers with SHA-256 hashed "
        "email and phone (customer-match format), from the build file.",
    )
    parser.add_argument(
        "--build",
        type=Path,
        default=env_path("CA_WAREHOUSE_PATH"),
        help="dbt's working DuckDB file (default: $CA_WAREHOUSE_PATH or warehouse/build.duckdb)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=env_path("CA_AUDIENCES_DIR"),
        help="folder for the audience CSVs (default: $CA_AUDIENCES_DIR or warehouse/audiences)",
    )
    parser.add_argument(
        "--country-code",
        default=os.environ.get("CA_DEFAULT_COUNTRY_CODE") or DEFAULT_COUNTRY_CODE,
        help="calling code for phone numbers written without one "
        f"(default: $CA_DEFAULT_COUNTRY_CODE or {DEFAULT_COUNTRY_CODE})",
    )
    args = parser.parse_args(argv)
    try:
        run = write_audiences(args.build, args.out, args.country_code)
    except AudienceError as exc:
        print(f"audiences: {exc}", file=sys.stderr)
        return 1
    for audience in run.audiences:
        print(f"{audience.path}: {audience.customers} customers ({audience.segment_name})")
    print(
        f"{run.consenting} consenting customers in a segment; {run.unreachable} left out "
        "without a usable email or phone"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
