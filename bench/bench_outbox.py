#!/usr/bin/env python3
"""Outbox benchmark (run by hand): posting cost, drain throughput, drain memory.

    python3 bench/bench_outbox.py            # default sizes (about 15-20 min)
    python3 bench/bench_outbox.py --quick    # smaller sizes, a smoke run
    python3 bench/bench_outbox.py --full     # 2000 receipts at 300 ms too
    python3 bench/bench_outbox.py --profile  # plus a cProfile of a 10 ms drain

Stdlib only in this process. Through ``dev/harness.py`` it finds Odoo, starts
a throwaway PostgreSQL (kept in ``<cache>/pg-bench/data`` between runs), makes
the database ``vchasno_bench`` without demo data (``account``, then the
addon; upgraded when the addon's files changed since the last run), starts the
Vchasno emulator (``python3 -m tools.emulator``) on a free loopback port, and
runs every measurement in a fresh Odoo child process (this same file with
``--child``: ``Registry(db)`` and real commits, as in production).

Measures (the acceptance of issue 7, "bench/ measures"):

1. posting N invoice payments through the Register Payment wizard
   (``_create_payments``), integration off vs on, with the emulator at 10 ms
   and at 2000 ms: median of the runs, ratio on/off (target <= 1.10);
   plus the queries that the posting hook adds to ``account.payment.action_post``
   (RELIABILITY.md §7 case 38: at most 3);
2. draining queued receipts with ``_cron_send_pending_receipts`` at 10 ms and
   300 ms: receipts/s vs the limit 1/latency (target >= 90 % at 300 ms) and
   the Odoo-side time per receipt at 10 ms = wall/N - latency - bare HTTP
   round trip (target <= 15 ms); every drain is verified: all receipts done,
   one emulator document per tag;
3. peak RSS of a process draining a small vs a large backlog (target: within
   10 %).

Results: a table on stdout and ``bench/results/<timestamp>.json``.
"""

import argparse
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
from collections import Counter
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "dev"))

import bench_parallel  # noqa: E402
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
# Parent: set-up, orchestration, report (stdlib only)
# ============================================================================


