"""pytest plugin: name each addon's modules after the addon, not its folder.

pytest resolves the harness's links (``<cache>/addons/l10n_ua_vchasno_kasa``,
``<cache>/addons/<pos addon>``) to the clone's real folders (``main``,
``l10n_ua_vchasno_kasa-1``, ``pos/<addon>``...), and pytest-odoo names modules
after those folders. Odoo imported the addons as ``odoo.addons.<addon>``; test
modules must be imported under the same names.
"""

from pathlib import Path

import _pytest.pathlib
import pytest
from harness_addons import repo_addons


def addon_module_name(real, addons):
    """``odoo.addons.<addon>.<...>`` for a real path inside one of ``addons``
    (``{name: real folder}``), the deepest addon first; None outside them."""
    for name, folder in sorted(addons.items(), key=lambda i: -len(i[1].parts)):
        if real == folder / "__init__.py" or folder in real.parents:
            rest = real.relative_to(folder).with_suffix("").parts
            if rest and rest[-1] == "__init__":
                rest = rest[:-1]
            return ".".join(["odoo", "addons", name, *rest]), folder.parent
    return None


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    original = _pytest.pathlib.resolve_pkg_root_and_module_name
    addons = {name: Path(f).resolve() for name, f in repo_addons().items()}

    def resolve(path, *, consider_namespace_packages=False):
        pkg_root, name = original(
            path, consider_namespace_packages=consider_namespace_packages
        )
        found = addon_module_name(Path(path).resolve(), addons)
        if found:
            name, pkg_root = found
        return pkg_root, name

    _pytest.pathlib.resolve_pkg_root_and_module_name = resolve
