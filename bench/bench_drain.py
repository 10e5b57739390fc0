"""Draining the queue (measures 2a, 2b), its memory (3), the HTTP round trip.

The parent's measures (a mixin of bench_outbox.Bench), the child tasks that
run inside Odoo, and the rows of the report. See bench/README.md.
"""

import os
import statistics
import time
from collections import Counter
from datetime import datetime

from bench_common import (
    FAST_MS,
    FISCAL_PATH,
    RESULTS,
    ROOT,
    SLOW_MS,
    TARGETS,
    TOKEN,
    _bench_records,
    log,
    rss_kib,
    verdict,
)


class DrainMeasures:
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

    def measure_profile(self):
        n = self.size("profile_n")
        log("cProfile: drain %d receipts at %d ms", n, FAST_MS)
        self.results["profile"] = self.drain(n, FAST_MS, "p", profile=True)
        self.save()


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


def rtt_rows(r):
    """The report's rows of the HTTP round trip."""
    if "rtt" not in r:
        return []
    return [
        ("HTTP round trip, bare, emulator at 0 ms",
         "%.3f ms" % r["rtt"]["bare_ms"], "", ""),
        ("HTTP round trip, VchasnoClient, 0 ms",
         "%.3f ms" % r["rtt"]["client_ms"], "", ""),
    ]  # fmt: skip


def drain_rows(r):
    """The report's rows of the drains at 10 and 300 ms."""
    rows = []
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
    return rows


def rss_rows(r):
    """The report's rows of the peak RSS."""
    rows = []
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
    return rows


def profile_rows(r):
    """The report's row of the cProfile drain."""
    rows = []
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
    return rows


def profile_notes(r):
    """The top functions of the cProfile drain, below the table."""
    lines = []
    if "profile" in r:
        lines.append("top functions by own time (cProfile):")
        for fn in r["profile"]["profile_top"][:15]:
            lines.append(
                "  %8.3f s own %8.3f s cum %8d calls  %s"
                % (fn["tottime"], fn["cumtime"], fn["ncalls"], fn["func"])
            )
    return lines


# ============================================================================
# Child: runs inside Odoo (``--child SPEC``)
# ============================================================================


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
