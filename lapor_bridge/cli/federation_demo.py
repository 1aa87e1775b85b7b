"""``lapor-bridge federation demo``: a province and two member kab/kota on loopback.

Builds under ``instance/federation-demo/`` (wiped first, so every run starts fresh) one
folder per instance, each with its own ``config.toml`` and SQLite database:

* ``provinsi`` — Provinsi Jawa Tengah (``seed-demo --province``), port BASE;
* ``kota-tegal`` — member Kota Tegal 33.76, port BASE+1;
* ``kab-tegal-brebes`` — member Kabupaten Tegal 33.28 and Kabupaten Brebes 33.29,
  port BASE+2.

Each member is a ``seed-demo --history 2`` database (which holds all three kab/kota);
a member reports only the kab/kota it is registered for. The setup runs the same
commands a person would (``init-db``, ``seed-demo``, ``federation add-member`` at the
province, ``federation join`` at each member with ``LAPOR_BRIDGE_FEDERATION__KEY``),
then starts the three as ``lapor-bridge demo`` subprocesses — the first member also
runs the one LAPOR! simulator (port BASE+3) that all three point at — waits until the
province holds every complaint of both members, prints the addresses and logins, and
runs until Ctrl-C. Members push every ``--push-seconds`` (10 s; the default setting is
60 s). The province's dashboards are refreshed by this command at the same pace (its
worker's job runs every 5 minutes).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from lapor_bridge.cli.context import CliContext

HOST = "127.0.0.1"
PASSWORD = "tegal-demo"  # noqa: S105 - the documented demo password (demo_region.DEMO_PASSWORD)
SIM_OFFSET = 3
MARKER = ".federation-demo"  # only a folder holding it is wiped


@dataclass(frozen=True)
class Site:
    """One instance of the demo: folder, port offset, member name, kab/kota, logins."""

    slug: str
    offset: int
    member: str | None  # None: the province
    regions: tuple[tuple[str, str], ...]
    logins: str

    def port(self, base: int) -> int:
        """This instance's web port."""
        return base + self.offset


PROVINCE = Site("provinsi", 0, None, (), "koordinator.jateng")
MEMBERS = (
    Site("kota-tegal", 1, "Kota Tegal", (("33.76", "Kota Tegal"),),
         "admin.tegal, petugas.pupr, petugas.dlh, petugas.dishub, …"),
    Site("kab-tegal-brebes", 2, "Kabupaten Tegal dan Brebes",
         (("33.28", "Kabupaten Tegal"), ("33.29", "Kabupaten Brebes")),
         "admin.kabtegal, admin.brebes"),
)


@click.command("demo")
@click.option("--base-port", default=5100, show_default=True, type=int,
              help="Province on this port, members on +1 and +2, LAPOR! simulator on +3.")
@click.option("--dir", "root", default="instance/federation-demo", show_default=True,
              type=click.Path(file_okay=False), help="Working folder (wiped first).")
@click.option("--model-dir", type=click.Path(file_okay=False),
              help="Routing model (default: the configured one; the starter model is "
                   "trained there when missing).")
@click.option("--push-seconds", default=10.0, show_default=True, type=float,
              help="Members' push interval for the demo (the setting's default is 60).")
@click.option("--history", "months", default=2, show_default=True, type=click.IntRange(0, 24),
              help="Months of demo history in each member's database.")
@click.option("--timeout", default=300.0, show_default=True, type=float,
              help="Seconds to wait for the province to hold every member complaint.")
@click.option("--until-synced", is_flag=True,
              help="Stop everything and exit 0 as soon as the province holds them all.")
