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

The plumbing is in ``bench_common.py``, the measures in ``bench_posting.py``
(1), ``bench_drain.py`` (2, 3) and ``bench_parallel.py`` (4).
"""

import argparse
import json
import os
import sys
from datetime import datetime

import bench_common
import bench_drain
import bench_parallel
import bench_posting

# bench_pos.py uses these through this module.
from bench_common import (  # noqa: F401
    MODULE,
    RESULTS,
    ROOT,
    _bench_records,
    child_probe,
    child_setup,
    emit,
    git_state,
    harness,
    log,
    machine_info,
    note,
    run_bench,
    verdict,
)
from bench_posting import summarize_pairs  # noqa: F401


class Bench(
    bench_common.Bench,
    bench_posting.PostingMeasures,
    bench_drain.DrainMeasures,
    bench_parallel.ParallelMeasures,
):
    # The child script (bench_pos.py reuses this class with its own).
    script = os.path.abspath(__file__)

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
        rows = [
            *bench_drain.rtt_rows(r),
            *bench_posting.posting_rows(r),
            *bench_drain.drain_rows(r),
            *bench_drain.rss_rows(r),
            *bench_posting.posting_profile_rows(r),
        ]
        if "parallel" in r:
            rows.extend(bench_parallel.parallel_rows(r["parallel"]))
        rows.extend(bench_drain.profile_rows(r))
        widths = (
            [max(len(str(row[i])) for row in rows) for i in range(4)] if rows else []
        )
        for row in rows:
            lines.append(
                "  ".join(
                    str(c).ljust(w) for c, w in zip(row, widths, strict=True)
                ).rstrip()
            )
        lines.extend(bench_posting.posting_notes(r))
        lines.extend(bench_drain.profile_notes(r))
        lines.append("results: %s" % os.path.relpath(self.results_path, ROOT))
        print("\n".join(lines), flush=True)


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
        return emit(**bench_drain.child_rtt(spec))
    registry = odoo.modules.registry.Registry(spec["db"])
    if task == "par_drain":
        return emit(**bench_parallel.child_par_drain(registry, spec))
    func = {
        "par_queue": lambda cr, spec: bench_parallel.child_par_queue(
            cr, spec, bench_drain.child_queue
        ),
        "setup": child_setup,
        "posting": bench_posting.child_posting,
        "posting_profile": bench_posting.child_posting_profile,
        "queue": bench_drain.child_queue,
        "drain": bench_drain.child_drain,
    }[task]
    with registry.cursor() as cr:
        return emit(**func(cr, spec))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
