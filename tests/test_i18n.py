"""The Ukrainian translation is complete: every term the addon shows in the UI
(fields, selections, views, menus, actions, Python messages) has a msgstr in
i18n/uk.po with the same named placeholders."""

import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

MODULE = "l10n_ua_vchasno_kasa"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]")


@tagged("post_install", "-at_install")
class TestUkrainianTranslation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.po = polib.pofile(file_path(f"{MODULE}/i18n/uk.po"))
        cls.pot = polib.pofile(file_path(f"{MODULE}/i18n/{MODULE}.pot"))

    def test_every_term_of_the_code_is_translated(self):
        translated = {e.msgid for e in self.po if e.msgstr.strip()}
        self.env["res.lang"]._activate_lang("uk_UA")
        reader = TranslationModuleReader(self.env.cr, modules=[MODULE], lang="uk_UA")
        terms = {row[4] for row in reader if row[0] == MODULE}
        self.assertGreater(len(terms), 100)
        missing = sorted(terms - translated)
        self.assertFalse(missing, "untranslated terms:\n" + "\n".join(missing[:40]))

    def test_pot_and_po_in_step(self):
        self.assertEqual({e.msgid for e in self.pot}, {e.msgid for e in self.po})
        untranslated = [e.msgid for e in self.po if not e.msgstr.strip()]
        self.assertEqual(untranslated, [])

    def test_placeholders_kept(self):
        for entry in self.po:
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(
                    set(PLACEHOLDER.findall(entry.msgid)),
                    set(PLACEHOLDER.findall(entry.msgstr)),
                )

    def test_ui_in_ukrainian(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(
            [MODULE], ["uk_UA"], overwrite=True
        )
        uk = self.env["vchasno.register"].with_context(lang="uk_UA")
        label = uk.fields_get(["tax_group_code"])["tax_group_code"]["string"]
        self.assertNotEqual(label, "Default tax group code")
        self.assertTrue(re.search("[а-яіїєґ]", label, re.I), label)