@click.pass_obj
def federation_demo(cli: CliContext, base_port: int, root: str, model_dir: str | None,
                    push_seconds: float, months: int, timeout: float, until_synced: bool) -> None:
    """A province and two member kab/kota on loopback, until Ctrl-C."""
    workdir = Path(root).resolve()
    ports = [site.port(base_port) for site in (PROVINCE, *MEMBERS)] + [base_port + SIM_OFFSET]
    busy = [port for port in ports if not _port_free(port)]
    if busy:
        raise click.ClickException(f"port {busy} terpakai / in use (a demo still running?)")
    model = Path(model_dir or cli.settings.path(cli.settings.classifier.model_dir)).resolve()
    if not (model / "manifest.json").is_file():
        click.echo(f"melatih model awal / training the starter model into {model}")
        _cli(None, workdir.parent, "classifier", "train-starter", "--out", str(model))
    if workdir.exists() and any(workdir.iterdir()) and not (workdir / MARKER).exists():
        raise click.ClickException(f"{workdir} bukan folder demo / is not a demo folder: "
                                   "not wiped; choose another --dir")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    (workdir / MARKER).write_text("lapor-bridge federation demo: wiped at every run\n")
    for site in (PROVINCE, *MEMBERS):
        _write_config(workdir, site, base_port, model, push_seconds)
    demo = _Demo(workdir, base_port)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        demo.build(months)
        click.echo(f"anggota mengirim tiap / members push every {push_seconds:g} s "
                   f"(bawaan / default 60 s); menunggu sinkron / waiting for the province …")
        demo.wait_synced(timeout)
        if until_synced:
            click.echo("sinkron / synced: " + demo.progress_line())
            return
        click.echo(demo.banner(push_seconds))
        while True:
            time.sleep(push_seconds)
            demo.check_alive()
            demo.refresh_province()
    except KeyboardInterrupt:
        _ignore_interrupts()
        click.echo("\nberhenti / stopping …")
    finally:
        _ignore_interrupts()  # a second Ctrl-C must not leave children behind
        demo.stop()
        click.echo("semua berhenti / all stopped")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class _Demo:
    """The three instances: set-up commands, child processes, sync progress."""

    def __init__(self, workdir: Path, base_port: int) -> None:
        self.workdir, self.base_port = workdir, base_port
        self.keys: dict[str, str] = {}
        self.children: dict[str, subprocess.Popen] = {}

    def url(self, site: Site) -> str:
        """The instance's base URL."""
        return f"http://{HOST}:{site.port(self.base_port)}"

    def build(self, months: int) -> None:
        """Databases and seeds, members registered, province started, members joined
        and started."""
        click.echo(f"membangun / building {self.workdir} …")
        with ThreadPoolExecutor(3) as pool:  # the three databases side by side
            steps = [pool.submit(self._found_province)] + [
                pool.submit(self._seed, site, "--history", str(months)) for site in MEMBERS]
            registered = steps[0].result()
            for step in steps[1:]:
                step.result()
        click.echo(registered)
        self._start(PROVINCE, "--no-sim")
        self._wait_ready(PROVINCE)
        with ThreadPoolExecutor(len(MEMBERS)) as pool:
            for line in pool.map(self._join, MEMBERS):
                click.echo(line)
        self._start(MEMBERS[0])  # runs the shared LAPOR! simulator
        for site in MEMBERS[1:]:
            self._start(site, "--no-sim")
        for site in MEMBERS:
            self._wait_ready(site)

    def _seed(self, site: Site, *options: str) -> None:
        _cli(self._config(site), self.workdir / site.slug, "init-db")
        _cli(self._config(site), self.workdir / site.slug, "seed-demo", *options)

    def _found_province(self) -> str:
        """The province's database with both members registered (their keys kept)."""
        self._seed(PROVINCE, "--province")
        lines = []
        for site in MEMBERS:
            regions = [f"--region={code}={name}" for code, name in site.regions]
            out = _cli(self._config(PROVINCE), self.workdir / PROVINCE.slug, "federation",
                       "add-member", site.member, *regions, "--url", self.url(site))
            self.keys[site.slug] = out.splitlines()[1].strip()
            lines.append(f"  provinsi: {out.splitlines()[0].rstrip(':')}")
        return "\n".join(lines)

    def _join(self, site: Site) -> str:
        out = _cli(self._config(site), self.workdir / site.slug, "federation", "join",
                   self.url(PROVINCE), extra_env=self._key_env(site))
        return f"  {site.slug}: {out.strip()}"

    def _config(self, site: Site) -> Path:
        return self.workdir / site.slug / "config.toml"

    def _key_env(self, site: Site) -> dict[str, str]:
        return {"LAPOR_BRIDGE_FEDERATION__KEY": self.keys[site.slug]} if site.member else {}

    def _start(self, site: Site, *options: str) -> None:
        with (self.workdir / site.slug / "demo.log").open("a") as log:
            self.children[site.slug] = subprocess.Popen(  # noqa: S603 - our own command
                [*_LB, "--config", str(self._config(site)), "demo", "--host", HOST,
                 "--port", str(site.port(self.base_port)), *options],
                cwd=self.workdir / site.slug, env=_env(self._key_env(site)), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)  # Ctrl-C reaches us only

    def _wait_ready(self, site: Site, seconds: float = 90) -> None:
        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if requests.get(f"{self.url(site)}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise click.ClickException(f"{site.slug} tidak siap / not ready: see "
                                   f"{self.workdir / site.slug / 'demo.log'}")

    def check_alive(self) -> None:
        """Fail when a child has exited."""
        for slug, child in self.children.items():
            if child.poll() is not None:
                raise click.ClickException(
                    f"{slug} berhenti / exited ({child.returncode}): see "
                    f"{self.workdir / slug / 'demo.log'}")

    def progress(self) -> dict[str, tuple[int, int]]:
        """Per member: (complaints held at the province, complaints it has to report)."""
        from sqlalchemy import create_engine, func, select

        from lapor_bridge.db.models import Complaint, Region
        from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember

        def read(site: Site, query):
            engine = create_engine(f"sqlite:///{self.workdir / site.slug / 'lapor.db'}")
            try:
                with engine.connect() as connection:
                    return connection.execute(query).all()
            finally:
                engine.dispose()

        held = dict(read(PROVINCE, select(FederationMember.name, func.count(
            FederatedComplaint.complaint_id)).outerjoin(FederatedComplaint).group_by(
            FederationMember.name)))
        counts = {}
        for site in MEMBERS:
            local = read(site, select(func.count()).select_from(Complaint).join(Region).where(
                Complaint.member_id.is_(None),
                Region.code.in_([code for code, _ in site.regions])))[0][0]
            counts[site.member] = (held.get(site.member, 0), local)
        return counts

    def progress_line(self) -> str:
        """``name held/local`` per member."""
        return "; ".join(f"{name} {held}/{local}" for name, (held, local)
                         in self.progress().items())

    def wait_synced(self, seconds: float) -> None:
        """Until the province holds as many complaints of each member as it has to report."""
        deadline = time.monotonic() + seconds
        while True:
            self.check_alive()
            counts = self.progress()
            if all(held >= local for held, local in counts.values()):
                break
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"belum sinkron setelah / not synced after {seconds:g} s: "
                    f"{self.progress_line()}; logs in {self.workdir}")
            time.sleep(1)
        self.refresh_province()

    def refresh_province(self) -> None:
        """Bring the province's dashboard rows up to date (its worker does so every 5 min)."""
        from lapor_bridge.config import load_settings
        from lapor_bridge.services.context import build_context
        from lapor_bridge.services.dashboards.refresh import refresh_metrics

        settings = load_settings(self._config(PROVINCE), environ={})
        ctx = build_context(settings, load_model=False)
        try:
            refresh_metrics(ctx)
        finally:
            ctx.session_factory.kw["bind"].dispose()

    def banner(self, push_seconds: float) -> str:
        """The addresses and logins."""
        province = self.url(PROVINCE)
        lines = [
            "",
            f"Federasi siap / federation ready — {self.progress_line()} "
            "(laporan di provinsi / reported at the province)",
            f"Anggota mengirim perubahan tiap / members push changes every {push_seconds:g} s;"
            " dasbor provinsi diperbarui / province dashboards refreshed at the same pace.",
            "",
            "Provinsi Jawa Tengah",
            f"  {province}/dasbor/                 koordinator.jateng / {PASSWORD}",
            f"  {province}/dasbor/sinkronisasi     (sinkronisasi anggota / members' sync)",
        ]
        for site in MEMBERS:
            codes = ", ".join(f"{name} {code}" for code, name in site.regions)
            lines += [f"Anggota / member {site.member} ({codes})",
                      f"  {self.url(site)}/masuk              {site.logins} / {PASSWORD}"]
        lines += [
            f"LAPOR! simulator: http://{HOST}:{self.base_port + SIM_OFFSET}",
            "",
            "Cookie berlaku per host, bukan per port: buka tiap instansi di jendela privat "
            "sendiri / cookies are per host, not per port: one private window per instance.",
            f"CLI: lapor-bridge --config {self._config(MEMBERS[0])} federation status",
            f"Log: {self.workdir}/*/demo.log — Ctrl-C menghentikan semuanya / stops everything.",
        ]
        return "\n".join(lines)

    def stop(self) -> None:
        """SIGINT each child (the demo server shuts its worker and simulator down); what is
        left after 10 s gets SIGTERM, then SIGKILL."""
        running = [child for child in self.children.values() if child.poll() is None]
        for how in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            for child in running:
                child.send_signal(how)
            deadline = time.monotonic() + (10 if how == signal.SIGINT else 5)
            for child in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(max(0.1, deadline - time.monotonic()))
            running = [child for child in running if child.poll() is None]
            if not running:
                return


