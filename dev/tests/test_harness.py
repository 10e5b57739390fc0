"""Unit tests of the harness (no database, no Odoo server): run by .ci/run
before `make test`, and by `make test-harness`.

    python3 -m unittest discover -s dev/tests -v
"""

import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

DEV = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, DEV)

import harness  # noqa: E402
import harness_addons  # noqa: E402
import harness_db  # noqa: E402
import harness_odoo  # noqa: E402
from pytest_addon_name import addon_module_name  # noqa: E402

try:
    from odoo.tools.translate import TranslationModuleReader as TranslationReader
except ImportError:  # the harness itself needs no Odoo
    TranslationReader = None

MAIN = "l10n_ua_vchasno_kasa"


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class RepoWithPosBridge(unittest.TestCase):
    """A throwaway repository shaped like ours: the root is the main addon,
    ``pos/<bridge>`` a second addon (the coming POS bridge)."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.root = os.path.join(self.tmp, "clone-with-any-name")
        write(os.path.join(self.root, "__init__.py"), "from . import models\n")
        write(
            os.path.join(self.root, "__manifest__.py"),
            "{'name': 'Main', 'depends': ['account']}",
        )
        write(os.path.join(self.root, "models", "__init__.py"))
        write(os.path.join(self.root, "models", "main.py"), "_('main term')\n")
        write(os.path.join(self.root, ".git", "HEAD"), "ref: x\n")
        self.bridge = os.path.join(self.root, "pos", "dummy_pos")
        write(
            os.path.join(self.bridge, "__manifest__.py"),
            "{'name': 'Bridge', 'depends': ['%s', 'point_of_sale', 'account']}" % MAIN,
        )
        write(os.path.join(self.bridge, "__init__.py"), "from . import models\n")
        write(os.path.join(self.bridge, "models", "__init__.py"))
        write(os.path.join(self.bridge, "models", "pos.py"), "_('pos term')\n")
        write(os.path.join(self.bridge, "tests", "__init__.py"))
        write(
            os.path.join(self.root, "pos", "old_pos", "__manifest__.py"),
            "{'name': 'Old', 'installable': False}",
        )
        self.links = os.path.join(self.tmp, "cache", "addons")

    def addons(self):
        return harness_addons.repo_addons(self.root, MAIN)

    def test_finds_every_installable_addon(self):
        self.assertEqual(self.addons(), {MAIN: self.root, "dummy_pos": self.bridge})

    def test_without_bridge_only_the_main_addon(self):
        os.rename(os.path.join(self.root, "pos"), os.path.join(self.tmp, "away"))
        self.assertEqual(self.addons(), {MAIN: self.root})

    def test_dependencies_are_the_union_outside_the_repo(self):
        self.assertEqual(
            harness_addons.external_depends(self.addons()), ["account", "point_of_sale"]
        )

    def test_link_folder_shows_each_addon_once(self):
        paths = harness_addons.link_addons(self.addons(), self.root, MAIN, self.links)
        self.assertEqual(set(paths), {MAIN, "dummy_pos"})
        mirror = os.path.join(self.links, MAIN)
        # the main addon's view has its own entries, not pos/ nor .git
        self.assertEqual(
            sorted(os.listdir(mirror)), ["__init__.py", "__manifest__.py", "models"]
        )
        self.assertEqual(
            os.path.realpath(os.path.join(self.links, "dummy_pos")),
            os.path.realpath(self.bridge),
        )
        self.assertEqual(
            harness_addons.test_paths(self.addons(), self.links),
            [os.path.join("dummy_pos", "tests")],
        )

    def test_link_folder_follows_the_repo(self):
        os.makedirs(self.links)
        os.symlink(self.root, os.path.join(self.links, MAIN))  # earlier layout
        os.symlink(self.tmp, os.path.join(self.links, "gone_addon"))
        harness_addons.link_addons(self.addons(), self.root, MAIN, self.links)
        self.assertFalse(os.path.islink(os.path.join(self.links, MAIN)))
        self.assertFalse(os.path.lexists(os.path.join(self.links, "gone_addon")))
        write(os.path.join(self.root, "views", "v.xml"))
        shutil.rmtree(os.path.join(self.root, "models"))
        harness_addons.link_addons(self.addons(), self.root, MAIN, self.links)
        self.assertEqual(
            sorted(os.listdir(os.path.join(self.links, MAIN))),
            ["__init__.py", "__manifest__.py", "views"],
        )

    @unittest.skipUnless(TranslationReader, "Odoo is not importable here")
    def test_each_term_belongs_to_one_addon(self):
        """Walk the addons path as Odoo's translation export does and ask
        Odoo which addon each Python file belongs to."""
        harness_addons.link_addons(self.addons(), self.root, MAIN, self.links)
        reader = TranslationReader.__new__(TranslationReader)
        reader._path_list = [(os.path.realpath(self.links), True)]
        owners = {}
        for folder, _dirs, files in os.walk(self.links, followlinks=True):
            for name in files:
                if name in ("main.py", "pos.py"):
                    path = os.path.join(folder, name)
                    owners.setdefault(name, set()).add(
                        reader._get_module_from_path(path)
                    )
        self.assertEqual(owners, {"main.py": {MAIN}, "pos.py": {"dummy_pos"}})

    def test_pytest_names_modules_after_their_addon(self):
        addons = {n: Path(f).resolve() for n, f in self.addons().items()}
        test_file = Path(self.bridge, "tests", "test_x.py")
        self.assertEqual(
            addon_module_name(test_file.resolve(), addons),
            ("odoo.addons.dummy_pos.tests.test_x", Path(self.bridge).resolve().parent),
        )
        main_file = Path(self.root, "models", "main.py").resolve()
        self.assertEqual(
            addon_module_name(main_file, addons)[0], "odoo.addons.%s.models.main" % MAIN
        )
        self.assertIsNone(addon_module_name(Path(self.tmp).resolve(), addons))


class Requirements(unittest.TestCase):
    def test_requirement_lines(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(
                "# comment\n\ncbor2==5.4.2 ; python_version < '3.12'  # bumped\n"
                "-r other.txt\npytz  # no pin\n"
            )
        self.addCleanup(os.remove, f.name)
        self.assertEqual(
            harness_odoo.requirement_lines(f.name),
            ["cbor2==5.4.2 ; python_version < '3.12'", "pytz"],
        )

    def test_build_constraints_reach_old_and_new_pip(self):
        env = harness_odoo.build_constraint_env({"PIP_CONSTRAINT": "/mine.txt"}, "/b")
        self.assertEqual(env["PIP_CONSTRAINT"], "/mine.txt /b")
        self.assertEqual(env["PIP_BUILD_CONSTRAINT"], "/b")

    def test_retry_without_isolation_only_what_failed(self):
        calls = []

        def run(cmd, **kw):
            calls.append(cmd)
            isolated = "--no-build-isolation" not in cmd
            ok = not (
                cmd[-2:] == ["-r", "req.txt"] or (cmd[-1] == "old==1.0" and isolated)
            )
            return mock.Mock(returncode=0 if ok else 1)

        with (
            mock.patch.object(harness_odoo.subprocess, "run", run),
            mock.patch.object(
                harness_odoo, "requirement_lines", return_value=["old==1.0", "new==2"]
            ),
            mock.patch.object(harness_odoo, "CACHE", tempfile.mkdtemp()),
            mock.patch.object(harness_odoo, "log"),
        ):
            harness_odoo.install_requirements("py", "req.txt")
        self.assertIn(
            ["py", "-m", "pip", "install", "-q", "--no-build-isolation", "old==1.0"],
            calls,
        )
        self.assertFalse(
            any("--no-build-isolation" in c and "new==2" in c for c in calls)
        )


class TemplateKey(unittest.TestCase):
    """The cached template is rebuilt when a dependency's files change."""

    def test_key_follows_the_dependencies_files(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        write(os.path.join(tmp, "a", "__manifest__.py"), "{'depends': ['b']}")
        write(os.path.join(tmp, "b", "__manifest__.py"), "{'depends': []}")
        write(os.path.join(tmp, "b", "x.py"), "x = 1\n")
        write(os.path.join(tmp, "c", "__manifest__.py"), "{}")
        odoo = mock.Mock(package_dir="/odoo", version="18.0")
        odoo.core_addons_paths.return_value = [tmp]
        first = harness_db.template_name(odoo, "a")
        self.assertEqual(harness_db.template_name(odoo, "a"), first)
        write(os.path.join(tmp, "c", "y.py"), "unrelated\n")
        self.assertEqual(harness_db.template_name(odoo, "a"), first)
        write(os.path.join(tmp, "b", "x.py"), "x = 22\n")
        self.assertNotEqual(harness_db.template_name(odoo, "a"), first)
        self.assertNotEqual(harness_db.template_name(odoo, "a,c"), first)


class Harness(unittest.TestCase):
    def test_no_chrome_is_noticed(self):
        with mock.patch.object(harness.shutil, "which", return_value=None):
            self.assertIsNone(harness.find_chrome())

    def test_pytest_args_keep_the_default_paths_unless_they_name_one(self):
        addons = {MAIN: harness.ROOT}
        self.assertEqual(
            harness._pytest_targets(["-k", "tour"], addons),
            [os.path.join(MAIN, "tests"), "-k", "tour"],
        )
        with mock.patch.object(harness.os.path, "exists", return_value=True):
            self.assertEqual(
                harness._pytest_targets([MAIN + "/tests/test_x.py"], addons),
                [MAIN + "/tests/test_x.py"],
            )


if __name__ == "__main__":
    unittest.main()
