"""The addons of this repository and the link folder that shows them to Odoo.

The repository root IS the addon ``l10n_ua_vchasno_kasa``; other addons (the
Point of Sale bridge) live one level down, e.g. ``pos/<addon>/``. The harness
finds them by their ``__manifest__.py``, installs and tests all of them, and
shows them to Odoo through ONE folder of links in the cache:

- ``<links>/<sub addon>`` -> ``<repo>/pos/<sub addon>``;
- ``<links>/l10n_ua_vchasno_kasa/`` is a folder of links to the root's own
  entries, *without* the folders that hold other addons (``pos/``).

Why not one link to the root: Odoo's translation export walks every addons
path and gives a file to the addon under which it found it
(``odoo/tools/translate.py``, ``_get_module_from_path``). Through a link to the
root, ``pos/<addon>/models/x.py`` would be read again as a file of
``l10n_ua_vchasno_kasa`` (the walk follows the link, and Odoo's addons paths are
real paths, so no ``pos/`` entry placed before the link can claim it). Without
``pos/`` in the main addon's view, every term belongs to exactly one addon.
"""

import ast
import contextlib
import os

from harness_env import LINK_DIR, MODULE, ROOT


def read_manifest(folder):
    with open(os.path.join(folder, "__manifest__.py"), encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def repo_addons(root=ROOT, main=MODULE):
    """``{name: folder}``: the root addon first, then every
    ``<collection>/<addon>/__manifest__.py`` one level down, by name.
    A folder with an ``__init__.py`` is the main addon's own package (models,
    tests...), never a collection."""
    found = {}
    for entry in sorted(os.listdir(root)):
        folder = os.path.join(root, entry)
        if entry.startswith((".", "_")) or not os.path.isdir(folder):
            continue
        if os.path.exists(os.path.join(folder, "__init__.py")):
            continue
        for name in sorted(os.listdir(folder)):
            if os.path.isfile(os.path.join(folder, name, "__manifest__.py")):
                found[name] = os.path.join(folder, name)
    addons = {main: root}
    for name in sorted(found):
        if read_manifest(found[name]).get("installable", True):
            addons[name] = found[name]
    return addons


def collections(addons, root=ROOT):
    """The root's folders that hold other addons (e.g. ``pos``)."""
    return {
        os.path.relpath(folder, root).split(os.sep)[0]
        for folder in addons.values()
        if folder != root
    }


def external_depends(addons):
    """Union of the addons' ``depends`` outside this repository, sorted: what
    a test database needs before the repository's addons are installed."""
    depends = set()
    for folder in addons.values():
        depends.update(read_manifest(folder).get("depends", []))
    return sorted(depends - set(addons))


def python_requirements(addons):
    """Union of the addons' ``external_dependencies["python"]``, sorted: what
    the machine's Python needs beside Odoo's own requirements."""
    names = set()
    for folder in addons.values():
        external = read_manifest(folder).get("external_dependencies", {})
        names.update(external.get("python", []))
    return sorted(names)


def _ensure_link(path, target):
    if os.path.islink(path) and os.readlink(path) == target:
        return
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):  # a folder where a link belongs: not ours to keep
        raise OSError("%s is a folder, expected a link to %s" % (path, target))
    with contextlib.suppress(FileExistsError):  # a parallel run made it
        os.symlink(target, path)


def link_addons(addons=None, root=ROOT, main=MODULE, link_dir=LINK_DIR):
    """Make ``link_dir`` show exactly ``addons`` to Odoo (see the module doc).

    :return: ``{name: path through the link folder}``
    """
    addons = addons or repo_addons(root, main)
    skip = collections(addons, root)
    os.makedirs(link_dir, exist_ok=True)
    mirror = os.path.join(link_dir, main)
    if os.path.islink(mirror):  # the harness's earlier layout: one link
        os.remove(mirror)
    os.makedirs(mirror, exist_ok=True)
    wanted = {
        entry
        for entry in os.listdir(root)
        if not entry.startswith(".") and entry not in skip and entry != "__pycache__"
    }
    for entry in wanted:
        _ensure_link(os.path.join(mirror, entry), os.path.join(root, entry))
    for entry in os.listdir(mirror):
        path = os.path.join(mirror, entry)
        if entry not in wanted and os.path.islink(path):
            os.remove(path)
    for name, folder in addons.items():
        if name != main:
            _ensure_link(os.path.join(link_dir, name), folder)
    for entry in os.listdir(link_dir):
        path = os.path.join(link_dir, entry)
        if entry not in addons and os.path.islink(path):
            os.remove(path)
    return {name: os.path.join(link_dir, name) for name in addons}


def test_paths(addons, link_dir=LINK_DIR):
    """``<addon>/tests`` of every addon that has tests, relative to the link
    folder (pytest runs there; ``PYTEST_ARGS`` paths are relative to it too)."""
    return [
        os.path.join(name, "tests")
        for name, folder in addons.items()
        if os.path.isdir(os.path.join(folder, "tests"))
    ]
