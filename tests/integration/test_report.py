"""The HTML report and the segment exports, built from a published warehouse: self-contained,
every headline number re-derived by SQL, and rendered by a real headless Chromium with no console
errors and no network requests."""

from __future__ import annotations

import base64
import contextlib
import csv
import fcntl
import html as html_lib
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import duckdb
import numpy as np
import pytest
from helpers import run_dbt
from PIL import Image

from models_py.report import build_report
from models_py.report.money import Currency
from models_py.report.sections import HEADLINES, SECTIONS
from models_py.serving.publish import publish

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Report:
    served: Path
    html_path: Path
    html: str
    exports_dir: Path
    unavailable: list[str]

    def query(self, sql: str):
        with duckdb.connect(str(self.served), read_only=True) as con:
            return con.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def report(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("report")
    served = root / "analytics.duckdb"
    publish(built_warehouse.db_path, served)
    result = build_report(served, root / "report", root / "exports")
    return Report(
        served=served,
        html_path=result.html_path,
        html=result.html_path.read_text(encoding="utf-8"),
        exports_dir=root / "exports",
        unavailable=result.unavailable_sections,
    )


# ---------------------------------------------------------------------------------------------
# Headline numbers: recomputed here with independent SQL (often over a different table).

EXPECTED_HEADLINES = {
    "customers": "select count(distinct customer_id) from dim_customers",
    "buying_customers": "select count(distinct customer_id) from customer_360 "
    "where first_order_date is not null",
    "net_revenue": "select sum(net_revenue) from monthly_revenue",
    "completed_orders": "select sum(completed_orders) from monthly_revenue",
    "active_share": "select count(*) filter (where last_order_date > as_of_date - 91) "
    "/ count(*) from customer_features",
    "expected_revenue_next_horizon": "select sum(predicted_spend_next_90d) from customer_360",
    "raw_rows": "select sum(clean_rows + duplicates_removed + quarantined_rows "
    "+ excluded_test_rows) from data_quality_summary",
    "duplicates_removed": "select sum(duplicates_removed) from data_quality_summary",
    "quarantined_rows": "select sum(quarantined_rows) from data_quality_summary",
    "excluded_test_rows": "select sum(excluded_test_rows) from data_quality_summary",
}


def headline_values(html: str) -> dict[str, float]:
    return {
        key: float(value)
        for key, value in re.findall(r'data-metric="([^"]+)" data-value="([^"]*)"', html)
    }


def test_every_headline_number_matches_sql_on_the_served_warehouse(report: Report) -> None:
    shown = headline_values(report.html)
    assert set(EXPECTED_HEADLINES) == {h.key for h in HEADLINES}
    assert set(shown) == set(EXPECTED_HEADLINES), "some headline numbers are missing"
    for key, sql in EXPECTED_HEADLINES.items():
        expected = float(report.query(sql))
        assert shown[key] == pytest.approx(expected, rel=1e-9), key
    assert shown["customers"] > 0 and shown["net_revenue"] > 0
    assert 0 < shown["active_share"] < 1


def test_report_is_complete_self_contained_and_accessible(report: Report) -> None:
    html = report.html
    assert report.unavailable == [], f"sections without data: {report.unavailable}"
    assert "Not available" not in html
    # nothing fetched from anywhere: no URLs at all, no external scripts, styles, images or fonts
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I)
    assert not re.search(
        r"<(script|link|iframe|object|embed)\b|<img\b|@import|url\(['\"]?[^#'\"]", html
    )
    for section in SECTIONS:
        assert f'id="{section.key}"' in html, section.key
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) >= 10
    for svg in svgs:
        head = svg[: svg.index(">") + 1]
        assert 'role="img"' in head and "aria-labelledby=" in head
        title = re.search(r"<title id=\"[^\"]+\">([^<]+)</title>", svg)
        assert title and title.group(1).strip()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate element ids"
    # money and time are labelled with their units
    assert "net revenue (\u20b9)" in html
    assert "Days since last order" in html


