"""Find Odoo 18.0 (or fetch the official source) and its Python requirements.

Order: ``ODOO_SRC``, then an ``odoo`` package that ``python3`` imports, then a
download of the official 18.0 source into the cache. Never a local snapshot
that the user did not point at.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

from harness_addons import python_requirements, repo_addons
from harness_env import CACHE, DATA_DIR, LINK_DIR, ODOO_VERSION, HarnessError, log

ODOO_TARBALL = "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
DOWNLOAD_TIMEOUT = 20  # seconds to connect/read; a dead network fails fast
TEST_TOOLS = ["pytest-odoo>=2.1", "pytest>=7", "hypothesis>=6", "freezegun>=1.2"]
# Old sdists among Odoo 18.0's pins (cbor2 5.4.2 on Python 3.11) import
# pkg_resources in setup.py; pip's isolated build env takes the newest
# setuptools, which no longer has it. Their build env gets these instead.
BUILD_CONSTRAINTS = ["setuptools<70"]
BUILD_TOOLS = ["setuptools<70", "setuptools_scm", "wheel"]
NO_ODOO = (
    "Odoo 18.0 was not found and could not be downloaded: set ODOO_SRC to the "
    "path of an Odoo 18.0 source tree (the folder with odoo-bin), e.g. "
    "`ODOO_SRC=~/src/odoo make test`."
)


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

    def core_addons_paths(self):
        paths = []
        for candidate in (
            os.path.join(os.path.dirname(self.package_dir), "addons"),
            os.path.join(self.package_dir, "addons"),
        ):
            if os.path.isdir(os.path.join(candidate, "account")) or (
                os.path.isdir(os.path.join(candidate, "base"))
            ):
                paths.append(candidate)
        return paths

    def addons_path(self):
        """Odoo's own addons, then the link folder with every addon of the repo."""
        return ",".join([*self.core_addons_paths(), LINK_DIR])

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


def requirement_lines(path):
    """The requirement specifiers of a requirements file, comments removed
    (environment markers kept: pip skips what does not apply)."""
    lines = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
            if line and not line.startswith(("#", "-")):
                lines.append(line)
    return lines


def build_constraint_env(base_env, constraint_file):
    """The environment that makes pip's isolated build envs use our build
    constraints, whatever pip the venv has: ``PIP_BUILD_CONSTRAINT`` is read by
    pip >= 25.3 (``--build-constraint``); older pips pass ``PIP_CONSTRAINT``
    on to the pip that fills the build env. A constraint the user had is kept.
    """
    env = dict(base_env)
    for var in ("PIP_BUILD_CONSTRAINT", "PIP_CONSTRAINT"):
        env[var] = " ".join(p for p in (base_env.get(var), constraint_file) if p)
    return env


def install_requirements(python, req):
    """Install a requirements file into ``python``'s environment.

    1. all at once, old sdists built against ``BUILD_CONSTRAINTS``;
    2. if that fails, one requirement at a time, retrying a failed one with
       ``--no-build-isolation`` (against the ``BUILD_TOOLS`` installed first),
       so that one odd sdist does not stop the others.
    """
    pip = [python, "-m", "pip", "install", "-q"]
    subprocess.run(pip + BUILD_TOOLS, check=True)
    os.makedirs(CACHE, exist_ok=True)
    constraint_file = os.path.join(CACHE, "build-constraints.txt")
    with open(constraint_file, "w", encoding="utf-8") as f:
        f.write("\n".join(BUILD_CONSTRAINTS) + "\n")
    env = build_constraint_env(os.environ, constraint_file)
    if subprocess.run(pip + ["-r", req], env=env, check=False).returncode == 0:
        return []
    log("retrying the requirements one by one (failed builds without isolation)")
    failed = []
    for line in requirement_lines(req):
        if subprocess.run(pip + [line], env=env, check=False).returncode == 0:
            continue
        log("%s: retrying with --no-build-isolation", line)
        cmd = pip + ["--no-build-isolation", line]
        if subprocess.run(cmd, env=env, check=False).returncode:
            failed.append(line)
    if failed:
        raise HarnessError(
            "These Odoo requirements did not install (see pip's output above): "
            "%s. Install them yourself (system packages such as libpq-dev, "
            "libldap2-dev and libsasl2-dev may be missing) or point ODOO_SRC at "
            "an Odoo 18.0 tree whose requirements install on this Python."
            % "; ".join(failed)
        )
    return failed


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
        install_requirements(python, req)
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
    """The test tools, and the addons' own Python dependencies (manifests'
    ``external_dependencies``, e.g. ``phonenumbers``), when missing."""
    requirements = python_requirements(repo_addons())
    code = "import pytest_odoo, hypothesis, freezegun"
    code += "".join(", %s" % name for name in requirements)
    if subprocess.run(
        [odoo.python, "-c", code], env=odoo.env, capture_output=True, check=False
    ).returncode:
        tools = [*TEST_TOOLS, *requirements]
        log("installing test tools and requirements: %s", " ".join(tools))
        subprocess.run([odoo.python, "-m", "pip", "install", "-q", *tools], check=True)
