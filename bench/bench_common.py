"""The outbox benchmark's plumbing: database, emulator, child processes.

Used by ``bench_outbox.py`` (and, through it, ``bench_pos.py``); see
bench/README.md. Stdlib only in the parent process. Through
``dev/harness.py`` it finds Odoo, starts a throwaway PostgreSQL (kept in
``<cache>/pg-bench/data`` between runs), makes the database ``vchasno_bench``
without demo data (``account``, then the addon; upgraded when the addon's
files changed since the last run), starts the Vchasno emulator
(``python3 -m tools.emulator``) on a free loopback port, and runs every
measurement in a fresh Odoo child process (the bench script with
``--child``: ``Registry(db)`` and real commits, as in production).

Here too: the sizes and targets of every measure, the helpers of the report
and the child tasks every bench needs (probe, set-up).
"""

import contextlib
import hashlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "dev"))

import harness  # noqa: E402

DB = "vchasno_bench"
MODULE = harness.MODULE
TOKEN = "bench-token"
PG_DIR = harness.pg_data_dir("pg-bench")
# Beside the cluster's data (in /var/tmp when run as root), so they go together.
FINGERPRINT = os.path.join(os.path.dirname(PG_DIR), "addon.sha1")
RESULTS = os.path.join(ROOT, "bench", "results")
FISCAL_PATH = "/api/v3/fiscal/execute"

# Sizes per mode: (default, --quick). --full only changes the 300 ms drain.
SIZES = {
    "payments": (200, 50),
    # Pairs of runs (off + on, in alternating order): an even number of runs.
    "posting_pairs": (6, 4),
    "posting_warmup": (20, 10),
    "drain_fast_n": (2000, 500),
    "drain_fast_runs": (1, 1),
    "drain_slow_n": (300, 100),
    "rss_small": (1000, 500),
    "rss_large": (10000, 5000),
    "profile_n": (500, 200),
    "profile_payments": (300, 100),
    # Registers drain in parallel (issue 14): receipts per register at 300 ms.
    "parallel_n": (200, 50),
}
PARALLEL_REGISTERS = 4
FAST_MS, SLOW_MS = 10, 300
POSTING_LATENCIES = (10, 2000)
TARGETS = {
    "posting_ratio_max": 1.10,
    "hook_queries_max": 3,
    "odoo_ms_per_receipt_max": 15.0,
    "slow_efficiency_min": 0.90,
    "rss_growth_max": 0.10,
    "parallel_speedup_min": 3.0,
}


def log(msg, *args):
    stamp = datetime.now().strftime("%H:%M:%S")
    print("[bench %s] %s" % (stamp, msg % args if args else msg), flush=True)


# ============================================================================
# Parent: set-up and child processes (stdlib only)
# ============================================================================