_LB = [sys.executable, "-m", "lapor_bridge"]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without ``LAPOR_BRIDGE_*`` (each instance reads its own file)."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
    return {**clean, **(extra or {})}


def _cli(config: Path | None, cwd: Path, *args: str,
         extra_env: dict[str, str] | None = None) -> str:
    """Run one ``lapor-bridge`` command; its standard output (stderr shown on failure)."""
    cwd.mkdir(parents=True, exist_ok=True)
    command = [*_LB, *(["--config", str(config)] if config else []), *args]
    done = subprocess.run(command, cwd=cwd, env=_env(extra_env),  # noqa: S603 - our command
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise click.ClickException(f"lapor-bridge {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout


def _write_config(workdir: Path, site: Site, base_port: int, model: Path,
                  push_seconds: float) -> None:
    folder = workdir / site.slug
    folder.mkdir(parents=True, exist_ok=True)
    url = f"http://{HOST}:{site.port(base_port)}"
    region = site.regions[0][0] if site.regions else "33"
    (folder / "config.toml").write_text(f"""\
# lapor-bridge federation demo: {site.member or 'Provinsi Jawa Tengah'}
[app]
secret_key = "federation-demo-{site.slug}"
region_code = "{region}"
instance_dir = "{folder}"
upload_dir = "{folder / 'uploads'}"

[database]
url = "sqlite:///{folder / 'lapor.db'}"

[classifier]
model_dir = "{model}"

[lapor]
base_url = "http://{HOST}:{base_port + SIM_OFFSET}/api/v3"

[metrics]
multiproc_dir = "{folder / 'prometheus'}"

[mail]
public_url = "{url}"

[federation]
public_url = "{url}"
push_interval_seconds = {push_seconds}
""", encoding="utf-8")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True
