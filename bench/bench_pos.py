#!/usr/bin/env python3
"""Point of Sale benchmark (run by hand): syncing paid orders, integration off
vs on, with the Vchasno emulator at 10 ms and at 2 s.

    python3 bench/bench_pos.py             # 100 orders x 4 pairs per latency
    python3 bench/bench_pos.py --quick     # 20 orders x 2 pairs (smoke run)
    python3 bench/bench_pos.py --only queries   # queries added per sync
    python3 bench/bench_pos.py --only profile   # the addon's share of a sync

What is measured, the target (issue 14: on/off <= 1.10 at both latencies)
and the checks (no document during the syncs, then one per tag after a
drain): bench/README.md, "bench_pos.py". Infrastructure: bench_outbox.py's
``Bench`` on the database ``vchasno_bench_pos``.
"""

import argparse
import json
import os
import sys
from collections import Counter

import bench_outbox as bo
from bench_outbox import emit, harness, log, summarize_pairs

DB = "vchasno_bench_pos"
MODULES = (bo.MODULE, "l10n_ua_vchasno_kasa_pos")
LATENCIES = (10, 2000)
DRAIN_MS = 10
TARGET = 1.10
SIZES = {"orders": (100, 20), "pairs": (4, 2), "warmup": (10, 5)}


