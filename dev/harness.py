#!/usr/bin/env python3
"""Development harness behind ``make test`` and ``make run``.

Stdlib only, so it runs before anything is installed. It:

1. finds Odoo 18.0 (``ODOO_SRC``, then an ``odoo`` package that ``python3``
   imports, then a download of the official 18.0 source into the cache;
   ``harness_odoo.py``), installing its pinned requirements when needed;
2. finds PostgreSQL (``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD`` when set,
   otherwise a kept or throwaway ``initdb`` cluster on 127.0.0.1 and a free
   port, run by a non-root OS user when we are root; ``harness_pg.py``);
3. shows every addon of the repository to Odoo through a link folder in the
   cache (the root addon, and e.g. ``pos/<addon>``; ``harness_addons.py``),
   whatever the clone's folder is called;
4. ``test``: a database copied from a cached template with the addons'
   dependencies (``harness_db.py``), the repository's addons installed, then
   pytest-odoo (with Odoo's HTTP server, so browser tours run when Chromium
   is there); ``run``: the demo database (Ukrainian chart and language), the
   Vchasno emulator, Odoo on http://127.0.0.1:8069.

Everything it starts is stopped on exit, also on failure or Ctrl-C.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from harness_addons import external_depends, link_addons, repo_addons, test_paths
from harness_db import data_warnings, database_with, install
from harness_env import (  # noqa: F401 - the bench imports these from here
    CACHE,
    DATA_DIR,
    LINK_DIR,
    LOGS,
    MODULE,
    ROOT,
    HarnessError,
    log,
    pg_data_dir,
)
from harness_odoo import find_odoo
from harness_pg import Postgres, free_port  # noqa: F401 - the bench uses it

# The same names, in the same order, as Odoo's tour runner looks for
# (odoo/tests/common.py ``_find_executable``).
CHROME_NAMES = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
# The demo database's extras: the Ukrainian chart of accounts (``ua_psbo``) and
# language. The addons themselves depend only on ``account``.
DEMO_EXTRA_MODULES = "l10n_ua"
DEMO_LANG = "uk_UA"


def link_addon():
    """Link every addon of the repository (the bench calls this too)."""
    return link_addons(repo_addons())


def find_chrome():
    return next((path for path in map(shutil.which, CHROME_NAMES) if path), None)


def _pytest_targets(pytest_args, addons):
    """``PYTEST_ARGS`` as given when they name a test path (relative to the
    link folder, e.g. ``l10n_ua_vchasno_kasa/tests/test_x.py``), else every
    addon's tests followed by them (e.g. ``-k name``)."""
    names_path = any(
        not arg.startswith("-")
        and os.path.exists(os.path.join(LINK_DIR, arg.split("::")[0]))
        for arg in pytest_args
    )
    return list(pytest_args) if names_path else [*test_paths(addons), *pytest_args]


# The bundles a backend page loads in a tour (web.webclient_bootstrap, and
# its test assets); Odoo's _pregenerate_assets_bundles() builds every bundle
# of every template, 10 times the work.
TOUR_BUNDLES = ("web.assets_web", "web.assets_tests")
# The Point of Sale's page (/pos/ui) loads its own bundle: built beforehand
# too when an addon of the repository depends on point_of_sale.
POS_BUNDLE = "point_of_sale.assets_prod"


def _pregenerate_assets(odoo, pg, dbname, bundles=TOUR_BUNDLES):
    """Build the tours' asset bundles before the tours, as ``odoo
    --test-enable`` does (odoo/service/server.py): lazily, the first tour's
    page builds them (20 s to minutes on 2 busy cores) within the tour
    runner's 60 s wait for the page to be ready."""
    started = time.monotonic()
    code = (
        "for name in %r:\n"
        "    env['ir.qweb']._get_asset_bundle(name, css=False, js=True).js()\n"
        "    env['ir.qweb']._get_asset_bundle(name, css=True, js=False).css()"
        % (tuple(bundles),)
    )
    _odoo_shell(odoo, pg, dbname, code)
    log("asset bundles generated in %.1f s", time.monotonic() - started)


def _write_test_conf(path, odoo, pg, dbname):
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            "[options]\naddons_path = %s\ndata_dir = %s\ndb_host = %s\n"
            "db_port = %s\ndb_user = %s\ndb_password = %s\ndb_name = %s\n"
            "log_level = warn\nmax_cron_threads = 0\n"
            % (
                odoo.addons_path(),
                DATA_DIR,
                pg.host,
                pg.port,
                pg.user,
                pg.password or "False",
                dbname,
            )
        )


