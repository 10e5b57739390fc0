from odoo.tests import TransactionCase, tagged

MODULE = "l10n_ua_vchasno_kasa"


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon's views render and its actions load in a real Odoo."""

    def test_views_render(self):
        views = self.env["ir.ui.view"].search(
            [("model_data_id.module", "=", MODULE), ("type", "!=", "qweb")]
        )
        self.assertGreaterEqual(len(views), 10)
        for view in views:
            with self.subTest(view=view.xml_id):
                model = self.env[view.model]
                arch = model.get_views([(view.id, view.type)])
                self.assertIn(view.type, arch["views"])

    def test_models_views_render(self):
        for model in ("vchasno.register", "vchasno.receipt"):
            for view_type in ("list", "form", "search"):
                with self.subTest(model=model, view_type=view_type):
                    result = self.env[model].get_views([(False, view_type)])
                    self.assertTrue(result["views"][view_type]["arch"])

    def test_actions_load(self):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", MODULE),
                ("model", "in", ("ir.actions.act_window", "ir.actions.server")),
            ]
        )
        self.assertGreaterEqual(len(data), 3)
        for record in data:
            action = self.env[record.model].browse(record.res_id)
            with self.subTest(action=record.name):
                self.assertTrue(action.exists())
                self.assertTrue(
                    action._get_action_dict()
                    if hasattr(action, "_get_action_dict")
                    else action.read()[0]
                )

    def test_public_contract(self):
        cron = self.env.ref(f"{MODULE}.ir_cron_vchasno_send")
        self.assertEqual(cron.model_id.model, "vchasno.receipt")
        param = self.env["ir.config_parameter"].sudo().get_param(f"{MODULE}.api_url")
        self.assertEqual(param, "https://kasa.vchasno.ua")
        journal_field = self.env["account.journal"]._fields["vchasno_register_id"]
        self.assertEqual(journal_field.comodel_name, "vchasno.register")
        receipt_fields = self.env["vchasno.receipt"]._fields
        for name in (
            "state",
            "kind",
            "tag",
            "fiscal_number",
            "payment_id",
            "original_receipt_id",
            "register_id",
            "company_id",
        ):
            self.assertIn(name, receipt_fields)
        for name in ("name", "api_token", "company_id", "active"):
            self.assertIn(name, self.env["vchasno.register"]._fields)
