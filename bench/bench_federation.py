"""Province ingest at scale: M members × N complaints each through the real ingest path,
beside the simplest bulk insert of the same rows; then the province's dashboards.

One run, two fresh PostgreSQL databases (dropped afterwards):

* **ingest** — the province (``lapor-bridge serve``, gunicorn) with M members registered
  (kab/kota 33.01 … 33.99, then 34.xx); each member's records — the record shape of
  ``services/federation/record.py``, built from the demo history's complaint lives over
  2023–2025 (submitted, triage, disposition, transfers, follow-up, resolution: 3–6
  events each) — are POSTed to ``/federation/v1/records`` in batches of the member
  default (200) by ``--senders`` concurrent senders, one member per sender at a time
  (``--in-process``: ``ingest()`` called from the sender threads instead of HTTP);
* **baseline** — the same rows (complaints, events, ``federated_complaints``) written
  into the other database by one connection with ``executemany`` (complaints with
  ``RETURNING id``), one transaction per member, from rows already in memory: no
  parsing, no validation, no look-ups of what is already stored.

Members are generated, sent and bulk-inserted in groups of ``--senders``, the baseline and
the ingest of each group timed in turn, so both see the same machine; generation is not
timed. Then the metrics are refreshed on the province (timed), the province is copied
into a **local twin** (the same rows, every member complaint made a local one, metrics
refreshed), and the coordinator's overview, league table and overdue list are timed on
both in turn as ``bench_dashboard.py`` does, beside the figures ``bench/README.md``
records for the 1M-complaint database.

Usage: ``.venv/bin/python bench/bench_federation.py [--members 100] [--per-member 10000]
[--senders 8] [--in-process] [--keep] [--no-baseline]``; ``--keep`` leaves the province
in the database ``lapor_federation_bench`` (for ``EXPLAIN`` or a second look).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import requests
from bench_dashboard import PAGES, TARGETS, _logged_in
from bench_sync import own_database
from gen_complaints import FIRST_DAY, LAST_DAY, NOW
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, District, Region, Village
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember
from lapor_bridge.demo_neighbours import agencies as agencies_of
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.domain.routing import STANDARD_TABLE
from lapor_bridge.domain.sla import TARGET_FIELDS
from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.demo_history import build_rows, plan_day, response_shape
from lapor_bridge.services.federation.members import add_member, authenticate
from lapor_bridge.services.seed import seed_province
from lapor_bridge.services.sla_clock import sla_policy, working_calendar

ADMIN_URL = os.environ.get(
    "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LB = str(Path(sys.executable).parent / "lapor-bridge")
BATCH = 200  # [federation] batch_size, the member's default
KEPT = "lapor_federation_bench"
KECAMATAN = {f"Kecamatan {a}": [f"Kelurahan {a}{n}" for n in range(1, 5)] for a in "ABC"}
# bench/README.md, "Coordinator dashboards": 1,020,748 local complaints, Jawa Tengah 2025
# (263,684 in scope); the loaded run (load average 7.8–9.4) and the quiet one (1–2).
RECORDED_1M = {"overview": (184, 81), "league": (290, 163), "overdue": (36, 23),
               "overview-365h": (166, 81)}


def member_codes(count: int) -> list[str]:
    """Kab/kota codes for ``count`` members: 33.01 … 33.99, then 34.01 …"""
    return [f"{33 + n // 99}.{n % 99 + 1:02d}" for n in range(count)]


def context(url: str) -> ServiceContext:
    """A service context on ``url``."""
    settings = load_settings(environ={}, overrides={"database.url": url,
                                                    "app.secret_key": "bench"})
    return ServiceContext(settings, make_session_factory(make_engine(settings.database)))


def prepare(url: str, codes: list[str], *, register: bool) -> tuple[ServiceContext, dict]:
    """Schema, the province and its coordinator, the provinces the codes lie in; with
    ``register`` the members (keys returned by code), else (the baseline) the members,
    their regions, agencies and wilayah as ingest would have had them (ids returned)."""
    ctx = context(url)
    upgrade_to_head(ctx.engine)
    seed_province(ctx)
    with ctx.transaction() as session:
        for province in sorted({code[:2] for code in codes} - {"33"}):
            session.add(Region(code=province, name=f"Provinsi uji {province}", kind="provinsi"))
    if register:
        return ctx, {code: add_member(ctx, f"Anggota {code}", [(code, region_name(code))],
                                      f"https://lapor.{code}.go.id")[1] for code in codes}
    ids: dict = {}
    with ctx.transaction() as session:
        parents = dict(session.execute(select(Region.code, Region.id)).all())
        for n, code in enumerate(codes):
            member = FederationMember(name=f"Anggota {code}", url="", key_prefix="bench",
                                      key_hash=f"baseline-{n}", active=True)
            session.add(member)
            session.flush()
            region = Region(code=code, name=region_name(code), kind="kabupaten",
                            parent_id=parents[code[:2]], member_id=member.id)
            session.add(region)
            session.flush()
            ids[code], ids["member", code] = region.id, member.id
            for agency_code, name, is_triage in agencies_of(code, region.name):
                agency = Agency(region_id=region.id, code=agency_code, name=name,
                                is_triage=is_triage, active=True)
                session.add(agency)
                session.flush()
                ids[code, agency_code] = agency.id
            for kecamatan, kelurahan in KECAMATAN.items():
                district = District(region_id=region.id, name=kecamatan)
                session.add(district)
                session.flush()
                ids[code, kecamatan] = district.id
                for name in kelurahan:
                    village = Village(district_id=district.id, name=name)
                    session.add(village)
                    session.flush()
                    ids[code, kecamatan, name] = village.id
    return ctx, ids


@contextmanager
def kept_database(admin_url: str):
    """The database ``KEPT``, dropped if there and created afresh; left in place."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{KEPT}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{KEPT}"'))
    admin.dispose()
    yield make_url(admin_url).set(database=KEPT).render_as_string(hide_password=False)


