"""PostgreSQL for the harness: a server given by PG* variables, or a cluster of
its own (kept between runs, or a throwaway one), run by a non-root OS user."""

import contextlib
import fcntl
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

from harness_env import DATA_DIR, HarnessError, log


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