def test_segment_exports_cover_every_segmented_customer(report: Report) -> None:
    files = sorted(report.exports_dir.glob("segment_*.csv"))
    segments = report.query("select count(distinct segment_id) from customer_segments")
    assert len(files) == segments
    assert any(path.name.endswith("_at_risk.csv") for path in files)
    seen: list[str] = []
    for path in files:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, path
        assert list(rows[0]) == [
            "customer_id",
            "segment_name",
            "p_purchase_next_90d",
            "predicted_spend_next_90d",
            "value_at_risk_12m",
        ]
        assert len({r["segment_name"] for r in rows}) == 1
        # the order of the report's target lists: At-risk by value at risk, others by spend
        ranked_by = (
            "value_at_risk_12m"
            if rows[0]["segment_name"] == "At-risk"
            else "predicted_spend_next_90d"
        )
        ranking = [float(r[ranked_by]) for r in rows]
        assert ranking == sorted(ranking, reverse=True)
        assert all(0 <= float(r["p_purchase_next_90d"]) <= 1 for r in rows)
        seen += [r["customer_id"] for r in rows]
    assert len(seen) == len(set(seen)) == report.query("select count(*) from customer_segments")


REPORTING_MARTS = (
    "customer_360",
    "segment_summary",
    "monthly_revenue",
    "category_mix",
    "prediction_evaluation",
    "prediction_lift",
)


def test_served_tables_carry_descriptions(report: Report) -> None:
    """persist_docs + publish: every served table keeps its dbt description as a DuckDB comment,
    and so does every column of the reporting marts (what `select comment from duckdb_columns()`
    shows in a BI tool)."""
    with duckdb.connect(str(report.served), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and table_name in "
            "(select table_name from duckdb_tables())"
        ).fetchall()
    assert set(REPORTING_MARTS) <= set(tables)
    assert [name for name, comment in tables.items() if not comment] == []
    undocumented = [f"{t}.{c}" for t, c, comment in columns if t in REPORTING_MARTS and not comment]
    assert undocumented == []
    comments = {(t, c): comment for t, c, comment in columns}
    assert "rupees" in comments[("customer_360", "monetary")]
    assert comments[("customer_360", "p_purchase_next_90d")].startswith("Probability")