def cmd_test(args):
    odoo = find_odoo()
    addons = repo_addons()
    link_addons(addons)
    # One folder per run: several runs may share a clone.
    logs = os.path.join(LOGS, "test-%d" % os.getpid())
    os.makedirs(logs, exist_ok=True)
    pg = Postgres(persistent_dir=pg_data_dir("pg-test"))
    pg.start()
    dbname = "vchasno_test_%d" % os.getpid()
    chrome = find_chrome()
    try:
        deps = ",".join(external_depends(addons))
        database_with(odoo, pg, dbname, deps, logs)
        addon_log = os.path.join(logs, "install-addon.log")
        install(odoo, pg, dbname, ",".join(addons), False, addon_log)
        warnings = data_warnings(addon_log)
        if warnings:
            print("\n".join(warnings))
            raise HarnessError("Installing the addons logged warnings (above).")
        if chrome:
            pos = "point_of_sale" in external_depends(addons)
            bundles = TOUR_BUNDLES + ((POS_BUNDLE,) if pos else ())
            _pregenerate_assets(odoo, pg, dbname, bundles)
        conf = os.path.join(logs, "odoo-test.conf")
        _write_test_conf(conf, odoo, pg, dbname)
        # Paths through the link folder: pytest must see each addon under its
        # own name, not the clone's folder (dev/pytest_addon_name.py).
        cmd = [
            odoo.python,
            "-m",
            "pytest",
            "-p",
            "pytest_addon_name",
            "--odoo-config",
            conf,
            "--odoo-database",
            dbname,
            # HttpCase tests (controllers, browser tours) need Odoo's server;
            # the config above keeps its cron threads off during the tests.
            "--odoo-http",
            "-q",
            "-ra",
            "-p",
            "no:cacheprovider",
            *_pytest_targets(args.pytest_args, addons),
        ]
        log("running: %s", " ".join(cmd))
        env = dict(odoo.env)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.path.join(ROOT, "dev"), env.get("PYTHONPATH")) if p
        )
        rc = subprocess.run(cmd, env=env, cwd=LINK_DIR, check=False).returncode
        if rc == 5:
            log("pytest collected no test: that is a failure")
            return 1
        return rc
    finally:
        if not args.keep_db:
            pg.drop(odoo, dbname)
        pg.stop()
        if not chrome:
            log(
                "BROWSER TOURS SKIPPED: no Chrome/Chromium on this machine "
                "(`apt-get install chromium` to run them; CI installs it)."
            )


def _merge_po(pot, po_path):
    """Keep the translations of ``po_path`` for the msgids of ``pot``."""
    import polib  # noqa: PLC0415 - an Odoo requirement, present once Odoo is found

    template = polib.pofile(pot)
    po = polib.pofile(po_path) if os.path.exists(po_path) else polib.POFile()
    if not os.path.exists(po_path):
        po.metadata = dict(template.metadata, Language="uk")
    known = {(e.msgctxt, e.msgid): e for e in po}
    merged = polib.POFile()
    merged.metadata = po.metadata
    for entry in template:
        old = known.get((entry.msgctxt, entry.msgid))
        entry.msgstr = old.msgstr if old else ""
        merged.append(entry)
    merged.save(po_path)
    missing = sum(1 for e in merged if not e.msgstr)
    log("%s: %d messages, %d untranslated", po_path, len(merged), missing)


def cmd_i18n(args):
    """Export each addon's .pot from a fresh install, merge it into its uk.po."""
    odoo = find_odoo()
    addons = repo_addons()
    link_addons(addons)
    logs = os.path.join(LOGS, "i18n-%d" % os.getpid())
    os.makedirs(logs, exist_ok=True)
    pg = Postgres()
    pg.start()
    dbname = "vchasno_i18n_%d" % os.getpid()
    try:
        install(odoo, pg, dbname, ",".join(addons), False, os.path.join(logs, "i.log"))
        for name, folder in addons.items():
            pot = os.path.join(folder, "i18n", name + ".pot")
            os.makedirs(os.path.dirname(pot), exist_ok=True)
            subprocess.run(
                odoo.cmd(
                    "-d",
                    dbname,
                    "--addons-path",
                    odoo.addons_path(),
                    *pg.odoo_args(),
                    "--i18n-export=" + pot,
                    "--modules=" + name,
                    "--stop-after-init",
                    "--no-http",
                    "--log-level=warn",
                ),
                env=odoo.env,
                check=True,
            )
            _merge_po(pot, os.path.join(folder, "i18n", "uk.po"))
    finally:
        pg.drop(odoo, dbname)
        pg.stop()
    return 0


def _demo_database(odoo, pg, dbname, addons, fresh):
    """The demo database: Odoo's demo data, the Ukrainian chart and language,
    then the repository's addons with their demo (a Ukrainian company set up
    for the emulator). An existing one is updated, ``--fresh`` rebuilds it."""
    logs = os.path.join(LOGS, "run")
    os.makedirs(logs, exist_ok=True)
    exists = pg.sql(
        odoo, "SELECT 1 FROM pg_database WHERE datname = '%s'" % dbname, fetch=True
    )
    if exists and fresh:
        pg.drop(odoo, dbname)
        exists = False
    modules = ",".join(addons)
    if exists:
        # -u updates the installed addons, -i installs those new since (e.g.
        # the POS bridge in a demo database made before it existed).
        update_log = os.path.join(logs, "update.log")
        install(odoo, pg, dbname, modules, True, update_log, True, ["-i", modules])
        return False
    lang = ["--load-language", DEMO_LANG]
    extra_log = os.path.join(logs, "install-l10n.log")
    install(odoo, pg, dbname, DEMO_EXTRA_MODULES, True, extra_log, extra=lang)
    install(odoo, pg, dbname, modules, True, os.path.join(logs, "install.log"))
    return True


