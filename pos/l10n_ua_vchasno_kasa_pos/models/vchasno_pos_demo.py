from odoo import Command, api, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    @api.model
    def _vchasno_demo_setup(self, register_ids):
        """Demo data: a Point of Sale of the demo shop on its register, with
        cash and card payment methods, ready to sell. Safe to run again."""
        for register in self.env["vchasno.register"].browse(register_ids):
            company = register.company_id
            env_company = self.with_company(company).with_context(
                allowed_company_ids=company.ids
            )
            if env_company.search_count([("company_id", "=", company.id)]):
                continue
            env_company._vchasno_demo_warehouse(company)
            methods = env_company._vchasno_demo_payment_methods(register)
            config = env_company.create(
                {
                    "name": "Магазин «Вчасно Демо»",
                    "company_id": company.id,
                    "vchasno_register_id": register.id,
                    "payment_method_ids": [Command.set(methods.ids)],
                }
            )
            demo = ("demo_product_coffee", "demo_product_medicine")
            for xmlid in demo:
                product = self.env.ref(
                    "l10n_ua_vchasno_kasa." + xmlid, raise_if_not_found=False
                )
                if product:  # the main addon's demo products, when loaded
                    product.available_in_pos = True
            config.flush_recordset()

    def _vchasno_demo_warehouse(self, company):
        Warehouse = self.env["stock.warehouse"].with_company(company)
        if not Warehouse.search_count([("company_id", "=", company.id)]):
            Warehouse.create(
                {"name": company.name, "code": "VCH", "company_id": company.id}
            )

    def _vchasno_demo_payment_methods(self, register):
        """Cash on the register's cash journal, card on its card journal."""
        Method = self.env["pos.payment.method"].with_company(register.company_id)
        methods = Method
        for journal in register.journal_ids.filtered(
            lambda j: j.vchasno_payment_type in ("cash", "card")
        ).sorted(lambda j: j.type != "cash"):
            name = "Готівка" if journal.type == "cash" else "Картка"
            methods |= Method.create(
                {
                    "name": name,
                    "journal_id": journal.id,
                    "company_id": register.company_id.id,
                    "vchasno_ask_card_data": journal.type == "bank",
                }
            )
        return methods