def region_name(code: str) -> str:
    """The made-up name of a bench kab/kota."""
    return f"Kabupaten uji {code}"


# --- generation -----------------------------------------------------------------------


def generate(ctx: ServiceContext, code: str, index: int, per_member: int) -> SimpleNamespace:
    """One member's complaints (rows with codes and names in place of ids, and events)
    and their records in batches of JSON, as the member would send them."""
    agencies = {agency_code: SimpleNamespace(id=agency_code, code=agency_code, name=name,
                                             is_triage=is_triage)
                for agency_code, name, is_triage in agencies_of(code, region_name(code))}
    categories: dict[str, list[str]] = {}
    for category, agency_code in sorted(STANDARD_TABLE.items()):
        categories.setdefault(agency_code, []).append(category)
    place = SimpleNamespace(
        region=SimpleNamespace(id=code), agencies=agencies, officers={}, categories=categories,
        villages=[(kecamatan, name, name, kecamatan) for kecamatan, names in KECAMATAN.items()
                  for name in names])
    days = [FIRST_DAY + timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    volume = 1.2 * per_member / (len(days) * 0.7576)  # plan_day yields ≈ 0.76 × volume
    calendar, shape = working_calendar(ctx.settings.sla.cuti_bersama), response_shape()
    plans = [plan for day in days for plan in plan_day(code, place, day, volume, calendar,
                                                       shape, 2026)]
    keep = sorted(random.Random(index).sample(range(len(plans)), min(per_member, len(plans))))
    plans = [plans[n] for n in keep]  # exactly per_member, spread like the rest
    for n, plan in enumerate(plans):
        plan["number"] = f"F{index:03d}{n:05d}"
    built = build_rows(ctx, plans, place, NOW)
    policy = sla_policy(ctx.settings.sla)
    targets = {agency_code: {name: getattr(policy.for_complaint(agency_code), name)
                             for name in sorted(TARGET_FIELDS)} for agency_code in agencies}
    records = [record_of(code, row, events, agencies, targets, index * 100_000 + n)
               for n, (row, events) in enumerate(built)]
    batches = [json.dumps({"records": records[start:start + BATCH]}).encode()
               for start in range(0, len(records), BATCH)]
    return SimpleNamespace(code=code, built=built, records=records, batches=batches,
                           targets=targets)


def record_of(code: str, row: dict, events: list[dict], agencies: dict, targets: dict,
              serial: int) -> dict:
    """The record a member sends for this complaint (``record.build_records``' shape)."""
    agency = agencies[row["agency_id"]]
    times = ("created_at", "disposed_at", "first_disposed_at", "first_response_at",
             "last_response_at", "closed_at", "sla_due_at")
    return {
        "tracking_number": row["tracking_number"], "version": len(events),
        "changed_at": row["updated_at"].isoformat(), "region_code": code,
        "region_name": region_name(code), "kecamatan": row["district_id"],
        "kelurahan": row["village_id"], "category": row["category"],
        "agency_code": agency.code, "agency_name": agency.name,
        "agency_is_triage": agency.is_triage, "channel": row["channel"],
        "rahasia": row["is_secret"], "status": row["status"],
        **{name: row[name].isoformat() if row[name] else None for name in times},
        "pauses": row["pauses"], "sla_stage": row["sla_stage"],
        "sla_breached": bool(row["status"] in CLOCK_RUNNING_VALUES and row["sla_due_at"]
                             and row["sla_due_at"] < NOW),
        "sla_targets": targets[agency.code],
        "escalation_level": row["escalation_level"],
        "lapor_id": str(10_000_000 + serial) if row["channel"] == "lapor" else None,
        "url": f"https://lapor.{code}.go.id/petugas/laporan/{row['tracking_number']}",
        "history": [{"kind": event["kind"], "from_status": event["from_status"],
                     "to_status": event["to_status"], "agency_code": event["agency_id"],
                     "agency_name": agencies[event["agency_id"]].name,
                     "actor_type": event["actor_type"],
                     "at": event["created_at"].isoformat()} for event in events],
    }


# --- the two ways in ------------------------------------------------------------------


def bulk_insert(ctx: ServiceContext, ids: dict, data: SimpleNamespace) -> None:
    """The baseline: the rows ingest would store, by executemany, in one transaction."""
    code, received = data.code, NOW
    member_id = ids["member", code]
    complaints = [{
        "tracking_number": row["tracking_number"], "reporter_key_hash": "", "description": "",
        "is_anonymous": False, "member_id": member_id, "version": 1,
        "region_id": ids[code], "title": category_label(row["category"]),
        "channel": row["channel"], "is_secret": row["is_secret"],
        "district_id": ids[code, row["district_id"]],
        "village_id": ids[code, row["district_id"], row["village_id"]],
        "agency_id": ids[code, row["agency_id"]], "category": row["category"],
        "status": row["status"], "created_at": row["created_at"],
        "disposed_at": row["disposed_at"], "first_disposed_at": row["first_disposed_at"],
        "first_response_at": row["first_response_at"],
        "last_response_at": row["last_response_at"], "closed_at": row["closed_at"],
        "sla_due_at": row["sla_due_at"], "pauses": row["pauses"],
        "sla_stage": row["sla_stage"], "escalation_level": row["escalation_level"],
        "updated_at": received} for row, _ in data.built]
    with ctx.transaction() as session:
        complaint_ids = list(session.scalars(insert(Complaint.__table__).returning(
            Complaint.__table__.c.id, sort_by_parameter_order=True), complaints))
        session.execute(insert(ComplaintEvent.__table__), [
            {"complaint_id": complaint_id, "kind": event["kind"],
             "actor_type": event["actor_type"], "actor_id": None, "actor_label": None,
             "from_status": event["from_status"], "to_status": event["to_status"],
             "note": None, "is_internal": False, "agency_id": ids[code, event["agency_id"]],
             "created_at": event["created_at"]}
            for complaint_id, (_, events) in zip(complaint_ids, data.built, strict=True)
            for event in events])
        session.execute(insert(FederatedComplaint.__table__), [
            {"complaint_id": complaint_id, "member_id": member_id,
             "tracking_number": record["tracking_number"],
             "remote_version": record["version"], "remote_changed_at": row["updated_at"],
             "received_at": received, "lapor_id": record["lapor_id"], "url": record["url"],
             "sla_targets": record["sla_targets"], "sla_breached": record["sla_breached"]}
            for complaint_id, record, (row, _) in zip(complaint_ids, data.records, data.built,
                                                      strict=True)])


def send_all(group: list[SimpleNamespace], keys: dict[str, str], base: str | None,
             ctx: ServiceContext | None) -> dict[str, int]:
    """Send each member's batches, one sender thread per member; results by kind."""
    results: dict[str, int] = {}
    lock = threading.Lock()

    def send(data: SimpleNamespace) -> None:
        counts: dict[str, int] = {}
        if base is None:
            from lapor_bridge.services.federation.ingest import ingest

            member = authenticate(ctx, keys[data.code])
            for start in range(0, len(data.records), BATCH):
                for outcome in ingest(ctx, member, data.records[start:start + BATCH]):
                    counts[outcome.result] = counts.get(outcome.result, 0) + 1
        else:
            with requests.Session() as http:
                http.headers.update({"Authorization": f"Bearer {keys[data.code]}",
                                     "Content-Type": "application/json"})
                for body in data.batches:
                    answer = http.post(f"{base}/federation/v1/records", data=body, timeout=120)
                    answer.raise_for_status()
                    for result in answer.json()["results"]:
                        counts[result["result"]] = counts.get(result["result"], 0) + 1
        with lock:
            for kind, count in counts.items():
                results[kind] = results.get(kind, 0) + count

    threads = [threading.Thread(target=send, args=(data,)) for data in group]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- the run --------------------------------------------------------------------------


def serve(url: str, workdir: Path, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """``lapor-bridge serve`` on the province's database; its process and base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_BRIDGE_")}
    env |= {"LAPOR_BRIDGE_DATABASE__URL": url, "LAPOR_BRIDGE_APP__INSTANCE_DIR": str(workdir),
            "LAPOR_BRIDGE_METRICS__MULTIPROC_DIR": str(workdir / "prom"),
            "LAPOR_BRIDGE_APP__REGION_CODE": "33", "LAPOR_BRIDGE_LOG__LEVEL": "WARNING",
            "LAPOR_BRIDGE_SERVER__TIMEOUT": "300"}
    process = subprocess.Popen([LB, "serve", "--workers", str(workers), "--threads",
                                str(threads), "--port", str(port)], env=env, cwd=workdir,
                               stdout=(workdir / "serve.log").open("w"),
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=2).ok:  # /readyz wants a model
                return process, base
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the province did not start: see {workdir / 'serve.log'}")


def dashboards(contexts: dict[str, ServiceContext], rounds: int) -> dict[str, dict]:
    """Median ms of each coordinator page (``bench_dashboard.PAGES``), in-process, per
    database; the databases take turns within each round."""
    clients = {name: _logged_in(ctx) for name, ctx in contexts.items()}
    times: dict[str, dict[str, list[float]]] = {name: {} for name in contexts}
    for page, path in PAGES.items():
        for client in clients.values():
            client.get(path)
        for _ in range(rounds):
            for name, client in clients.items():
                started = time.perf_counter()
                response = client.get(path)
                times[name].setdefault(page, []).append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
    return {name: {page: statistics.median(values) for page, values in pages.items()}
            for name, pages in times.items()}


@contextmanager
def local_twin(admin_url: str, province: ServiceContext):
    """A copy of the province in which every member complaint is a local one (the same
    rows, no federation), as a service context; dropped afterwards."""
    source = province.engine.url.database
    twin = f"{source}_twin"
    province.engine.dispose()  # a template must have no sessions
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{twin}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{twin}" TEMPLATE "{source}"'))
    ctx = context(make_url(admin_url).set(database=twin).render_as_string(hide_password=False))
    try:
        with ctx.transaction() as session:
            session.execute(text("UPDATE complaints SET member_id = NULL"))
            session.execute(text("UPDATE regions SET member_id = NULL"))
            session.execute(text("DELETE FROM federated_complaints"))
            session.execute(text("DELETE FROM federation_members"))
        yield ctx
    finally:
        ctx.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{twin}" WITH (FORCE)'))
        admin.dispose()


def refreshed(ctx: ServiceContext) -> str:
    """A full metrics refresh at the dashboards' "now", then VACUUM ANALYZE; its time."""
    from lapor_bridge.services.dashboards.refresh import refresh_metrics

    ctx.clock = lambda: NOW
    clock = time.perf_counter()
    summary = refresh_metrics(ctx, full=True)
    took = time.perf_counter() - clock
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return f"{summary.refreshed:,} complaints in {took:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--per-member", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--in-process", action="store_true",
                        help="call ingest() from the sender threads instead of HTTP")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--keep", action="store_true",
                        help=f"build the province as database {KEPT} and leave it there")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bulk insert")
    args = parser.parse_args()
    codes = member_codes(args.members)
    workdir = Path(f"/tmp/bench-federation-{os.getpid()}")
    workdir.mkdir(parents=True, exist_ok=True)
    with (kept_database(args.admin_url) if args.keep else own_database(args.admin_url)
          ) as province_url, own_database(args.admin_url) as baseline_url:
        started = time.monotonic()
        province, keys = prepare(province_url, codes, register=True)
        baseline, ids = (None, None) if args.no_baseline else prepare(
            baseline_url, codes, register=False)
        print(f"set-up: {args.members} members registered, {time.monotonic() - started:.1f} s")
        server, base = (None, None) if args.in_process else serve(
            province_url, workdir, args.workers, args.threads)
        timed = {"generate": 0.0, "baseline": 0.0, "ingest": 0.0}
        records = events = 0
        results: dict[str, int] = {}
        try:
            for start in range(0, len(codes), args.senders):
                clock = time.perf_counter()
                group = [generate(province, code, codes.index(code), args.per_member)
                         for code in codes[start:start + args.senders]]
                timed["generate"] += time.perf_counter() - clock
                clock = time.perf_counter()
                for data in group if baseline else ():
                    bulk_insert(baseline, ids, data)
                timed["baseline"] += time.perf_counter() - clock
                clock = time.perf_counter()
                for kind, count in send_all(group, keys, base, province).items():
                    results[kind] = results.get(kind, 0) + count
                timed["ingest"] += time.perf_counter() - clock
                records += sum(len(data.records) for data in group)
                events += sum(len(events) for data in group for _, events in data.built)
                print(f"  {min(start + args.senders, len(codes))}/{len(codes)} members, "
                      f"{records:,} records: ingest {records / timed['ingest']:,.0f}/s" + (
                          f", baseline {records / timed['baseline']:,.0f}/s" if baseline
                          else ""), flush=True)
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
        report(args, province, baseline, timed, records, events, results)
        for ctx in (province, baseline):
            if ctx is not None:
                ctx.engine.dispose()
    if args.keep:
        print(f"province kept: {province_url}")