class Bench:
    # The database and the child script (bench_pos.py reuses this class).
    db = DB
    script = os.path.abspath(__file__)

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

    def run(self):
        setup = self.child("setup")
        self.results["machine"] = machine_info(setup)
        log("company %(company)s in %(currency)s, register %(register_id)s" % setup)
        self.results["setup"] = setup
        self.results["tree"] = git_state()
        self.save()
        only = set(self.args.only or ("rtt", "posting", "drain", "rss"))
        if "rtt" in only or "drain" in only:
            self.measure_rtt()
        if "posting" in only:
            self.measure_posting()
        if ("posting" in only and self.args.profile) or "posting-profile" in only:
            self.measure_posting_profile()
        if "drain" in only:
            self.measure_drains()
        if "rss" in only:
            self.measure_rss()
        if self.args.profile and "drain" in only:
            self.measure_profile()
        if "parallel" in only:
            self.measure_parallel()
        self.results["finished"] = datetime.now().isoformat(timespec="seconds")
        self.save()

    def measure_rtt(self):
        self.emu_reset(0)
        rtt = self.child("rtt", requests=200, runs=5)
        self.emu("POST", "/_emulator/reset", {})
        self.results["rtt"] = rtt
        log(
            "HTTP round trip at 0 ms latency: bare %.3f ms, VchasnoClient %.3f ms",
            rtt["bare_ms"],
            rtt["client_ms"],
        )
        self.save()

    def measure_posting(self):
        """Posting off vs on, as pairs of runs whose order alternates.

        A run that comes second in a pair was measured ~2 s slower whatever
        its mode (issue 12): with 5 runs in a fixed order the order decided
        the ratio. Here each pair gives one on/off ratio, the first mode
        alternates from pair to pair (so the order effect cancels out over
        an even number of runs), and the report gives the median of the
        paired ratios with its spread, plus the order effect itself.
        """
        out = {}
        # An even number of pairs: each order (off first, on first) as often.
        pairs = self.size("posting_pairs") + self.size("posting_pairs") % 2
        for latency in self.args.latencies or POSTING_LATENCIES:
            self.emu_reset(latency)
            log(
                "posting: %d payments x %d pairs off/on (alternating), emulator "
                "at %d ms",
                self.size("payments"),
                pairs,
                latency,
            )
            res = self.child(
                "posting",
                payments=self.size("payments"),
                pairs=pairs,
                warmup=self.size("posting_warmup"),
                hook_queries=not out,
            )
            res["emulator_documents"] = len(self.emu("GET", "/_emulator/documents"))
            res.update(summarize_pairs(res["pairs"]))
            out[str(latency)] = res
            log(
                "  on/off: median of %d paired ratios %.3f (min %.3f, max %.3f, "
                "IQR %.3f-%.3f); CPU %.3f; second/first in a pair %.3f; "
                "emulator documents: %d",
                len(res["pairs"]),
                res["ratio"],
                res["ratio_min"],
                res["ratio_max"],
                res["ratio_q1"],
                res["ratio_q3"],
                res["cpu_ratio"],
                res["order_ratio"],
                res["emulator_documents"],
            )
            self.results["posting"] = out
            self.save()

    def measure_posting_profile(self):
        """Where posting time goes: the addon's own share, from stack samples."""
        self.emu_reset(POSTING_LATENCIES[0])
        n = self.size("profile_payments")
        log("posting profile: %d payments, integration on, stack samples", n)
        res = self.child("posting_profile", payments=n)
        self.results["posting_profile"] = res
        log(
            "  %d samples: addon's own share %.1f %% (any addon frame on the "
            "stack: %.1f %%)",
            res["samples"],
            100 * res["own_share"],
            100 * res["on_stack_share"],
        )
        self.save()

    def drain(self, n, latency_ms, label, profile=False):
        self.emu_reset(latency_ms)
        prefix = "b%s-%s-" % (self.stamp[-6:], label)
        queued = self.child("queue", n=n, prefix=prefix)
        log(
            "  queued %d receipts (%.1f s), draining at %d ms",
            n,
            queued["s"],
            latency_ms,
        )
        res = self.child("drain", n=n, prefix=prefix, profile=profile)
        docs = [d for d in self.emu("GET", "/_emulator/documents")]
        per_tag = Counter(d["tag"] for d in docs if d["tag"].startswith(prefix))
        res.update(
            n=n,
            latency_ms=latency_ms,
            queue_s=queued["s"],
            emulator_documents=len(docs),
            emulator_tags=len(per_tag),
            emulator_duplicates=sum(1 for c in per_tag.values() if c > 1),
        )
        res["verified"] = bool(
            res["states"].get("done") == n
            and len(res["states"]) == 1
            and len(docs) == n
            and len(per_tag) == n
            and not res["emulator_duplicates"]
        )
        res["receipts_per_s"] = n / res["wall_s"]
        res["limit_per_s"] = 1000.0 / latency_ms
        res["efficiency"] = res["receipts_per_s"] / res["limit_per_s"]
        res["ms_per_receipt"] = res["wall_s"] * 1000 / n
        res["odoo_ms_per_receipt"] = (
            res["ms_per_receipt"] - latency_ms - self.results["rtt"]["bare_ms"]
        )
        log(
            "  %.1f s: %.1f receipts/s (%.0f %% of %.1f/s), %.2f ms/receipt, "
            "Odoo-side %.2f ms; peak RSS %.1f MiB; verified=%s",
            res["wall_s"],
            res["receipts_per_s"],
            100 * res["efficiency"],
            res["limit_per_s"],
            res["ms_per_receipt"],
            res["odoo_ms_per_receipt"],
            res["rss_peak_kib"] / 1024,
            res["verified"],
        )
        return res

    def measure_drains(self):
        out = self.results.setdefault("drain", {})
        runs = []
        n = self.size("drain_fast_n")
        for i in range(self.args.drain_runs or self.size("drain_fast_runs")):
            log("drain %d receipts at %d ms, run %d", n, FAST_MS, i + 1)
            runs.append(self.drain(n, FAST_MS, "f%d" % i))
        out["fast"] = summarize_drains(runs)
        self.save()
        n = 2000 if self.args.full else self.size("drain_slow_n")
        log("drain %d receipts at %d ms", n, SLOW_MS)
        out["slow"] = summarize_drains([self.drain(n, SLOW_MS, "s")])
        self.save()

    def measure_rss(self):
        out = {}
        for name in ("rss_small", "rss_large"):
            n = self.size(name)
            log("peak RSS: drain %d receipts at %d ms in a fresh process", n, FAST_MS)
            out[name] = self.drain(n, FAST_MS, "m%d" % n)
            self.results["rss"] = out
            self.save()
        small, large = out["rss_small"], out["rss_large"]
        out["growth"] = large["rss_peak_kib"] / small["rss_peak_kib"] - 1
        out["drain_growth_small_kib"] = small["rss_peak_kib"] - small["rss_start_kib"]
        out["drain_growth_large_kib"] = large["rss_peak_kib"] - large["rss_start_kib"]
        self.save()

    def measure_parallel(self):
        """R registers x N receipts by R concurrent senders vs 1 x N by one."""
        n, out = self.size("parallel_n"), {}
        for label, count in (("parallel", PARALLEL_REGISTERS), ("single", 1)):
            self.emu_reset(SLOW_MS)
            prefix = "b%s-%s-" % (self.stamp[-6:], label)
            queued = self.child("par_queue", n=n, registers=count, prefix=prefix)
            log(
                "parallel: %d register(s) x %d receipts queued (%.1f s), %d "
                "sender(s) at %d ms",
                count, n, queued["s"], count, SLOW_MS,
            )  # fmt: skip
            res = self.child(
                "par_drain", register_ids=queued["register_ids"], prefix=prefix
            )
            docs = self.emu("GET", "/_emulator/documents")
            per_tag = Counter(d["tag"] for d in docs if d["tag"].startswith(prefix))
            total = n * count
            res.update(
                registers=count,
                n_per_register=n,
                crons=queued["crons"],
                emulator_documents=len(docs),
                emulator_tags=len(per_tag),
                max_documents_per_tag=max(per_tag.values(), default=0),
                receipts_per_s=total / res["wall_s"],
            )
            res["verified"] = bool(
                res["states"] == {"done": total}
                and len(per_tag) == total == len(docs)
                and res["max_documents_per_tag"] == 1
                and not res["errors"]
            )
            out[label] = res
            log(
                "  %.1f s: %.2f receipts/s, per sender %s, documents per tag max "
                "%d, verified=%s",
                res["wall_s"], res["receipts_per_s"], res["sent_per_sender"],
                res["max_documents_per_tag"], res["verified"],
            )  # fmt: skip
        out["speedup"] = (
            out["parallel"]["receipts_per_s"] / out["single"]["receipts_per_s"]
        )
        log("  parallel / single rate: %.2fx", out["speedup"])
        self.results["parallel"] = out
        self.save()

    def measure_profile(self):
        n = self.size("profile_n")
        log("cProfile: drain %d receipts at %d ms", n, FAST_MS)
        self.results["profile"] = self.drain(n, FAST_MS, "p", profile=True)
        self.save()

    # --- report --- #

    def report(self):
        r = self.results
        lines = ["", "Outbox benchmark (%s mode) — %s" % (r["mode"], r["command"])]
        m = r.get("machine", {})
        lines.append(
            "machine: %s, %s cores, Python %s, Odoo %s, %s"
            % (
                m.get("cpu"),
                m.get("cores"),
                m.get("python"),
                m.get("odoo"),
                m.get("pg"),
            )
        )
        rows = []
        if "rtt" in r:
            rows.append(
                (
                    "HTTP round trip, bare, emulator at 0 ms",
                    "%.3f ms" % r["rtt"]["bare_ms"],
                    "",
                    "",
                )
            )
            rows.append(
                (
                    "HTTP round trip, VchasnoClient, 0 ms",
                    "%.3f ms" % r["rtt"]["client_ms"],
                    "",
                    "",
                )
            )
        for latency, p in r.get("posting", {}).items():
            rows.append(
                (
                    "posting %d payments, emulator %s ms: off / on (medians)"
                    % (p["payments"], latency),
                    "%.2f s / %.2f s" % (p["off_median_s"], p["on_median_s"]),
                    "ratio <= %.2f" % TARGETS["posting_ratio_max"],
                    verdict(
                        p["ratio"] <= TARGETS["posting_ratio_max"], "%.3f" % p["ratio"]
                    ),
                )
            )
            rows.append(
                (
                    "  median of %d paired on/off ratios (alternating order)"
                    % len(p["pairs"]),
                    "%.3f" % p["ratio"],
                    "spread",
                    "min %.3f max %.3f IQR %.3f-%.3f"
                    % (p["ratio_min"], p["ratio_max"], p["ratio_q1"], p["ratio_q3"]),
                )
            )
            rows.append(
                (
                    "  order effect: second / first run of a pair (median)",
                    "%.3f" % p["order_ratio"],
                    "",
                    "",
                )
            )
            rows.append(
                (
                    "  ms per payment off / on; queries per payment off / on",
                    "%.1f / %.1f ms; %.0f / %.0f"
                    % (
                        1000 * p["off_median_s"] / p["payments"],
                        1000 * p["on_median_s"] / p["payments"],
                        p["queries_per_payment"]["off"],
                        p["queries_per_payment"]["on"],
                    ),
                    "",
                    "HTTP documents during posting: %d" % p["emulator_documents"],
                )
            )
            rows.append(
                (
                    "  Odoo process CPU on/off ratio (less sensitive to other load)",
                    "%.3f" % p["cpu_ratio"],
                    "",
                    "",
                )
            )
            if p.get("hook_queries"):
                h = p["hook_queries"]
                rows.append(
                    (
                        "  queries of account.payment.action_post off / on (median)",
                        "%s / %s" % (h["off_median"], h["on_median"]),
                        "added <= %d" % TARGETS["hook_queries_max"],
                        verdict(
                            h["added"] <= TARGETS["hook_queries_max"],
                            "+%s" % h["added"],
                        ),
                    )
                )
        for key, target in (("fast", True), ("slow", False)):
            d = r.get("drain", {}).get(key)
            if not d:
                continue
            rows.append(
                (
                    "drain %d receipts at %d ms (%s)"
                    % (d["n"], d["latency_ms"], d["runs_note"]),
                    "%.1f s, %.1f receipts/s" % (d["wall_s"], d["receipts_per_s"]),
                    "limit %.1f/s" % d["limit_per_s"] + ("" if target else ", >= 90 %"),
                    "%.0f %% of limit" % (100 * d["efficiency"])
                    if target
                    else verdict(
                        d["efficiency"] >= TARGETS["slow_efficiency_min"],
                        "%.0f %% of limit" % (100 * d["efficiency"]),
                    ),
                )
            )
            rows.append(
                (
                    "  ms/receipt; Odoo-side = ms/receipt - latency - bare RTT",
                    "%.2f; %.2f ms" % (d["ms_per_receipt"], d["odoo_ms_per_receipt"]),
                    "<= %.0f ms" % TARGETS["odoo_ms_per_receipt_max"],
                    verdict(
                        d["odoo_ms_per_receipt"] <= TARGETS["odoo_ms_per_receipt_max"],
                        "%.2f ms" % d["odoo_ms_per_receipt"],
                    ),
                )
            )
            rows.append(
                (
                    "  queries per receipt; verified (all done, 1 doc per tag)",
                    "%.1f" % d["queries_per_receipt"],
                    "",
                    "yes" if d["verified"] else "NO",
                )
            )
        rss = r.get("rss")
        if rss and "growth" in rss:
            s, g = rss["rss_small"], rss["rss_large"]
            rows.append(
                (
                    "peak RSS draining %d vs %d receipts" % (s["n"], g["n"]),
                    "%.1f / %.1f MiB"
                    % (s["rss_peak_kib"] / 1024, g["rss_peak_kib"] / 1024),
                    "within 10 %",
                    verdict(
                        rss["growth"] <= TARGETS["rss_growth_max"],
                        "%+.1f %%" % (100 * rss["growth"]),
                    ),
                )
            )
            rows.append(
                (
                    "  RSS at start of drain (registry loaded)",
                    "%.1f / %.1f MiB"
                    % (s["rss_start_kib"] / 1024, g["rss_start_kib"] / 1024),
                    "",
                    "%s / %s verified" % (s["verified"], g["verified"]),
                )
            )
        if "posting_profile" in r:
            p = r["posting_profile"]
            rows.append(
                (
                    "posting profile: addon's own share (%d payments, %d samples)"
                    % (p["payments"], p["samples"]),
                    "%.1f %%" % (100 * p["own_share"]),
                    "",
                    "any addon frame on the stack: %.1f %%"
                    % (100 * p["on_stack_share"]),
                )
            )
            for name, share in p.get("own_by_entry", [])[:5]:
                rows.append(("  of which under " + name, "%.1f %%" % (100 * share)))
                rows[-1] += ("", "")
        if "parallel" in r:
            rows.extend(parallel_rows(r["parallel"]))
        if "profile" in r:
            p = r["profile"]
            rows.append(
                (
                    "cProfile drain %d at %d ms" % (p["n"], p["latency_ms"]),
                    p["profile_file"],
                    "",
                    "",
                )
            )
        widths = (
            [max(len(str(row[i])) for row in rows) for i in range(4)] if rows else []
        )
        for row in rows:
            lines.append(
                "  ".join(
                    str(c).ljust(w) for c, w in zip(row, widths, strict=True)
                ).rstrip()
            )
        for p in r.get("posting", {}).values():
            if p.get("hook_queries", {}).get("added_queries"):
                lines.append("queries that the posting hook adds to one action_post:")
                lines.extend("  " + q for q in p["hook_queries"]["added_queries"])
        if "profile" in r:
            lines.append("top functions by own time (cProfile):")
            for fn in r["profile"]["profile_top"][:15]:
                lines.append(
                    "  %8.3f s own %8.3f s cum %8d calls  %s"
                    % (fn["tottime"], fn["cumtime"], fn["ncalls"], fn["func"])
                )
        lines.append("results: %s" % os.path.relpath(self.results_path, ROOT))
        print("\n".join(lines), flush=True)


