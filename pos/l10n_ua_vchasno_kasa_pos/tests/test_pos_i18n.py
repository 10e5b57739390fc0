"""The bridge's Ukrainian translation is complete: every term it shows (Python
messages, fields, views, the Point of Sale's OWL templates and JS) has a
msgstr in its own i18n/uk.po, placeholders kept; the ticket's line is there."""

import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

MODULE = "l10n_ua_vchasno_kasa_pos"
NAMED = re.compile(r"%\((\w+)\)[sdf]|%s")


@tagged("post_install", "-at_install")
class TestPosTranslation(TransactionCase):
    def test_bridge_terms_all_in_ukrainian(self):
        po = polib.pofile(file_path(f"{MODULE}/i18n/uk.po"))
        pot = polib.pofile(file_path(f"{MODULE}/i18n/{MODULE}.pot"))
        msgstr = {e.msgid: e.msgstr for e in po}
        self.assertEqual(set(msgstr), {e.msgid for e in pot}, "run make i18n")
        self.env["res.lang"]._activate_lang("uk_UA")
        reader = TranslationModuleReader(self.env.cr, modules=[MODULE], lang="uk_UA")
        code_terms = {row[4] for row in reader if row[0] == MODULE}
        self.assertFalse(sorted(code_terms - set(msgstr)), "terms not in uk.po")
        for msgid, text in msgstr.items():
            with self.subTest(msgid=msgid):
                self.assertTrue(text.strip(), "untranslated")
                self.assertEqual(
                    sorted(NAMED.findall(msgid)), sorted(NAMED.findall(text))
                )
        # The ticket's line before Vchasno answers, and the popup's title.
        self.assertEqual(
            msgstr["The fiscal receipt will be sent"], "Фіскальний чек буде надіслано"
        )
        self.assertIn("Card data for the fiscal receipt", msgstr)
