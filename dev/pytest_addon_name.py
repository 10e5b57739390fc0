"""pytest plugin: name the addon's modules after the addon, not the clone folder.

pytest resolves the harness's ``<cache>/addons/l10n_ua_vchasno_kasa`` link to
the clone's real folder (``main``, ``l10n_ua_vchasno_kasa-1``...), and pytest-odoo names
modules after that folder. Odoo imported the addon as
``odoo.addons.l10n_ua_vchasno_kasa``; test modules must be imported under the
same name.
"""

import os
from pathlib import Path

import _pytest.pathlib
import pytest

ADDON = "l10n_ua_vchasno_kasa"
ROOT = Path(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).resolve()


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    original = _pytest.pathlib.resolve_pkg_root_and_module_name

    def resolve(path, *, consider_namespace_packages=False):
        pkg_root, name = original(
            path, consider_namespace_packages=consider_namespace_packages
        )
        real = Path(path).resolve()
        if real == ROOT / "__init__.py" or ROOT in real.parents:
            parts = name.split(".")
            index = parts.index(ROOT.name) if ROOT.name in parts else None
            if index is not None:
                name = ".".join(["odoo", "addons", ADDON, *parts[index + 1 :]])
                pkg_root = ROOT.parent
        return pkg_root, name

    _pytest.pathlib.resolve_pkg_root_and_module_name = resolve
