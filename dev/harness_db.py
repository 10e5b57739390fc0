"""Databases for the harness: install addons, and copy a cached template
database of the dependencies (click-odoo-initdb ``--cache`` style)."""

import ast
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

from harness_env import DATA_DIR, MODULE, HarnessError, log

DATA_WARNING = re.compile(
    r"(WARNING|ERROR|CRITICAL) \S+ (odoo\.addons\.%s|odoo\.modules\.loading|"
    r"odoo\.tools\.convert|odoo\.models|odoo\.fields).*" % MODULE
)


def install(odoo, pg, dbname, modules, demo, logfile, update=False, extra=()):
    """``-i`` (or ``-u``) ``modules`` into ``dbname``, Odoo's log to ``logfile``."""
    cmd = odoo.cmd(
        "-d",
        dbname,
        "--addons-path",
        odoo.addons_path(),
        *pg.odoo_args(),
        "-u" if update else "-i",
        modules,
        *extra,
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
        "%s %s in %s in %.1f s (log: %s)",
        "updated" if update else "installed",
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


def _module_closure(paths, modules):
    """``modules`` and their ``depends``, recursively: {name: folder}."""
    found, todo = {}, list(modules)
    while todo:
        name = todo.pop()
        folder = next(
            (
                os.path.join(p, name)
                for p in paths
                if os.path.isdir(os.path.join(p, name))
            ),
            None,
        )
        if name in found or not folder:
            continue
        found[name] = folder
        with contextlib.suppress(OSError, ValueError, SyntaxError):
            with open(os.path.join(folder, "__manifest__.py"), encoding="utf-8") as f:
                todo.extend(ast.literal_eval(f.read()).get("depends", []))
    return found


def template_name(odoo, modules):
    """The cached database with ``modules`` installed (no demo).

    Keyed like click-odoo-initdb's cache, by what went into it, but cheaply:
    the size and mtime of every file of ``modules`` and their dependencies
    (an Odoo tree updated in place builds a new template) rather than their
    content (hashing the 70 modules that ``account`` brings takes 10 s and
    more on every run).
    """
    digest = hashlib.sha1(
        ("%s|%s|%s" % (odoo.package_dir, odoo.version, modules)).encode()
    )
    closure = _module_closure(odoo.core_addons_paths(), modules.split(","))
    for name in sorted(closure):
        for folder, dirs, files in os.walk(closure[name]):
            dirs.sort()
            for file in sorted(files):
                with contextlib.suppress(OSError):
                    stat = os.stat(os.path.join(folder, file))
                    digest.update(
                        b"%s/%s %d %d"
                        % (
                            folder.encode(),
                            file.encode(),
                            stat.st_size,
                            stat.st_mtime_ns,
                        )
                    )
    return "vchasno_tmpl_" + digest.hexdigest()[:10]


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