# ---------------------------------------------------------------------------------------------
# Headless Chromium over the DevTools protocol (--remote-debugging-pipe: fds 3 and 4, messages
# separated by NUL bytes), so we see console messages and network requests without extra deps.


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing (CI runs as root on Debian)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        pytest.skip("chromium is not installed and apt-get is unavailable (not Debian)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "chromium"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"apt-get install chromium failed:\n{result.stderr[-3000:]}"
    assert CHROMIUM.exists()
    return CHROMIUM


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe."""

    def __init__(self, binary: Path, user_data_dir: Path, width: int, height: int) -> None:
        to_child_read, self._write = os.pipe()
        self._read_fd, from_child_write = os.pipe()

        def wire_pipes() -> None:  # in the child: the protocol expects fds 3 (in) and 4 (out)
            read_fd = fcntl.fcntl(to_child_read, fcntl.F_DUPFD, 10)
            write_fd = fcntl.fcntl(from_child_write, fcntl.F_DUPFD, 10)
            os.dup2(read_fd, 3)
            os.dup2(write_fd, 4)

        self.process = subprocess.Popen(
            [
                str(binary),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                f"--user-data-dir={user_data_dir}",
                f"--window-size={width},{height}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire_pipes,  # the test process is single-threaded
        )
        os.close(to_child_read)
        os.close(from_child_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if ready:
                chunk = os.read(self._read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))
        return next(e for e in self.events if e.get("method") == method)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._write)
        os.close(self._read_fd)


@dataclass(frozen=True)
class OpenPage:
    """A page loaded in headless Chromium."""

    browser: DevTools
    session: str

    def evaluate(self, expression: str):
        reply = self.browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, self.session
        )
        return reply["result"]["value"]

    def screenshot(self) -> bytes:
        shot = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)
        return base64.b64decode(shot["data"])


@contextlib.contextmanager
def chromium_page(page: Path, tmp_path: Path, width: int = 1280, height: int = 4000):
    """Headless Chromium with `page` loaded in a window of width x height CSS pixels."""
    browser = DevTools(ensure_chromium(), Path(tempfile.mkdtemp(dir=tmp_path)), width, height)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        # headless windows are at least 500 px wide: emulate the screen (a phone below 600 px)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1}
        metrics["mobile"] = width < 600
        browser.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        yield OpenPage(browser=browser, session=session)
    finally:
        browser.close()


def load_in_chromium(page: Path, tmp_path: Path) -> tuple[DevTools, bytes, int]:
    """Open `page` in headless Chromium; return the browser (with its events), a PNG screenshot
    and the number of <svg> elements in the rendered DOM."""
    with chromium_page(page, tmp_path) as opened:
        svg_count = opened.evaluate("document.querySelectorAll('svg').length")
        shot = opened.screenshot()
    return opened.browser, shot, svg_count


def requested_urls(browser: DevTools) -> list[str]:
    return [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]


def test_report_renders_in_headless_chromium(report: Report, tmp_path: Path) -> None:
    browser, png, svg_count = load_in_chromium(report.html_path, tmp_path)
    url = report.html_path.resolve().as_uri()
    (tmp_path / "report.png").write_bytes(png)
    pixels = np.asarray(Image.open(BytesIO(png)).convert("L"), dtype=float)
    assert pixels.shape[1] == 1280 and pixels.shape[0] > 1000
    assert pixels.std() > 20, "screenshot is (nearly) blank"
    assert (pixels < 100).mean() > 0.005, "no dark text or chart ink on the screenshot"
    assert svg_count == report.html.count("<svg")

    requests = requested_urls(browser)
    assert requests and all(r == url or r.startswith("data:") for r in requests), requests
    console_errors = [
        e["params"]
        for e in browser.events
        if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or e.get("method") == "Runtime.exceptionThrown"
        or (
            e.get("method") == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
    ]
    assert console_errors == []


def test_docs_lineage_runs_from_raw_files_through_python_models_to_exposures(
    built_warehouse,
) -> None:
    """The exposures sit at the end of a lineage that starts at the raw-file sources and passes
    through the Python (ML) models, so `dbt docs` shows the whole path."""
    manifest = json.loads((built_warehouse.root / "target" / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}
    for exposure in ("customer_report", "bi_dashboard"):
        seen: set[str] = set()
        todo = list(
            manifest["exposures"][f"exposure.customer_analytics.{exposure}"]["depends_on"]["nodes"]
        )
        while todo:
            unique_id = todo.pop()
            if unique_id not in seen:
                seen.add(unique_id)
                todo += nodes[unique_id].get("depends_on", {}).get("nodes", [])
        assert any(u.startswith("source.customer_analytics.raw.") for u in seen), exposure
        assert any(nodes[u].get("language") == "python" for u in seen), exposure


def test_docs_site_is_a_single_offline_file(built_warehouse, tmp_path: Path) -> None:
    """`make docs` = `dbt docs generate --static`: one HTML file with the manifest and catalog
    inside, which a browser opens with no server and no request to the internet."""
    run_dbt(built_warehouse.env, tmp_path, "docs", "generate", "--static")
    site = tmp_path / "target" / "static_index.html"
    html = site.read_text(encoding="utf-8")
    for name in (
        "exposure.customer_analytics.customer_report",
        "model.customer_analytics.customer_360",
    ):
        assert name in html
    browser, png, _ = load_in_chromium(site, tmp_path)
    assert np.asarray(Image.open(BytesIO(png)).convert("L"), dtype=float).std() > 10
    external = [u for u in requested_urls(browser) if not u.startswith(("file:", "data:"))]
    assert external == []


# ---------------------------------------------------------------------------------------------
# The report as marketing reads it: on a laptop (1400 px) and a phone (390 px).

LAYOUT_JS = """(() => {
  const root = document.documentElement;
  const inScroller = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const where = (e) => e.tagName + '.' + e.className + ' in #' + (e.closest('section') || {}).id;
  const sticking = [...document.body.querySelectorAll('*')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > root.clientWidth + 0.5 && !inScroller(e);
  }).map(where);
  const scrollingTables = [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.scrollWidth > w.clientWidth).map(where);
  const chartTextPx = [...document.querySelectorAll('svg text')]
    .filter((t) => t.getClientRects().length > 0)
    .map((t) => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    });
  return {innerWidth: window.innerWidth, pageWidth: root.scrollWidth,
          viewportWidth: root.clientWidth, sticking, scrollingTables, chartTextPx,
          text: document.body.innerText};
})()"""

LAPTOP, PHONE = 1400, 390


@pytest.fixture(scope="module")
def layouts(report: Report, tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    """What Chromium lays out at each width: overflow, on-screen size of chart text, the text
    a reader sees (closed SQL blocks, tooltips and hidden chart layouts excluded)."""
    shots = tmp_path_factory.mktemp("layouts")
    measured = {}
    for width in (LAPTOP, PHONE):
        with chromium_page(report.html_path, shots, width, 3000) as opened:
            measured[width] = opened.evaluate(LAYOUT_JS)
            (shots / f"report_{width}.png").write_bytes(opened.screenshot())
    return measured


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_nothing_sticks_out_of_the_page(layouts: dict[int, dict], width: int) -> None:
    layout = layouts[width]
    assert layout["innerWidth"] == width
    assert layout["sticking"] == [], "elements wider than the page, outside any scroll box"
    assert layout["pageWidth"] <= layout["viewportWidth"], "the page scrolls sideways"


def test_every_table_fits_its_card_on_a_laptop(layouts: dict[int, dict]) -> None:
    assert layouts[LAPTOP]["scrollingTables"] == []


def test_chart_text_is_readable_on_a_phone(layouts: dict[int, dict]) -> None:
    sizes = layouts[PHONE]["chartTextPx"]
    assert len(sizes) > 200, "too few chart labels visible: are the charts shown?"
    assert min(sizes) >= 10, f"chart text renders at {min(sizes):.1f} px on a phone"


def section_html(html: str, key: str) -> str:
    match = re.search(rf'<section id="{re.escape(key)}".*?</section>', html, flags=re.S)
    assert match, key
    return match.group(0)


RFM_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_rfm_segments_read_as_labels(report: Report, layouts: dict[int, dict]) -> None:
    with duckdb.connect(str(report.served), read_only=True) as con:
        pairs = con.execute(
            "select distinct rfm_segment, rfm_segment_label from customer_360 "
            "where rfm_segment is not null"
        ).fetchall()
    assert len(pairs) >= 8 and all(label for _, label in pairs)
    assert len({label for _, label in pairs}) == len(pairs)
    labels = dict(pairs)
    assert labels["at_risk"] == "At risk" and labels["cannot_lose"] == "Can't lose them"
    shown = html_lib.unescape(section_html(report.html, "rfm-segments"))
    assert all(f"<td>{label}</td>" in shown for label in labels.values())
    codes = {name for name in labels if "_" in name}
    visible = set(RFM_CODE.findall(layouts[LAPTOP]["text"]))
    assert codes & visible == set(), "RFM segment names shown as code"


def test_at_risk_groups_are_explained_with_their_measured_overlap(report: Report) -> None:
    both = report.query(
        "select count(*) from customer_360 where segment_name = 'At-risk' "
        "and rfm_segment = 'at_risk'"
    )
    kmeans = report.query("select count(*) from customer_360 where segment_name = 'At-risk'")
    rfm = report.query("select count(*) from customer_360 where rfm_segment = 'at_risk'")
    assert 0 < both < min(kmeans, rfm), "the demo data should show a partial overlap"
    shown = html_lib.unescape(section_html(report.html, "at-risk-groups"))
    assert f"{both:,d} customers are in both" in shown
    assert f"{both / kmeans:.1%} of the {kmeans:,d} At-risk customers" in shown
    assert f"{both / rfm:.1%} of the {rfm:,d} RFM At risk customers" in shown
    assert "Can't lose them" in shown and "recency score of 1 or 2" in shown


def test_at_risk_customers_are_ranked_by_value_at_risk(report: Report) -> None:
    worst_gap = report.query(
        "select max(abs(c.value_at_risk_12m - p.predicted_clv_12m * (1 - p.p_purchase))) "
        "from customer_360 c join customer_predictions p using (customer_id)"
    )
    assert worst_gap < 1e-6
    with duckdb.connect(str(report.served), read_only=True) as con:
        expected = [
            row[0]
            for row in con.execute(
                "select customer_id from customer_360 where segment_name = 'At-risk' "
                "order by value_at_risk_12m desc, customer_id limit 10"
            ).fetchall()
        ]
        by_spend = con.execute(
            "select customer_id from customer_360 where segment_name = 'At-risk' "
            "order by predicted_spend_next_90d desc, customer_id limit 10"
        ).fetchall()
    assert expected != [row[0] for row in by_spend], "rankings agree: the test shows nothing"
    block = section_html(report.html, "top-customers").split("<h3>At-risk</h3>")[1]
    block = block.split("<h3>")[0]
    assert "Ranked by value at risk" in block and "value at risk (\u20b9)" in block
    assert re.findall(r"<td>(C\d+)</td>", block) == expected


def test_money_follows_one_convention(report: Report, layouts: dict[int, dict]) -> None:
    """Amounts from a lakh up read in lakh/crore, as on the chart axes, with the exact amount
    as a tooltip; nothing visible is written to the rupee above a lakh."""
    to_the_rupee = re.findall(r"\u20b9\d{1,2}(?:,\d\d)+,\d{3}\b", layouts[LAPTOP]["text"])
    assert to_the_rupee == [], "amounts above a lakh written to the rupee"
    inr = Currency(code="INR")
    cards = dict(
        re.findall(
            r'data-metric="([^"]+)" data-value="[^"]*">.*?<div class="value">(.*?)</div>',
            report.html,
        )
    )
    for key in ("net_revenue", "expected_revenue_next_horizon"):
        value = headline_values(report.html)[key]
        short = inr.compact(value)
        assert value >= 1e5 and re.fullmatch(r"\u20b9\d+\.\d\d (L|Cr)", short)
        assert cards[key] == f'<span class="money" title="{inr.amount(value)}">{short}</span>'
    axis_ticks = re.findall(r"\u20b9[\d.]+ (?:L|Cr)<", section_html(report.html, "monthly-revenue"))
    assert axis_ticks, "the revenue chart's axis is in lakh/crore"


def test_every_segment_links_to_its_csv_export(report: Report) -> None:
    segments = report.query("select count(*) from segment_summary")
    exports = {p.resolve() for p in report.exports_dir.glob("segment_*.csv")}
    for key in ("segments", "segment-profiles", "top-customers"):
        hrefs = re.findall(r'href="([^"]+\.csv)"', section_html(report.html, key))
        assert len(hrefs) == segments, key
        linked = {(report.html_path.parent / h).resolve() for h in hrefs}
        assert linked == exports, key
        assert all(h.startswith("../exports/segment_") for h in hrefs)


def test_segment_profiles_show_the_numbers_that_earned_each_name(report: Report) -> None:
    with duckdb.connect(str(report.served), read_only=True) as con:
        reasons = con.execute("select segment_name, naming_reason from segment_summary").fetchall()
    shown = html_lib.unescape(section_html(report.html, "segment-profiles"))
    assert "why this name" in shown
    for name, reason in reasons:
        assert f'<th scope="col">{name}</th>' in shown and reason in shown, name
    curve = html_lib.unescape(section_html(report.html, "k-selection"))
    assert "stability (mean ARI)" in curve and "The most stable k among those" in curve