def parallel_rows(p):
    par, one = p["parallel"], p["single"]
    rows = [
        (
            "%d registers x %d at %d ms, %d senders (cron threads)"
            % (par["registers"], par["n_per_register"], SLOW_MS, par["registers"]),
            "%.2f receipts/s" % par["receipts_per_s"],
            "%.1f s" % par["wall_s"],
            "verified" if par["verified"] else "NOT VERIFIED",
        ),
        (
            "1 register x %d at %d ms, 1 sender" % (one["n_per_register"], SLOW_MS),
            "%.2f receipts/s" % one["receipts_per_s"],
            "%.1f s" % one["wall_s"],
            "verified" if one["verified"] else "NOT VERIFIED",
        ),
        (
            "parallel / single rate; documents per tag (max)",
            "%.2fx; %d" % (p["speedup"], par["max_documents_per_tag"]),
            "",
            verdict(
                p["speedup"] >= TARGETS["parallel_speedup_min"],
                ">= %.1fx" % TARGETS["parallel_speedup_min"],
            ),
        ),
    ]
    return rows


def verdict(ok, text):
    return "%s %s" % ("OK" if ok else "MISSED", text)


def quartiles(values):
    """(q1, median, q3) of a small sample (inclusive method)."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def summarize_pairs(pairs):
    """The paired on/off ratios: median and spread, and the order effect.

    Each pair is one off run and one on run back to back; ``first`` says
    which ran first. The order effect (second / first, whatever the modes)
    is reported so that a reader sees how much the alternation cancels.
    """
    ratios = [pair["on_s"] / pair["off_s"] for pair in pairs]
    cpu = [pair["on_cpu_s"] / pair["off_cpu_s"] for pair in pairs]
    order = [
        (pair["off_s"] / pair["on_s"])
        if pair["first"] == "on"
        else (pair["on_s"] / pair["off_s"])
        for pair in pairs
    ]
    q1, median, q3 = quartiles(ratios)
    return {
        "ratios": ratios,
        "ratio": median,
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "ratio_q1": q1,
        "ratio_q3": q3,
        "cpu_ratios": cpu,
        "cpu_ratio": statistics.median(cpu),
        "order_ratio": statistics.median(order),
        "off_median_s": statistics.median(pair["off_s"] for pair in pairs),
        "on_median_s": statistics.median(pair["on_s"] for pair in pairs),
    }


def summarize_drains(runs):
    """Median over runs of the figures, keeping every run."""
    keys = ("wall_s", "receipts_per_s", "efficiency", "ms_per_receipt",
            "odoo_ms_per_receipt", "queries_per_receipt", "rss_peak_kib")  # fmt: skip
    out = dict(runs[0])
    for key in keys:
        out[key] = statistics.median(run[key] for run in runs)
    out["verified"] = all(run["verified"] for run in runs)
    out["runs"] = runs
    out["runs_note"] = "median of %d runs" % len(runs) if len(runs) > 1 else "1 run"
    return out


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


def main():
    harness._stop_on_signals()  # noqa: SLF001 - Ctrl-C/SIGTERM run the clean-ups
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes (smoke run)"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="2000 receipts at 300 ms (about 11 min more)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="stack samples of posting (the addon's share), cProfile of a 10 ms drain",
    )
    parser.add_argument(
        "--drain-runs", type=int, help="runs of the 10 ms drain (median; default 1)"
    )
    parser.add_argument("--payments", type=int, help="payments per posting run")
    parser.add_argument(
        "--pairs", type=int, help="pairs of posting runs (off + on, alternating)"
    )
    parser.add_argument(
        "--latencies",
        type=int,
        nargs="+",
        help="emulator latencies (ms) of the posting measure (default 10 2000)",
    )
    parser.add_argument(
        "--only", nargs="+",
        choices=("rtt", "posting", "posting-profile", "drain", "rss", "parallel"),
        help="run only these measurements",
    )  # fmt: skip
    return run_bench(Bench(parser.parse_args()))


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


def child_main(spec):
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["--addons-path", spec["addons_path"], "--data-dir", spec["data_dir"],
         *spec["pg_args"], "--no-http",
         "--logfile", spec["logfile"], "--log-level", "info"],
        setup_logging=True,
    )  # fmt: skip
    task = spec["task"]
    if task == "probe":
        return emit(**child_probe(spec))
    if task == "rtt":
        return emit(**child_rtt(spec))
    registry = odoo.modules.registry.Registry(spec["db"])
    if task == "par_drain":
        return emit(**bench_parallel.child_par_drain(registry, spec))
    func = {
        "par_queue": lambda cr, spec: bench_parallel.child_par_queue(
            cr, spec, child_queue
        ),
        "setup": child_setup,
        "posting": child_posting,
        "posting_profile": child_posting_profile,
        "queue": child_queue,
        "drain": child_drain,
    }[task]
    with registry.cursor() as cr:
        return emit(**func(cr, spec))


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


def child_rtt(spec):
    """Bare HTTP round trip to the emulator (0 ms latency) and via the client."""
    from decimal import Decimal  # noqa: PLC0415

    import requests  # noqa: PLC0415

    from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm  # noqa: PLC0415
    from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_client import (  # noqa: PLC0415
        VchasnoClient,
    )

    url = spec["emulator_url"]
    n, runs = spec["requests"], spec["runs"]

    def payload(tag):
        receipt = rm.build_receipt(
            [rm.Row("Bench item", Decimal(1), Decimal("100.00"), "1")],
            [rm.Pay(rm.PAY_CASHLESS, Decimal("100.00"))],
        )
        return rm.build_request(rm.TASK_SALE, tag, receipt=receipt)

    session = requests.Session()
    client = VchasnoClient(url, TOKEN, timeout=(5, 30))
    bare, full = [], []
    try:
        for run in range(runs):
            loads = [payload("rtt-b%d-%d" % (run, i)) for i in range(n)]
            started = time.perf_counter()
            for body in loads:
                session.post(
                    url + FISCAL_PATH, json=body, headers={"Authorization": TOKEN},
                    timeout=(5, 30),
                ).json()  # fmt: skip
            bare.append((time.perf_counter() - started) * 1000 / n)
            loads = [payload("rtt-c%d-%d" % (run, i)) for i in range(n)]
            started = time.perf_counter()
            for body in loads:
                client.execute(body)
            full.append((time.perf_counter() - started) * 1000 / n)
    finally:
        client.close()
        session.close()
    return {
        "requests": n,
        "runs": runs,
        "bare_ms": statistics.median(bare),
        "client_ms": statistics.median(full),
        "bare_runs_ms": bare,
        "client_runs_ms": full,
    }


def _posting_env(cr):
    from odoo import api  # noqa: PLC0415

    env = api.Environment(cr, 2, {})  # the admin user, as in the UI (not su)
    company, _register, _journals, bank, partner, product = _bench_records(env(su=True))
    return env, company.with_env(env), bank, partner, product


def _posted_invoices(env, partner, product, count):
    """``count`` posted one-line invoices of 100 (not timed)."""
    from odoo import Command, fields  # noqa: PLC0415

    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.context_today(env.user),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": 100.0}
                    )
                ],
            }
            for _i in range(count)
        ]
    )
    invoices.action_post()
    return invoices


def _register_payments(env, invoices, bank):
    """Pay each invoice through the Register Payment wizard, as a user does."""
    for invoice in invoices:
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": bank.id})
        )
        wizard.with_context(dont_redirect_to_payments=True)._create_payments()
    env.flush_all()


def child_posting(cr, spec):
    env, company, bank, partner, product = _posting_env(cr)
    Receipt = env["vchasno.receipt"].sudo()

    def set_integration(on):
        company.sudo().vchasno_enabled = on
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()

    def one_run(mode, count):
        set_integration(mode == "on")
        # Every run starts from the same cache state, not from what the
        # previous run left in the environment.
        env.invalidate_all()
        invoices = _posted_invoices(env, partner, product, count)
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
        receipts_before = Receipt.search_count([])
        env.flush_all()
        queries = cr.sql_log_count
        cpu = time.process_time()
        started = time.perf_counter()
        _register_payments(env, invoices, bank)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        queries = cr.sql_log_count - queries
        started = time.perf_counter()
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
        commit_s = time.perf_counter() - started
        receipts = Receipt.search_count([]) - receipts_before
        expected = count if mode == "on" else 0
        if receipts != expected:
            raise AssertionError(
                "%s: %d receipts queued, expected %d" % (mode, receipts, expected)
            )
        return elapsed, cpu, commit_s, queries / count

    n = spec["payments"]
    note("warm-up: %d payments off, %d on" % (spec["warmup"], spec["warmup"]))
    one_run("off", spec["warmup"])
    one_run("on", spec["warmup"])
    out = {"payments": n, "pairs": []}
    queries = {"off": [], "on": []}
    for index in range(spec["pairs"]):
        # Alternate which mode goes first: the second run of a pair is
        # slower whatever its mode, so a fixed order would decide the ratio.
        order = ("off", "on") if index % 2 == 0 else ("on", "off")
        pair = {"first": order[0]}
        for mode in order:
            elapsed, cpu, commit_s, qpp = one_run(mode, n)
            pair.update(
                {
                    mode + "_s": elapsed,
                    mode + "_cpu_s": cpu,
                    mode + "_commit_s": commit_s,
                }
            )
            queries[mode].append(qpp)
        out["pairs"].append(pair)
        note(
            "pair %d (%s first): off %.2f s, on %.2f s, ratio %.3f"
            % (index + 1, order[0], pair["off_s"], pair["on_s"],
               pair["on_s"] / pair["off_s"])
        )  # fmt: skip
    out["queries_per_payment"] = {m: statistics.median(q) for m, q in queries.items()}
    if spec.get("hook_queries"):
        out["hook_queries"] = _hook_queries(
            env, cr, company, bank, partner, set_integration
        )
    set_integration(True)
    return out


def child_posting_profile(cr, spec):
    """Stack samples of posting with the integration on: the addon's share.

    See ``stack_sampler.addon_share`` for what counts as the addon's own
    time (its frames and what they call, minus the core methods that its
    overrides extend through ``super()``).
    """
    import stack_sampler  # noqa: PLC0415 - bench/ is the script's folder

    env, company, bank, partner, product = _posting_env(cr)
    company.sudo().vchasno_enabled = True
    warm = _posted_invoices(env, partner, product, 10)
    # The bench measures real transactions, as the cron worker runs them.
    cr.commit()
    _register_payments(env, warm, bank)
    cr.commit()
    env.invalidate_all()
    invoices = _posted_invoices(env, partner, product, spec["payments"])
    cr.commit()
    with stack_sampler.Sampler() as sampler:
        started = time.perf_counter()
        _register_payments(env, invoices, bank)
        elapsed = time.perf_counter() - started
    cr.commit()
    share = stack_sampler.addon_share(sampler.stacks, ROOT)
    share.update(payments=spec["payments"], wall_s=elapsed)
    return share


def _hook_queries(env, cr, company, bank, partner, set_integration, count=21):
    """Queries of ``account.payment.action_post``, integration off vs on.

    Payments without invoice, posted one by one; ``flush_all`` inside the
    counted window so that deferred INSERT/UPDATEs are counted too.
    """
    counts, texts = {}, {}
    for mode in ("off", "on"):
        set_integration(mode == "on")
        payments = env["account.payment"].create(
            [
                {"payment_type": "inbound", "partner_type": "customer",
                 "partner_id": partner.id, "amount": 100.0, "journal_id": bank.id}
                for _i in range(count)
            ]
        )  # fmt: skip
        cr.commit()
        counts[mode] = []
        for payment in payments[:-1]:
            env.flush_all()
            before = cr.sql_log_count
            payment.action_post()
            env.flush_all()
            counts[mode].append(cr.sql_log_count - before)
        texts[mode] = _capture_queries(
            lambda p=payments[-1]: (p.action_post(), env.flush_all())
        )
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
    off, on = statistics.median(counts["off"]), statistics.median(counts["on"])
    added = Counter(texts["on"]) - Counter(texts["off"])
    return {
        "payments": count - 1,
        "off": counts["off"],
        "on": counts["on"],
        "off_median": off,
        "on_median": on,
        "added": on - off,
        "added_queries": sorted(added.elements()),
    }


def _capture_queries(func):
    """The SQL statements ``func`` runs (numbers blanked), via sql_db's log."""
    import logging  # noqa: PLC0415
    import re  # noqa: PLC0415

    queries = []

    class Capture(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if "query: " in message:
                text = " ".join(message.split("query: ", 1)[1].split())
                text = re.sub(r'"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"', "X", text)
                queries.append(re.sub(r"\b\d+\b", "N", text)[:200])

    logger = logging.getLogger("odoo.sql_db")
    handler, level, propagate = Capture(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        func()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    return queries


def child_queue(cr, spec, register_id=None, cancel_leftovers=True):
    """Queue N sale receipts with a frozen payload (sent as is by the cron)."""
    from decimal import Decimal  # noqa: PLC0415

    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    company, register, *_rest = _bench_records(env)
    register = env["vchasno.register"].browse(register_id) if register_id else register
    started = time.perf_counter()
    if cancel_leftovers:
        # Leftovers of earlier (interrupted or posting) runs must not be drained.
        cr.execute(
            "UPDATE vchasno_receipt SET state = 'cancelled' "
            "WHERE state IN ('to_send', 'sending', 'unknown')"
        )
    cr.execute(
        "UPDATE vchasno_register SET auth_failed = false, consecutive_failures = 0, "
        "circuit_open_until = NULL WHERE id = %s",
        [register.id],
    )
    env.invalidate_all()
    amount = Decimal("100.00")
    receipt = rm.build_receipt(
        [rm.Row("Bench item", Decimal(1), amount, "1")],
        [rm.Pay(rm.PAY_CASHLESS, amount)],
    )
    Receipt = env["vchasno.receipt"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_notrack=True
    )
    chunk = 500
    for start in range(0, spec["n"], chunk):
        vals = []
        for i in range(start, min(start + chunk, spec["n"])):
            tag = "%s%d" % (spec["prefix"], i)
            vals.append(
                {
                    "company_id": company.id,
                    "register_id": register.id,
                    "kind": "sale",
                    "amount": float(amount),
                    "tag": tag,
                    "payload": rm.build_request(rm.TASK_SALE, tag, receipt=receipt),
                }
            )
        Receipt.create(vals)
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
    return {"n": spec["n"], "s": time.perf_counter() - started}


def child_drain(cr, spec):
    """Drain the queue with the cron method in this fresh process."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})  # the cron's user
    Receipt = env["vchasno.receipt"]
    register = _bench_records(env)[1]
    prefix = spec["prefix"]
    due = Receipt._due_count()
    if due != spec["n"]:
        raise AssertionError("%d receipts due, expected %d" % (due, spec["n"]))
    # The bench measures real transactions, as the cron worker runs them.
    cr.commit()
    rss_start = rss_kib()
    profiler = None
    if spec.get("profile"):
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
    queries = cr.sql_log_count
    calls = 0
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    while True:
        # The register's own cron (models/vchasno_sender_crons).
        Receipt._cron_send_pending_receipts(
            batch_size=10**6, time_box=10**6, register_ids=register.ids
        )
        calls += 1
        if not Receipt._due_count() or calls >= 5:
            break
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    queries = cr.sql_log_count - queries
    rss_end = rss_kib()
    cr.execute(
        "SELECT state, count(*) FROM vchasno_receipt WHERE tag LIKE %s GROUP BY state",
        [prefix + "%"],
    )
    out = {
        "wall_s": wall,
        "cron_calls": calls,
        "states": dict(cr.fetchall()),
        "queries_per_receipt": queries / spec["n"],
        "rss_start_kib": rss_start[0],
        "rss_peak_kib": rss_end[0],
        "vm_hwm_kib": rss_end[1],
        "vm_rss_end_kib": rss_end[2],
    }
    if profiler:
        out.update(_profile_report(profiler, spec))
    return out


def _profile_report(profiler, spec):
    import io  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(
        RESULTS, "drain-%s.prof" % datetime.now().strftime("%Y%m%d-%H%M%S")
    )
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler)
    top = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in sorted(
        stats.stats.items(), key=lambda item: item[1][2], reverse=True
    )[:40]:
        short = filename.replace(ROOT, "<addon>").split("site-packages/")[-1]
        short = short.split("/odoo/")[-1] if "/odoo/" in short else short
        top.append(
            {"func": "%s:%d(%s)" % (short, line, name), "ncalls": ncalls,
             "tottime": round(tottime, 4), "cumtime": round(cumtime, 4)}
        )  # fmt: skip
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    with open(path[:-5] + ".txt", "w") as f:
        f.write(text.getvalue())
    return {"profile_file": os.path.relpath(path, ROOT), "profile_top": top}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
