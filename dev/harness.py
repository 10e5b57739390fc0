#!/usr/bin/env python3
"""Development harness behind ``make test`` and ``make run``.

Stdlib only, so it runs before anything is installed. It:

1. finds Odoo 18.0 (``ODOO_SRC``, then an ``odoo`` package that ``python3``
   imports, then a download of the official 18.0 source into the cache);
2. finds PostgreSQL (``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD`` when set,
   otherwise a throwaway ``initdb`` cluster on 127.0.0.1 and a free port, run
   by a non-root OS user when we are root);
3. makes the repository visible to Odoo as ``l10n_ua_vchasno_kasa`` through a
   symlink in the cache (``make`` prints nothing else there: see
   ``dev/harness.py cache-dir``), whatever the clone's folder is called;
4. ``test``: fresh database, dependencies first (no core tests run), the addon,
   then pytest-odoo on ``tests/``; ``run``: demo database, the Vchasno
   emulator, Odoo on http://127.0.0.1:8069.

Everything it starts is stopped on exit, also on failure or Ctrl-C.
"""

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = "l10n_ua_vchasno_kasa"
# Everything the harness makes lives OUTSIDE the addon folder: Odoo walks an
# addon's whole tree (translation export, assets), so a venv or a link back to
# the addon inside it would be read as the addon's own code.
CACHE = os.environ.get("VCHASNO_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    MODULE,
    hashlib.sha1(ROOT.encode()).hexdigest()[:10],
)
LINK_DIR = os.path.join(CACHE, "addons")


def pg_data_dir(name):
    """Where a kept PostgreSQL cluster lives. As root the cluster runs as
    another OS user, who cannot enter root's home: use /var/tmp then."""
    if os.geteuid() == 0:
        return os.path.join(
            "/var/tmp", "%s-%s" % (MODULE, os.path.basename(CACHE)), name, "data"
        )
    return os.path.join(CACHE, name, "data")


LOGS = os.path.join(CACHE, "logs")
# Odoo's data dir (filestores): per clone, so that a template database and its
# copies keep their attachments next to them.
DATA_DIR = os.path.join(CACHE, "data")
# What `make test` installs before the addon, without running their tests.
TEST_DEPENDENCIES = "account"
ODOO_VERSION = "18.0"
ODOO_TARBALL = "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
DOWNLOAD_TIMEOUT = 20  # seconds to connect/read; a dead network fails fast
TEST_TOOLS = ["pytest-odoo>=2.1", "pytest>=7", "hypothesis>=6", "freezegun>=1.2"]
# What the addon itself needs beyond Odoo (manifest external_dependencies).
ADDON_REQUIREMENTS = ["phonenumbers>=8.13"]
NO_ODOO = (
    "Odoo 18.0 was not found and could not be downloaded: set ODOO_SRC to the "
    "path of an Odoo 18.0 source tree (the folder with odoo-bin), e.g. "
    "`ODOO_SRC=~/src/odoo make test`."
)


class HarnessError(Exception):
    """A set-up problem explained in one sentence (printed without traceback)."""


def log(msg, *args):
    print("[harness] " + (msg % args if args else msg), flush=True)


# === Odoo === #


