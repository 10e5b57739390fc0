from odoo import Command, api, fields, models

# Odoo's Ukrainian chart (l10n_ua, template ua_psbo): its sales taxes and the
# Vchasno tax group each one maps to by Vchasno's default codes (1 = А ПДВ 20 %,
# 2 = Б без ПДВ, 4 = В ПДВ 7 %, 5 = Е ПДВ 0 %, 7 = З не є об'єктом ПДВ,
# 9 = Л ПДВ 14 %). A real register may use other codes: they are per tax.
UA_PSBO_TAX_GROUPS = {
    "sale_tax_template_vat20_psbo": "1",
    "sale_tax_template_vat14_psbo": "9",
    "sale_tax_template_vat7_psbo": "4",
    "sale_tax_template_vat0_psbo": "5",
    "sale_tax_template_vat_free_psbo": "2",
    "sale_tax_template_vat_not_psbo": "7",
}
# Without l10n_ua (the addon needs only `account`): the same three taxes made
# by hand on Odoo's generic chart.
GENERIC_TAXES = [
    ("vat20", "ПДВ 20%", 20.0, "1"),
    ("vat7", "ПДВ 7%", 7.0, "4"),
    ("exempt", "Без ПДВ", 0.0, "2"),
]


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    @api.model
    def _demo_setup(self, register_ids):
        """Demo data: the register's company becomes a Ukrainian shop ready for
        a first payment. Safe to run again."""
        for register in self.browse(register_ids):
            company = register.company_id
            taxes = register._demo_chart_and_taxes(company)
            register._demo_journals(company)
            register._demo_invoices(company, taxes)

    def _demo_chart_and_taxes(self, company):
        """The Ukrainian chart when l10n_ua is installed (``make run``
        installs it), else the generic one; sales taxes mapped to their
        Vchasno groups. :return: {"vat20"|"vat7"|"exempt": account.tax}"""
        ua_chart = bool(
            self.env["ir.module.module"].search_count(
                [("name", "=", "l10n_ua"), ("state", "in", ("installed", "to upgrade"))]
            )
        )
        chart = self.env["account.chart.template"]
        if not company.chart_template:
            currency = company.currency_id
            chart.try_loading(
                "ua_psbo" if ua_chart else "generic_coa", company, install_demo=False
            )
            company.currency_id = currency  # the generic chart brings USD
        # Shelf prices in Ukraine include VAT, as the receipt shows them
        # (set before any invoice: Odoo refuses to change it afterwards).
        if company.account_price_include != "tax_included":
            company.account_price_include = "tax_included"
        chart = chart.with_company(company)
        if company.chart_template == "ua_psbo":
            for xmlid, code in UA_PSBO_TAX_GROUPS.items():
                tax = chart.ref(xmlid, raise_if_not_found=False)
                if tax:
                    tax.vchasno_tax_group_code = code
            # ua_psbo leaves its 0 % taxes in the default group, which an
            # invoice then shows as "ПДВ 20%: 0,00".
            self._demo_zero_tax_groups(company, chart)
            return {
                "vat20": chart.ref("sale_tax_template_vat20_psbo"),
                "vat7": chart.ref("sale_tax_template_vat7_psbo"),
                "exempt": chart.ref("sale_tax_template_vat_free_psbo"),
            }
        Tax = self.env["account.tax"].with_company(company)
        taxes = {}
        for key, name, amount, code in GENERIC_TAXES:
            domain = [("company_id", "=", company.id), ("name", "=", name)]
            taxes[key] = Tax.search(domain, limit=1) or Tax.create(
                {
                    "name": name,
                    "amount": amount,
                    "type_tax_use": "sale",
                    "vchasno_tax_group_code": code,
                    "company_id": company.id,
                }
            )
        return taxes

    def _demo_zero_tax_groups(self, company, chart):
        Group = self.env["account.tax.group"].with_company(company)
        for xmlids, name in (
            (["sale_tax_template_vat0_psbo"], "ПДВ 0%"),
            (["sale_tax_template_vat_free_psbo"], "Звільнено від ПДВ"),
            (["sale_tax_template_vat_not_psbo"], "Не є об'єктом ПДВ"),
        ):
            domain = [("company_id", "=", company.id), ("name", "=", name)]
            group = Group.search(domain, limit=1) or Group.create(
                {"name": name, "company_id": company.id}
            )
            for xmlid in xmlids:
                tax = chart.ref(xmlid, raise_if_not_found=False)
                if tax and tax.tax_group_id != group:
                    tax.tax_group_id = group

    def _demo_journals(self, company):
        """The cash journal (first, so the payment dialog proposes it) and a
        card journal on this register, always fiscalized; the bank journal
        too, for cashless transfers, asking each time."""
        self.ensure_one()
        Journal = self.env["account.journal"].with_company(company)
        cash = Journal.search(
            [("company_id", "=", company.id), ("type", "=", "cash")], limit=1
        )
        bank = Journal.search(
            [
                ("company_id", "=", company.id),
                ("type", "=", "bank"),
                ("code", "!=", "CARD"),
            ],
            limit=1,
        )
        card = Journal.search(
            [("company_id", "=", company.id), ("code", "=", "CARD")], limit=1
        ) or Journal.create(
            {
                "name": "Оплата карткою",
                "code": "CARD",
                "type": "bank",
                "company_id": company.id,
            }
        )
        cash.write(
            {
                "sequence": 1,
                "vchasno_register_id": self.id,
                "vchasno_payment_type": "cash",
            }
        )
        card.write({"vchasno_register_id": self.id, "vchasno_payment_type": "card"})
        bank.write(
            {
                "vchasno_register_id": self.id,
                "vchasno_payment_type": "cashless",
                "vchasno_policy": "ask",
            }
        )

    def _demo_invoices(self, company, taxes):
        """Products on the three taxes and one posted invoice per demo
        customer, waiting for their payment (made once)."""
        ref = self.env.ref
        products = {
            "vat20": ref("l10n_ua_vchasno_kasa.demo_product_coffee"),
            "vat7": ref("l10n_ua_vchasno_kasa.demo_product_medicine"),
            "exempt": ref("l10n_ua_vchasno_kasa.demo_product_course"),
        }
        for key, product in products.items():
            product.with_company(company).taxes_id = taxes[key]
        lines_by_partner = [
            ("demo_partner", [("vat20", 2), ("vat7", 1)]),
            ("demo_partner_no_consent", [("vat20", 1)]),
            ("demo_partner_no_contact", [("exempt", 1)]),
            ("demo_partner_company", [("vat20", 5), ("exempt", 1)]),
        ]
        Move = self.env["account.move"].with_company(company)
        for partner_xmlid, lines in lines_by_partner:
            partner = ref("l10n_ua_vchasno_kasa." + partner_xmlid)
            if Move.search_count([("partner_id", "=", partner.id)]):
                continue
            invoice = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.context_today(self),
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": products[key].id, "quantity": qty}
                        )
                        for key, qty in lines
                    ],
                }
            )
            invoice.action_post()