def report(args, province: ServiceContext, baseline: ServiceContext | None, timed: dict,
           records: int, events: int, results: dict) -> None:
    """Counts, rates and ratio; metrics refresh; the dashboards on the province, on its
    local twin, and as recorded for 1M local complaints."""
    for ctx in (province, baseline) if baseline else (province,):
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    with province.read() as session:
        stored = session.scalar(text("SELECT count(*) FROM complaints"))
        held = session.scalar(text("SELECT count(*) FROM complaint_events"))
    path = "in-process ingest()" if args.in_process else (
        f"HTTP, {args.senders} senders, gunicorn {args.workers}×{args.threads}")
    ingest_rate = records / timed["ingest"]
    baseline_rate = records / timed["baseline"] if baseline else float("nan")
    print(f"\n{args.members} members × {args.per_member:,} = {records:,} records "
          f"({events:,} history entries; {events / records:.2f} per record); results "
          f"{results}; province holds {stored:,} complaints, {held:,} events")
    print(f"generation (not timed in the rates): {timed['generate']:.0f} s")
    print(f"{'ingest (' + path + ')':58} {ingest_rate:9,.0f} records/s ({timed['ingest']:.0f} s)")
    print(f"{'baseline (executemany, 1 connection, no validation)':58} "
          f"{baseline_rate:9,.0f} records/s ({timed['baseline']:.0f} s)")
    print(f"ratio ingest / baseline: {ingest_rate / baseline_rate:.2f}")
    print(f"metrics refresh (full) at the province: {refreshed(province)}")
    with province.read() as session:
        scope = session.scalar(text(
            "SELECT count(*) FROM complaints c JOIN regions r ON r.id = c.region_id "
            "JOIN regions p ON p.id = r.parent_id WHERE p.code = '33' AND c.created_at >= "
            "'2024-12-31 17:00+00' AND c.created_at < '2025-12-31 17:00+00'"))
    with local_twin(args.admin_url, province) as twin:
        print(f"metrics refresh (full) of its local twin: {refreshed(twin)}")
        timings = dashboards({"federated": province, "twin": twin}, args.rounds)
    print(f"\ncoordinator pages, Provinsi Jawa Tengah, 2025 ({scope:,} complaints in scope; "
          f"1M bench: 263,684), median of {args.rounds}; twin: the same rows as local "
          "complaints, same run")
    print(f"{'page':14} {'federated ms':>13} {'local twin ms':>14} "
          f"{'1M local, recorded (loaded / quiet)':>37} {'target':>7}")
    for name, value in timings["federated"].items():
        loaded, quiet = RECORDED_1M[name]
        print(f"{name:14} {value:13.1f} {timings['twin'][name]:14.1f} "
              f"{f'{loaded} / {quiet}':>37} {TARGETS[name]:7}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