class Odoo:
    """Where Odoo lives and how to start it."""

    def __init__(self, python, src=None):
        self.python = python
        self.src = src  # folder to put on PYTHONPATH, None if importable as is
        self.env = dict(os.environ)
        if src:
            self.env["PYTHONPATH"] = os.pathsep.join(
                p for p in (src, os.environ.get("PYTHONPATH")) if p
            )
        self.package_dir = self._ask(
            "import odoo,os;print(os.path.dirname(odoo.__file__))"
        )
        self.version = self._ask("import odoo.release as r;print(r.serie)")

    def _ask(self, code):
        out = subprocess.run(
            [self.python, "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            raise HarnessError(NO_ODOO)
        return out.stdout.strip().splitlines()[-1]

    def addons_path(self):
        paths = []
        for candidate in (
            os.path.join(os.path.dirname(self.package_dir), "addons"),
            os.path.join(self.package_dir, "addons"),
        ):
            if os.path.isdir(os.path.join(candidate, "account")) or (
                os.path.isdir(os.path.join(candidate, "base"))
            ):
                paths.append(candidate)
        paths.append(LINK_DIR)
        return ",".join(paths)

    def cmd(self, *args):
        """``python -m odoo [subcommand] <args>`` with the harness's data dir."""
        head = list(args[:1]) if args and not args[0].startswith("-") else []
        rest = list(args[len(head) :])
        return [self.python, "-m", "odoo", *head, "--data-dir", DATA_DIR, *rest]


def _imports_odoo18(python, src=None):
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    code = "import odoo.release as r, lxml, psycopg2, werkzeug;print(r.serie)"
    out = subprocess.run(
        [python, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    return out.returncode == 0 and out.stdout.strip().endswith(ODOO_VERSION)


def _venv_with_requirements(src):
    """A venv in the cache with the source's pinned requirements from PyPI."""
    venv = os.path.join(CACHE, "venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        log("creating %s", venv)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    if not _imports_odoo18(python, src):
        req = os.path.join(src, "requirements.txt")
        log("installing Odoo's pinned requirements from %s", req)
        pip = [python, "-m", "pip", "install", "-q"]
        # cbor2's old sdist needs pkg_resources (setuptools < 70) and scm.
        subprocess.run(pip + ["setuptools<70", "setuptools_scm", "wheel"], check=True)
        if subprocess.run(pip + ["-r", req], check=False).returncode:
            raise HarnessError(
                "Installing Odoo's requirements failed (see pip's output above); "
                "install them yourself or point ODOO_SRC at an Odoo 18.0 tree "
                "whose requirements install on this Python."
            )
    return python


def _download_odoo():
    target = os.path.join(CACHE, "odoo-18.0")
    if os.path.exists(os.path.join(target, "odoo-bin")):
        return target
    os.makedirs(CACHE, exist_ok=True)
    archive = os.path.join(CACHE, "odoo-18.0.tar.gz")
    log("downloading the official Odoo %s source (about 300 MB)", ODOO_VERSION)
    try:
        with urllib.request.urlopen(ODOO_TARBALL, timeout=DOWNLOAD_TIMEOUT) as resp:
            with open(archive + ".part", "wb") as out:
                shutil.copyfileobj(resp, out)
        os.replace(archive + ".part", archive)
        tmp = tempfile.mkdtemp(dir=CACHE)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        (top,) = os.listdir(tmp)
        os.replace(os.path.join(tmp, top), target)
        os.rmdir(tmp)
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise HarnessError(NO_ODOO + " (download failed: %s)" % exc) from exc
    return target


def find_odoo():
    src = os.environ.get("ODOO_SRC")
    if src:
        src = os.path.abspath(os.path.expanduser(src))
        if not os.path.isfile(os.path.join(src, "odoo", "release.py")):
            raise HarnessError(
                "ODOO_SRC=%s is not an Odoo source tree (no odoo/release.py); "
                "set ODOO_SRC to the folder that holds odoo-bin." % src
            )
        python = "python3" if _imports_odoo18("python3", src) else None
        odoo = Odoo(python or _venv_with_requirements(src), src)
    elif _imports_odoo18("python3"):
        odoo = Odoo("python3")
    else:
        src = _download_odoo()
        odoo = Odoo(_venv_with_requirements(src), src)
    if odoo.version != ODOO_VERSION:
        raise HarnessError(
            "Found Odoo %s, this addon needs %s: set ODOO_SRC to an Odoo %s "
            "source tree." % (odoo.version, ODOO_VERSION, ODOO_VERSION)
        )
    _ensure_test_tools(odoo)
    return odoo


def _ensure_test_tools(odoo):
    code = "import pytest_odoo, hypothesis, freezegun, phonenumbers"
    if subprocess.run(
        [odoo.python, "-c", code], env=odoo.env, capture_output=True, check=False
    ).returncode:
        tools = [*TEST_TOOLS, *ADDON_REQUIREMENTS]
        log("installing test tools and requirements: %s", " ".join(tools))
        subprocess.run([odoo.python, "-m", "pip", "install", "-q", *tools], check=True)


def link_addon():
    os.makedirs(LINK_DIR, exist_ok=True)
    link = os.path.join(LINK_DIR, MODULE)
    if os.path.islink(link) and os.readlink(link) == ROOT:
        return link
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(ROOT, link)
    return link


# === PostgreSQL === #


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if candidates:
        return candidates[-1]
    raise HarnessError(
        "PostgreSQL's %s was not found: install PostgreSQL (e.g. `apt-get install "
        "postgresql`) or set PGHOST/PGPORT/PGUSER/PGPASSWORD to a server." % name
    )


def _pg_os_user():
    """The OS user that runs the throwaway cluster (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "vchasno-pg"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "vchasno-pg",
        ],
        check=True,
    )
    return pwd.getpwnam("vchasno-pg")


class Postgres:
    """Connection settings, and a throwaway cluster when none is given."""

    def __init__(self, persistent_dir=None):
        self.persistent_dir = persistent_dir
        self._lock = None
        self.datadir = None
        self.user_info = None
        if os.environ.get("PGHOST") or os.environ.get("PGPORT"):
            self.host = os.environ.get("PGHOST", "127.0.0.1")
            self.port = int(os.environ.get("PGPORT", "5432"))
            self.user = os.environ.get("PGUSER", "odoo")
            self.password = os.environ.get("PGPASSWORD", "")
            self.external = True
        else:
            self.host, self.port, self.user, self.password = (
                "127.0.0.1",
                None,
                "odoo",
                "",
            )
            self.external = False

    def _as_user(self, cmd):
        if self.user_info is None:
            return cmd
        return [
            "setpriv",
            "--reuid",
            str(self.user_info.pw_uid),
            "--regid",
            str(self.user_info.pw_gid),
            "--clear-groups",
            *cmd,
        ]

    def start(self):
        if self.external:
            log("using PostgreSQL at %s:%s as %s", self.host, self.port, self.user)
            return
        self.user_info = _pg_os_user()
        if self.persistent_dir and not self._take_lock():
            log("the kept cluster is in use by another run: using a throwaway one")
            self.persistent_dir = None
        if self.persistent_dir:
            self.datadir = self.persistent_dir
            os.makedirs(os.path.dirname(self.datadir), exist_ok=True)
        else:
            self.datadir = os.path.join(tempfile.mkdtemp(prefix="vchasno-pg-"), "data")
        parent = os.path.dirname(self.datadir)
        if self.user_info:
            os.chown(parent, self.user_info.pw_uid, self.user_info.pw_gid)
        if not os.path.exists(os.path.join(self.datadir, "PG_VERSION")):
            subprocess.run(
                self._as_user(
                    [
                        _pg_bin("initdb"),
                        "-D",
                        self.datadir,
                        "-U",
                        "odoo",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.port = free_port()
        opts = (
            "-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off" % (self.port, parent)
        )
        subprocess.run(
            self._as_user(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    self.datadir,
                    "-o",
                    opts,
                    "-l",
                    os.path.join(parent, "postgres.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        log("PostgreSQL started on 127.0.0.1:%s (%s)", self.port, self.datadir)

    def _take_lock(self):
        """One run at a time per kept cluster (parallel runs get their own)."""
        os.makedirs(os.path.dirname(self.persistent_dir), exist_ok=True)
        lock = open(self.persistent_dir + ".lock", "w")  # noqa: SIM115 - held
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return False
        self._lock = lock
        return True

    @property
    def kept(self):
        return bool(self.persistent_dir) and not self.external

    def stop(self):
        if self.external or not self.datadir:
            return
        subprocess.run(
            self._as_user(
                [_pg_bin("pg_ctl"), "-D", self.datadir, "-m", "fast", "-w", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        if not self.persistent_dir:
            shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)
        if self._lock:
            self._lock.close()
            self._lock = None
        log("PostgreSQL stopped")

    def odoo_args(self):
        args = [
            "--db_host",
            self.host,
            "--db_port",
            str(self.port),
            "--db_user",
            self.user,
        ]
        if self.password:
            args += ["--db_password", self.password]
        return args

    def sql(self, odoo, statement, fetch=False):
        """Run one statement on the ``postgres`` database (autocommit).

        :return: the rows when ``fetch``, else whether it succeeded
        """
        code = (
            "import json, odoo.sql_db as s, odoo.tools.config as c;"
            "c['db_host'],c['db_port'],c['db_user'],c['db_password']=%r,%r,%r,%r;"
            "cr=s.db_connect('postgres').cursor();cr._cnx.autocommit=True;"
            "cr.execute(%r);print(json.dumps(cr.fetchall() if %r else []));"
            "cr.close()"
            % (
                self.host,
                self.port,
                self.user,
                self.password or False,
                statement,
                fetch,
            )
        )
        out = subprocess.run(
            [odoo.python, "-c", code],
            env=odoo.env,
            check=False,
            capture_output=True,
            text=True,
        )
        if fetch:
            return json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout else []
        return out.returncode == 0

    def drop(self, odoo, dbname):
        self.sql(odoo, 'DROP DATABASE IF EXISTS "%s"' % dbname)
        shutil.rmtree(os.path.join(DATA_DIR, "filestore", dbname), ignore_errors=True)


# === Commands === #

DATA_WARNING = re.compile(
    r"(WARNING|ERROR|CRITICAL) \S+ (odoo\.addons\.%s|odoo\.modules\.loading|"
    r"odoo\.tools\.convert|odoo\.models|odoo\.fields).*" % MODULE
)


def install(odoo, pg, dbname, modules, demo, logfile):
    cmd = odoo.cmd(
        "-d",
        dbname,
        "--addons-path",
        odoo.addons_path(),
        *pg.odoo_args(),
        "-i",
        modules,
        "--stop-after-init",
        "--no-http",
        "--log-level=info",
        "--logfile",
        logfile,
    )
    if not demo:
        cmd.append("--without-demo=all")
    started = time.monotonic()
    rc = subprocess.run(cmd, env=odoo.env, check=False).returncode
    log(
        "installed %s into %s in %.1f s (log: %s)",
        modules,
        dbname,
        time.monotonic() - started,
        logfile,
    )
    if rc:
        _tail(logfile)
        raise HarnessError(
            "Installing %s failed (exit %d), see %s." % (modules, rc, logfile)
        )


def _tail(path, lines=40):
    with (
        contextlib.suppress(OSError),
        open(path, encoding="utf-8", errors="replace") as f,
    ):
        sys.stdout.write("".join(f.readlines()[-lines:]))


def data_warnings(logfile):
    with open(logfile, encoding="utf-8", errors="replace") as f:
        return [line.rstrip() for line in f if DATA_WARNING.search(line)]


def template_name(odoo, modules):
    """The cached database with ``modules`` installed (no demo), by content."""
    key = "%s|%s|%s" % (odoo.package_dir, odoo.version, modules)
    return "vchasno_tmpl_" + hashlib.sha1(key.encode()).hexdigest()[:10]


def database_with(odoo, pg, dbname, modules, logs):
    """``dbname`` with ``modules`` installed, from a cached template if we can.

    Like click-odoo-contrib's ``click-odoo-initdb --cache``: the first run on a
    kept cluster installs ``modules`` once into a template database (a minute
    or more for ``account``); later runs copy it in a second or two, with its
    filestore. A throwaway cluster (another run holds the kept one, or an
    external server) installs from scratch.
    """
    deps_log = os.path.join(logs, "install-deps.log")
    if not pg.kept:
        install(odoo, pg, dbname, modules, False, deps_log)
        return
    template = template_name(odoo, modules)
    exists = pg.sql(
        odoo, "SELECT 1 FROM pg_database WHERE datname = '%s'" % template, fetch=True
    )
    if not exists:
        for (old,) in pg.sql(
            odoo,
            "SELECT datname FROM pg_database WHERE datname LIKE 'vchasno_tmpl_%'",
            fetch=True,
        ):
            pg.drop(odoo, old)
        building = template + "_building"
        pg.drop(odoo, building)
        install(odoo, pg, building, modules, False, deps_log)
        pg.sql(odoo, 'ALTER DATABASE "%s" RENAME TO "%s"' % (building, template))
        store = os.path.join(DATA_DIR, "filestore")
        if os.path.isdir(os.path.join(store, building)):
            os.replace(os.path.join(store, building), os.path.join(store, template))
        log("cached %s as the template database %s", modules, template)
    started = time.monotonic()
    pg.drop(odoo, dbname)
    if not pg.sql(odoo, 'CREATE DATABASE "%s" TEMPLATE "%s"' % (dbname, template)):
        raise HarnessError("Copying the template database %s failed." % template)
    source = os.path.join(DATA_DIR, "filestore", template)
    if os.path.isdir(source):
        shutil.copytree(source, os.path.join(DATA_DIR, "filestore", dbname))
    log(
        "%s: copied from the template %s in %.1f s",
        dbname,
        template,
        time.monotonic() - started,
    )


def cmd_test(args):
    odoo = find_odoo()
    link_addon()
    # One folder per run: several runs may share a clone.
    logs = os.path.join(LOGS, "test-%d" % os.getpid())
    os.makedirs(logs, exist_ok=True)
    pg = Postgres(persistent_dir=pg_data_dir("pg-test"))
    pg.start()
    dbname = "vchasno_test_%d" % os.getpid()
    try:
        database_with(odoo, pg, dbname, TEST_DEPENDENCIES, logs)
        addon_log = os.path.join(logs, "install-addon.log")
        install(odoo, pg, dbname, MODULE, False, addon_log)
        warnings = data_warnings(addon_log)
        if warnings:
            print("\n".join(warnings))
            raise HarnessError("Installing the addon logged warnings (above).")
        conf = os.path.join(logs, "odoo-test.conf")
        with open(conf, "w", encoding="utf-8") as f:
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
        # Relative to the link folder: pytest must see the path through the
        # link, so that the package is named after the addon, not the clone.
        tests = os.path.join(MODULE, "tests")
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
            tests,
            *args.pytest_args,
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


def cmd_i18n(args):
    """Export the .pot from a fresh install and merge it into uk.po."""
    import polib  # noqa: PLC0415 - an Odoo requirement, present once Odoo is found

    odoo = find_odoo()
    link_addon()
    logs = os.path.join(LOGS, "i18n-%d" % os.getpid())
    os.makedirs(logs, exist_ok=True)
    pg = Postgres()
    pg.start()
    dbname = "vchasno_i18n_%d" % os.getpid()
    pot = os.path.join(ROOT, "i18n", MODULE + ".pot")
    try:
        install(odoo, pg, dbname, MODULE, False, os.path.join(logs, "install.log"))
        os.makedirs(os.path.dirname(pot), exist_ok=True)
        subprocess.run(
            odoo.cmd(
                "-d",
                dbname,
                "--addons-path",
                odoo.addons_path(),
                *pg.odoo_args(),
                "--i18n-export=" + pot,
                "--modules=" + MODULE,
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            ),
            env=odoo.env,
            check=True,
        )
    finally:
        pg.drop(odoo, dbname)
        pg.stop()
    po_path = os.path.join(ROOT, "i18n", "uk.po")
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
    return 0


def cmd_run(args):
    odoo = find_odoo()
    link_addon()
    pg = Postgres(persistent_dir=pg_data_dir("pg-run"))
    pg.start()
    procs = []
    try:
        dbname = args.database
        logs = LOGS
        os.makedirs(logs, exist_ok=True)
        emulator_url = "http://127.0.0.1:%d" % args.emulator_port
        emu = subprocess.Popen(
            [odoo.python, "-m", "tools.emulator", "--port", str(args.emulator_port)],
            cwd=ROOT,
            env=odoo.env,
        )
        procs.append(emu)
        install(odoo, pg, dbname, MODULE, True, os.path.join(logs, "run-install.log"))
        # The odoo shell does not commit by itself: persist the emulator URL.
        shell = (
            "env['ir.config_parameter'].set_param('%s.api_url', %r);env.cr.commit()"
            % (MODULE, emulator_url)
        )
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
            input=shell,
            text=True,
            env=odoo.env,
            check=False,
        )
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
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=15)
            if proc.poll() is None:
                proc.kill()
        pg.stop()


def _stop_on_signals():
    """Ctrl-C and SIGTERM both end the run through the ``finally`` clean-ups
    (a shell that starts us in the background would otherwise ignore SIGINT)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)


def main():
    _stop_on_signals()
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
    sub.add_parser("find-odoo", help="print how Odoo is found")
    sub.add_parser("i18n", help="export the .pot and merge it into i18n/uk.po")
    sub.add_parser("cache-dir", help="print where the harness keeps its files")
    args = parser.parse_args()
    try:
        if args.command == "test":
            return cmd_test(args)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "i18n":
            return cmd_i18n(args)
        if args.command == "cache-dir":
            print(CACHE)
            return 0
        odoo = find_odoo()
        print(
            json.dumps(
                {
                    "python": odoo.python,
                    "src": odoo.src,
                    "addons_path": odoo.addons_path(),
                }
            )
        )
        return 0
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