class Bench:
    """The infrastructure; the measures are mixins (see bench_outbox.Bench)."""

    db = DB
    # The script whose ``--child`` runs the tasks (set by the bench script).
    script = None

    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.logs = os.path.join(harness.LOGS, "bench-outbox-%s" % self.stamp)
        os.makedirs(self.logs, exist_ok=True)
        self.odoo_log = os.path.join(self.logs, "odoo.log")
        self.odoo = self.pg = self.emulator = None
        self.emulator_url = None
        self.results = {
            "started": datetime.now().isoformat(timespec="seconds"),
            "command": " ".join(["python3", "bench/bench_outbox.py", *sys.argv[1:]]),
            "mode": "quick" if args.quick else ("full" if args.full else "default"),
            "targets": TARGETS,
        }
        self.results_path = os.path.join(RESULTS, "%s.json" % self.stamp)

    def size(self, name):
        override = {
            "payments": self.args.payments,
            "posting_pairs": self.args.pairs,
        }.get(name)
        return override or SIZES[name][1 if self.quick else 0]

    # --- infrastructure --- #

    def start(self):
        self.odoo = harness.find_odoo()
        harness.link_addon()
        self.pg = harness.Postgres(persistent_dir=PG_DIR)
        self.pg.start()
        self.ensure_db()
        port = harness.free_port()
        self.emulator_url = "http://127.0.0.1:%d" % port
        with open(os.path.join(self.logs, "emulator.log"), "ab") as out:
            self.emulator = subprocess.Popen(
                [self.odoo.python, "-m", "tools.emulator", "--port", str(port)],
                cwd=ROOT,
                env=self.odoo.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.emu("GET", "/_emulator/documents")
                break
            except OSError:
                if time.monotonic() > deadline or self.emulator.poll() is not None:
                    raise harness.HarnessError("the emulator did not start") from None
                time.sleep(0.2)
        log("emulator on %s (pid %s)", self.emulator_url, self.emulator.pid)

    def stop(self):
        if self.emulator is not None and self.emulator.poll() is None:
            self.emulator.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.emulator.wait(timeout=10)
            if self.emulator.poll() is None:
                self.emulator.kill()
            log("emulator stopped")
        if self.pg is not None:
            self.pg.stop()

    def addon_fingerprint(self):
        digest = hashlib.sha1()
        skip = {".git", ".cache", ".harness", ".odoo-addons", "bench", "tests", "dev"}
        for folder, dirs, files in os.walk(ROOT):
            rel = os.path.relpath(folder, ROOT)
            if rel.split(os.sep)[0] in skip or "__pycache__" in rel:
                dirs[:] = []
                continue
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".py", ".xml", ".csv", ".po", ".js", ".scss")):
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, ROOT).encode())
                    with open(path, "rb") as f:
                        digest.update(f.read())
        return digest.hexdigest()

    def ensure_db(self):
        state = self.child("probe")
        fingerprint = self.addon_fingerprint()
        install_log = os.path.join(self.logs, "install.log")
        if not state["exists"] or state["module"] != "installed":
            if state["exists"]:
                self.pg.drop(self.odoo, DB)
            log("creating database %s (account, then %s; no demo)", DB, MODULE)
            harness.install(self.odoo, self.pg, DB, "account", False, install_log)
            harness.install(self.odoo, self.pg, DB, MODULE, False, install_log)
        else:
            old = None
            with contextlib.suppress(OSError), open(FINGERPRINT) as f:
                old = f.read().strip()
            if old == fingerprint:
                log("database %s exists, addon unchanged: no reinstall", DB)
                return
            log("database %s exists, addon files changed: upgrading", DB)
            cmd = self.odoo.cmd(
                "-d", DB, "--addons-path", self.odoo.addons_path(),
                *self.pg.odoo_args(), "-u", MODULE, "--stop-after-init",
                "--no-http", "--logfile", install_log,
            )  # fmt: skip
            if subprocess.run(cmd, env=self.odoo.env, check=False).returncode:
                raise harness.HarnessError("upgrade failed, see %s" % install_log)
        os.makedirs(os.path.dirname(FINGERPRINT), exist_ok=True)
        with open(FINGERPRINT, "w") as f:
            f.write(fingerprint)

    def emu(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.emulator_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")

    def emu_reset(self, latency_ms):
        """Forget documents, then set the latency (reset restores 0 ms)."""
        self.emu("POST", "/_emulator/reset", {})
        self.emu("POST", "/_emulator/config", {"latency_ms": latency_ms})

    def child(self, task, **params):
        """Run one task in a fresh Odoo process; return its last JSON line.

        The load average before and after is kept: on a shared machine, other
        processes' load shows up in every wall-clock figure.
        """
        load_before = os.getloadavg()
        result = self._child(task, **params)
        if isinstance(result, dict):
            result["loadavg_1min_before_after"] = [load_before[0], os.getloadavg()[0]]
        return result

    def _child(self, task, **params):
        spec = {
            "task": task,
            "db": self.db,
            "addons_path": self.odoo.addons_path(),
            "data_dir": harness.DATA_DIR,
            "pg_args": self.pg.odoo_args(),
            "logfile": self.odoo_log,
            "emulator_url": self.emulator_url,
            "logs": self.logs,
            **params,
        }
        cmd = [self.odoo.python, self.script, "--child", json.dumps(spec)]
        with open(os.path.join(self.logs, "children.stderr"), "ab") as err:
            proc = subprocess.Popen(
                cmd, env=self.odoo.env, stdout=subprocess.PIPE, stderr=err, text=True
            )
            last = None
            for line in proc.stdout:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                data = json.loads(line)
                if "note" in data:
                    log("  %s", data["note"])
                else:
                    last = data
            proc.wait()
        if proc.returncode:
            raise harness.HarnessError(
                "bench child %r failed (exit %s): see %s and %s"
                % (task, proc.returncode, self.odoo_log, err.name)
            )
        return last

    def save(self):
        os.makedirs(RESULTS, exist_ok=True)
        with open(self.results_path, "w", encoding="utf-8") as f:
            json.dump(self.results, f, indent=1, ensure_ascii=False)

    # --- measurements --- #


def verdict(ok, text):
    return "%s %s" % ("OK" if ok else "MISSED", text)


def quartiles(values):
    """(q1, median, q3) of a small sample (inclusive method)."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def git_state():
    """The commit and the uncommitted files measured (others edit the tree)."""

    def git(*args):
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return out.stdout.strip()

    return {
        "head": git("rev-parse", "--short", "HEAD"),
        "dirty": git("status", "--short").splitlines(),
    }


def machine_info(setup):
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "odoo": setup.get("odoo"),
        "pg": setup.get("pg"),
    }


def run_bench(bench):
    """Start, measure, stop; the report also after a failure (bench_pos.py too)."""
    try:
        bench.start()
        bench.run()
    except harness.HarnessError as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("[bench] interrupted", file=sys.stderr)
        return 130
    finally:
        bench.stop()
        if "setup" in bench.results:
            bench.save()
            bench.report()
    return 0


# ============================================================================
# Child: runs inside Odoo (``--child SPEC``)
# ============================================================================


def emit(**values):
    print(json.dumps(values, default=str), flush=True)


def note(text):
    emit(note=text)


def rss_kib():
    import resource  # noqa: PLC0415

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    status = {}
    with contextlib.suppress(OSError), open("/proc/self/status") as f:
        for line in f:
            key, _sep, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                status[key] = int(value.split()[0])
    return peak, status.get("VmHWM"), status.get("VmRSS")


def child_probe(spec):
    from odoo import sql_db  # noqa: PLC0415

    with sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [spec["db"]])
        exists = bool(cr.fetchone())
    module = None
    if exists:
        with sql_db.db_connect(spec["db"]).cursor() as cr:
            with contextlib.suppress(Exception):
                cr.execute(
                    "SELECT state FROM ir_module_module WHERE name = %s", [MODULE]
                )
                row = cr.fetchone()
                module = row and row[0]
    return {"exists": exists, "module": module}


def _bench_records(env):
    company = env.ref("base.main_company")
    register = (
        env["vchasno.register"]
        .with_context(active_test=False)
        .search([("api_token", "=", TOKEN)], limit=1)
    )
    journals = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "in", ("bank", "cash"))]
    )
    bank = journals.filtered(lambda j: j.type == "bank")[:1]
    partner = env["res.partner"].search([("name", "=", "Bench Customer")], limit=1)
    product = env["product.product"].search([("default_code", "=", "BENCH-1")], limit=1)
    return company, register, journals, bank, partner, product


def child_setup(cr, spec):
    from odoo import SUPERUSER_ID, api, release  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    company, register, journals, bank, partner, product = _bench_records(env)
    uah = env.ref("base.UAH")
    uah.active = True
    if company.currency_id != uah:
        company.currency_id = uah  # allowed: a no-demo database has no entries
    company.country_id = env.ref("base.ua")
    company.vchasno_enabled = True
    if not register:
        register = env["vchasno.register"].create(
            {"name": "Bench register", "api_token": TOKEN, "tax_group_code": "1",
             "company_id": company.id}
        )  # fmt: skip
    # The bench product has no tax: its lines go on the "no VAT" group
    # (a line without tax is refused unless the register says where it goes).
    register.write({"active": True, "untaxed_tax_group_code": "2"})
    journals.write({"vchasno_register_id": register.id, "vchasno_policy": "always"})
    params = env["ir.config_parameter"].sudo()
    params.set_param(MODULE + ".api_url", spec["emulator_url"])
    params.set_param(MODULE + ".read_timeout", 10)
    if not partner:
        partner = env["res.partner"].create({"name": "Bench Customer"})
    if not product:
        product = env["product.product"].create(
            {"name": "Bench product", "default_code": "BENCH-1", "lst_price": 100.0,
             "taxes_id": [(6, 0, [])]}
        )  # fmt: skip
    # The set-up, for the child processes that measure after this one.
    cr.commit()
    cr.execute("SELECT version()")
    pg = cr.fetchone()[0].split(" on ")[0]
    return {
        "company": company.name,
        "currency": company.currency_id.name,
        "chart": company.chart_template,
        "register_id": register.id,
        "journals": journals.mapped("name"),
        "bank_journal": bank.name,
        "odoo": release.version,
        "pg": pg,
    }