class PosBench(bo.Bench):
    db = DB
    script = os.path.abspath(__file__)

    def __init__(self, args):
        args.full = False
        super().__init__(args)
        self.results["command"] = " ".join(
            ["python3", "bench/bench_pos.py", *sys.argv[1:]]
        )
        self.results["targets"] = {"sync_ratio_max": TARGET}
        self.results_path = os.path.join(bo.RESULTS, "pos-%s.json" % self.stamp)

    def size(self, name):
        return SIZES[name][1 if self.quick else 0]

    def ensure_db(self):
        state = self._child("probe")
        if state["exists"] and state["module"] == "installed":
            log("database %s exists (delete it to start over)", DB)
            return
        if state["exists"]:
            self.pg.drop(self.odoo, DB)
        install_log = os.path.join(self.logs, "install.log")
        log("creating database %s (account, point_of_sale, then the addons)", DB)
        harness.install(
            self.odoo, self.pg, DB, "account,point_of_sale", False, install_log
        )
        harness.install(self.odoo, self.pg, DB, ",".join(MODULES), False, install_log)

    def run(self):
        setup = self.child("pos_setup")
        self.results["machine"] = bo.machine_info(setup)
        self.results["setup"] = setup
        self.results["tree"] = bo.git_state()
        only = set(self.args.only or ("sync", "queries", "profile"))
        if "queries" in only:
            self.emu_reset(DRAIN_MS)
            res = self.child("queries", orders=11)
            self.results["queries"] = res
            log(
                "queries per synced order: off %s, on %s (median); added: %s",
                res["off_median"], res["on_median"], res["added"],
            )  # fmt: skip
            self.results["queries"]["drain"] = self.verify_drain(res["queued"])
            self.save()
        if "profile" in only:
            self.emu_reset(DRAIN_MS)
            res = self.child("profile", orders=self.size("orders"))
            self.results["profile"] = res
            log(
                "addon's own share of %d syncs: %.1f %% of %d samples (%.1f ms "
                "per order); top: %s",
                res["orders"], 100 * res["own_share"], res["samples"],
                res["own_ms_per_order"],
                ", ".join("%s %.1f %%" % (n, 100 * s) for n, s in res["own_by_entry"]),
            )  # fmt: skip
            self.results["profile"]["drain"] = self.verify_drain(res["queued"])
            self.save()
        if "sync" not in only:
            return
        out = self.results.setdefault("sync", {})
        for latency in LATENCIES:
            self.emu_reset(latency)
            n, pairs = self.size("orders"), self.size("pairs")
            log(
                "sync: %d orders x %d pairs off/on, emulator at %d ms",
                n,
                pairs,
                latency,
            )
            res = self.child("sync", orders=n, pairs=pairs, warmup=self.size("warmup"))
            res["emulator_documents_during_sync"] = len(
                self.emu("GET", "/_emulator/documents")
            )
            res.update(summarize_pairs(res["pairs"]))
            self.emu_reset(DRAIN_MS)
            res["drain"] = self.verify_drain(res["queued"])
            out[str(latency)] = res
            log(
                "  on/off: median of %d paired ratios %.3f (min %.3f, max %.3f, "
                "IQR %.3f-%.3f); documents during the syncs: %d; drain verified: %s",
                len(res["pairs"]), res["ratio"], res["ratio_min"], res["ratio_max"],
                res["ratio_q1"], res["ratio_q3"],
                res["emulator_documents_during_sync"], res["drain"]["verified"],
            )  # fmt: skip
            self.save()

    def verify_drain(self, queued):
        res = self.child("drain_pos", n=queued)
        docs = self.emu("GET", "/_emulator/documents")
        per_tag = Counter(d["tag"] for d in docs)
        res.update(
            emulator_documents=len(docs),
            emulator_duplicates=sum(1 for c in per_tag.values() if c > 1),
        )
        res["verified"] = bool(
            res["states"] == {"done": queued}
            and len(docs) == queued
            and sorted(per_tag) == sorted(res["tags"])
            and not res["emulator_duplicates"]
        )
        del res["tags"]
        return res

    def report(self):
        lines = ["", "Point of Sale sync benchmark — %s" % self.results["command"]]
        m = self.results.get("machine", {})
        lines.append(
            "machine: %s, %s cores, Odoo %s"
            % (m.get("cpu"), m.get("cores"), m.get("odoo"))
        )
        q = self.results.get("queries")
        if q:
            lines.append(
                "queries per synced order: off %s, on %s, added %s:\n  %s"
                % (q["off_median"], q["on_median"], q["added"],
                   "\n  ".join(q["added_queries"]))
            )  # fmt: skip
        p = self.results.get("profile")
        if p:
            lines.append(
                "addon's own share of %d syncs: %.1f %% (%.1f ms per order); %s"
                % (p["orders"], 100 * p["own_share"], p["own_ms_per_order"],
                   ", ".join("%s %.1f %%" % (n, 100 * s) for n, s in p["own_by_entry"]))
            )  # fmt: skip
        for latency, res in self.results.get("sync", {}).items():
            lines.append(
                "%s ms: %d orders, off %.2f s / on %.2f s (medians); on/off %.3f "
                "[min %.3f, max %.3f, IQR %.3f-%.3f] over %d pairs; order effect %.3f; "
                "%d documents during syncs; %d receipts drained, one document per "
                "tag: %s -> %s"
                % (
                    latency, res["orders"], res["off_median_s"], res["on_median_s"],
                    res["ratio"], res["ratio_min"], res["ratio_max"], res["ratio_q1"],
                    res["ratio_q3"], len(res["pairs"]), res["order_ratio"],
                    res["emulator_documents_during_sync"],
                    res["drain"]["emulator_documents"], res["drain"]["verified"],
                    bo.verdict(
                        res["ratio"] <= TARGET
                        and not res["emulator_documents_during_sync"]
                        and res["drain"]["verified"],
                        "ratio <= %.2f" % TARGET,
                    ),
                )
            )  # fmt: skip
        print("\n".join(lines), flush=True)


def main():
    harness._stop_on_signals()  # noqa: SLF001 - Ctrl-C/SIGTERM run the clean-ups
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("queries", "sync", "profile"),
        help="only these measures",
    )
    return bo.run_bench(PosBench(parser.parse_args()))


# ============================================================================
# Child: runs inside Odoo (``--child SPEC``)
# ============================================================================


def child_main(spec):
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["--addons-path", spec["addons_path"], "--data-dir", spec["data_dir"],
         *spec["pg_args"], "--no-http", "--logfile", spec["logfile"],
         "--log-level", "info"],
        setup_logging=True,
    )  # fmt: skip
    if spec["task"] == "probe":
        return emit(**bo.child_probe(spec))
    import bench_pos_child as child  # noqa: PLC0415 - imports odoo

    registry = odoo.modules.registry.Registry(spec["db"])
    func = {
        "pos_setup": child.child_pos_setup,
        "sync": child.child_sync,
        "queries": child.child_queries,
        "profile": child.child_profile,
        "drain_pos": child.child_drain,
    }
    with registry.cursor() as cr:
        return emit(**func[spec["task"]](cr, spec))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
    else:
        sys.exit(main())
