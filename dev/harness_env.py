"""Where the harness keeps its files, and how it reports (stdlib only)."""

import hashlib
import os

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
LOGS = os.path.join(CACHE, "logs")
# Odoo's data dir (filestores): per clone, so that a template database and its
# copies keep their attachments next to them.
DATA_DIR = os.path.join(CACHE, "data")
ODOO_VERSION = "18.0"


class HarnessError(Exception):
    """A set-up problem explained in one sentence (printed without traceback)."""


def log(msg, *args):
    print("[harness] " + (msg % args if args else msg), flush=True)


def pg_data_dir(name):
    """Where a kept PostgreSQL cluster lives. As root the cluster runs as
    another OS user, who cannot enter root's home: use /var/tmp then."""
    if os.geteuid() == 0:
        return os.path.join(
            "/var/tmp", "%s-%s" % (MODULE, os.path.basename(CACHE)), name, "data"
        )
    return os.path.join(CACHE, name, "data")