def _odoo_shell(odoo, pg, dbname, code):
    """Run ``code`` in ``odoo shell`` and commit (the shell does not)."""
    subprocess.run(
        odoo.cmd(
            "shell",
            "-d",
            dbname,
            "--addons-path",
            odoo.addons_path(),
            *pg.odoo_args(),
            "--no-http",
            "--log-level=warn",
        ),
        # `odoo shell` rolls back on exit: the demo set-up must be committed to stay.
        input=code + "\nenv.cr.commit()\n",
        text=True,
        env=odoo.env,
        check=True,
    )


def _stop_all(procs):
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
        if proc.poll() is None:
            proc.kill()


def cmd_run(args):
    odoo = find_odoo()
    addons = repo_addons()
    link_addons(addons)
    pg = Postgres(persistent_dir=pg_data_dir("pg-run"))
    pg.start()
    procs = []
    try:
        dbname = args.database
        emulator_url = "http://127.0.0.1:%d" % args.emulator_port
        emu = subprocess.Popen(
            [odoo.python, "-m", "tools.emulator", "--port", str(args.emulator_port)],
            cwd=ROOT,
            env=odoo.env,
        )
        procs.append(emu)
        created = _demo_database(odoo, pg, dbname, addons, args.fresh)
        code = "env['ir.config_parameter'].set_param('%s.api_url', %r)" % (
            MODULE,
            emulator_url,
        )
        if created:  # the admin starts in Ukrainian; a later choice is kept
            code += "\nenv.ref('base.user_admin').lang = %r" % DEMO_LANG
        _odoo_shell(odoo, pg, dbname, code)
        server = subprocess.Popen(
            odoo.cmd(
                "-d",
                dbname,
                "--addons-path",
                odoo.addons_path(),
                *pg.odoo_args(),
                "--http-interface",
                "127.0.0.1",
                "--http-port",
                str(args.port),
                "--db-filter",
                "^%s$" % dbname,
            ),
            env=odoo.env,
        )
        procs.append(server)
        print(
            json.dumps(
                {
                    "url": "http://127.0.0.1:%d" % args.port,
                    "login": "admin",
                    "password": "admin",
                    "database": dbname,
                    "emulator": emulator_url,
                    "addons": list(addons),
                },
                indent=1,
            ),
            flush=True,
        )
        log(
            "Odoo at http://127.0.0.1:%d (login admin / admin); Ctrl-C stops "
            "everything",
            args.port,
        )
        server.wait()
        return server.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        _stop_all(procs)
        pg.stop()


def _stop_on_signals():
    """Ctrl-C and SIGTERM both end the run through the ``finally`` clean-ups
    (a shell that starts us in the background would otherwise ignore SIGINT)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="fresh database, install, pytest-odoo")
    test.add_argument("--keep-db", action="store_true")
    test.add_argument("pytest_args", nargs="*")
    run = sub.add_parser("run", help="demo database, emulator and Odoo server")
    run.add_argument("--database", default="vchasno_demo")
    run.add_argument("--port", type=int, default=8069)
    run.add_argument(
        "--emulator-port", type=int, default=int(os.environ.get("PORT", "8765"))
    )
    run.add_argument(
        "--fresh", action="store_true", help="drop and rebuild the demo database"
    )
    sub.add_parser("find-odoo", help="print how Odoo is found")
    sub.add_parser("addons", help="print the repository's addons and dependencies")
    sub.add_parser("i18n", help="export the .pot files and merge them into uk.po")
    sub.add_parser("cache-dir", help="print where the harness keeps its files")
    return parser


def _dispatch(args):
    commands = {"test": cmd_test, "run": cmd_run, "i18n": cmd_i18n}
    if args.command in commands:
        return commands[args.command](args)
    if args.command == "cache-dir":
        print(CACHE)
        return 0
    if args.command == "addons":
        addons = repo_addons()
        print(json.dumps({"addons": addons, "depends": external_depends(addons)}))
        return 0
    odoo = find_odoo()
    print(
        json.dumps(
            {"python": odoo.python, "src": odoo.src, "addons_path": odoo.addons_path()}
        )
    )
    return 0


def main():
    _stop_on_signals()
    args = _parser().parse_args()
    try:
        return _dispatch(args)
    except HarnessError as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("[harness] interrupted", file=sys.stderr)
        return 130
    except subprocess.CalledProcessError as exc:
        print("ERROR: a set-up step failed: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
