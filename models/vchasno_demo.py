from odoo import api, models


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    @api.model
    def _demo_setup(self, register_ids):
        """Demo data: give the register's company a chart of accounts, then link
        the register to the company's cash and bank journals."""
        for register in self.browse(register_ids):
            company = register.company_id
            if not company.chart_template:
                currency = company.currency_id
                self.env["account.chart.template"].try_loading(
                    "generic_coa", company, install_demo=False
                )
                company.currency_id = currency  # the chart brings its own

            journals = self.env["account.journal"].search(
                [
                    ("company_id", "=", company.id),
                    ("type", "in", ("cash", "bank")),
                ]
            )
            journals.vchasno_register_id = register
