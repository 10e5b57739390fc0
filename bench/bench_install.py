#!/usr/bin/env python3
"""Install cost on a big database (issue 12, point 6), run by hand.

    python3 bench/bench_install.py                      # 100 000 payments, 3 runs
    python3 bench/bench_install.py --payments 20000 --runs 1

Through ``dev/harness.py`` it finds Odoo and starts a PostgreSQL cluster kept
in ``harness.pg_data_dir("pg-install")``. A template database holds
``account`` (no demo) and N customer payments: one made by the ORM, the
others copied from it by one ``INSERT ... SELECT`` (fast; a historical
payment is a row of ``account_payment`` to the installer). The template is
kept between runs (its name carries N).

Each run copies the template, then times ``odoo -i l10n_ua_vchasno_kasa
--stop-after-init`` on the copy from the outside, and reads PostgreSQL's own
row counters (``pg_stat_user_tables.n_tup_upd``, flushed when the installer's
connections close) of the big tables before and after: an install that
rewrites historical rows shows them here, whatever the code says.

Prints a table; writes ``bench/results/install-<timestamp>.json``.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "dev"))

import harness  # noqa: E402

MODULE = harness.MODULE
RESULTS = os.path.join(ROOT, "bench", "results")
BIG_TABLES = (
    "account_payment",
    "account_move",
    "account_move_line",
    "res_partner",
    "account_journal",
)


def log(msg, *args):
    stamp = datetime.now().strftime("%H:%M:%S")
    print("[install %s] %s" % (stamp, msg % args if args else msg), flush=True)


def run_child(odoo, pg, task, **params):
    spec = {"task": task, "pg_args": pg.odoo_args(), **params}
    cmd = [odoo.python, os.path.abspath(__file__), "--child", json.dumps(spec)]
    out = subprocess.run(cmd, env=odoo.env, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.stderr.write(out.stderr[-3000:])
        raise harness.HarnessError("child %s failed" % task)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_template(odoo, pg, n, logs):
    template = "vchasno_install_pay%d" % n
    if pg.sql(
        odoo, "SELECT 1 FROM pg_database WHERE datname = '%s'" % template, fetch=True
    ):
        log("template %s exists", template)
        return template
    building = template + "_building"
    pg.drop(odoo, building)
    harness.install(
        odoo, pg, building, "account", False, os.path.join(logs, "account.log")
    )
    started = time.monotonic()
    res = run_child(odoo, pg, "fill", db=building, n=n, addons_path=odoo.addons_path())
    log(
        "%d payments in %s (%.1f s)",
        res["payments"],
        building,
        time.monotonic() - started,
    )
    pg.sql(odoo, 'ALTER DATABASE "%s" RENAME TO "%s"' % (building, template))
    store = os.path.join(harness.DATA_DIR, "filestore")
    if os.path.isdir(os.path.join(store, building)):
        os.replace(os.path.join(store, building), os.path.join(store, template))
    return template


def measure(odoo, pg, template, runs, logs):
    results = []
    db = "vchasno_install_run"
    for index in range(runs):
        pg.drop(odoo, db)
        pg.sql(odoo, 'CREATE DATABASE "%s" TEMPLATE "%s"' % (db, template))
        source = os.path.join(harness.DATA_DIR, "filestore", template)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(harness.DATA_DIR, "filestore", db))
        before = run_child(odoo, pg, "stats", db=db)
        logfile = os.path.join(logs, "install-%d.log" % index)
        cmd = odoo.cmd(
            "-d", db, "--addons-path", odoo.addons_path(), *pg.odoo_args(),
            "-i", MODULE, "--stop-after-init", "--no-http",
            "--without-demo=all", "--log-level=info", "--logfile", logfile,
        )  # fmt: skip
        started = time.monotonic()
        rc = subprocess.run(cmd, env=odoo.env, check=False).returncode
        elapsed = time.monotonic() - started
        if rc:
            raise harness.HarnessError("install failed, see %s" % logfile)
        time.sleep(1)  # statistics of closed backends are flushed by now
        after = run_child(odoo, pg, "stats", db=db)
        updated = {
            table: after["tables"][table] - before["tables"][table]
            for table in BIG_TABLES
        }
        results.append(
            {
                "install_s": elapsed,
                "rows_updated": updated,
                "payments_with_cashier": after["payments_with_cashier"],
                "payments": after["payments"],
            }
        )
        log(
            "run %d: install %.1f s; rows updated %s; payments with a cashier %s",
            index + 1,
            elapsed,
            updated,
            after["payments_with_cashier"],
        )
    pg.drop(odoo, db)
    return results


def main():
    harness._stop_on_signals()  # noqa: SLF001 - Ctrl-C runs the clean-ups
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    logs = os.path.join(harness.LOGS, "bench-install-%s" % stamp)
    os.makedirs(logs, exist_ok=True)
    odoo = harness.find_odoo()
    harness.link_addon()
    pg = harness.Postgres(persistent_dir=harness.pg_data_dir("pg-install"))
    pg.start()
    try:
        template = ensure_template(odoo, pg, args.payments, logs)
        runs = measure(odoo, pg, template, args.runs, logs)
    except harness.HarnessError as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 2
    finally:
        pg.stop()
    summary = {
        "payments": args.payments,
        "runs": runs,
        "install_s_median": statistics.median(r["install_s"] for r in runs),
        "install_s_min": min(r["install_s"] for r in runs),
        "install_s_max": max(r["install_s"] for r in runs),
        "tree": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
    }
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "install-%s.json" % stamp)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(
        "\nInstall of %s on a database with %d payments (median of %d runs): "
        "%.1f s (min %.1f, max %.1f)"
        % (
            MODULE,
            args.payments,
            len(runs),
            summary["install_s_median"],
            summary["install_s_min"],
            summary["install_s_max"],
        )
    )
    print("rows updated by the install, per table: %s" % runs[-1]["rows_updated"])
    print("results: %s" % os.path.relpath(path, ROOT))
    return 0


# === Child: runs with Odoo importable (``--child SPEC``) === #


def child_main(spec):
    from odoo.tools import config  # noqa: PLC0415

    args = list(spec["pg_args"])
    if spec.get("addons_path"):
        args += ["--addons-path", spec["addons_path"]]
    config.parse_config([*args, "--data-dir", harness.DATA_DIR, "--no-http"])
    if spec["task"] == "fill":
        return child_fill(spec)
    return child_stats(spec)


def child_fill(spec):
    """One payment by the ORM, N - 1 copies of its row by SQL."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(spec["db"])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Install bench customer"})
        bank = env["account.journal"].search([("type", "=", "bank")], limit=1)
        payment = env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 100.0,
                "journal_id": bank.id,
            }
        )
        env.flush_all()
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'account_payment' AND column_name != 'id'"
        )
        columns = ", ".join('"%s"' % row[0] for row in cr.fetchall())
        cr.execute(
            "INSERT INTO account_payment (%s) SELECT %s FROM account_payment, "
            "generate_series(1, %%s) WHERE account_payment.id = %%s"
            % (columns, columns),
            [spec["n"] - 1, payment.id],
        )
        cr.execute("ANALYZE account_payment")
        cr.execute("SELECT count(*) FROM account_payment")
        count = cr.fetchone()[0]
    print(json.dumps({"payments": count}), flush=True)


def child_stats(spec):
    from odoo import sql_db  # noqa: PLC0415

    with sql_db.db_connect(spec["db"]).cursor() as cr:
        cr.execute(
            "SELECT relname, n_tup_upd FROM pg_stat_user_tables WHERE relname IN %s",
            [BIG_TABLES],
        )
        tables = dict(cr.fetchall())
        cr.execute("SELECT count(*) FROM account_payment")
        payments = cr.fetchone()[0]
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = "
            "'account_payment' AND column_name = 'vchasno_cashier_id'"
        )
        with_cashier = None
        if cr.fetchone():
            cr.execute(
                "SELECT count(*) FROM account_payment "
                "WHERE vchasno_cashier_id IS NOT NULL"
            )
            with_cashier = cr.fetchone()[0]
    print(
        json.dumps(
            {
                "tables": {t: tables.get(t, 0) for t in BIG_TABLES},
                "payments": payments,
                "payments_with_cashier": with_cashier,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
