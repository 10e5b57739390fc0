from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # What the tax-group rule (vchasno.register._line_tax_problems) reads of
    # a line. A Point of Sale order line answers the same three questions,
    # so one rule serves invoices and POS orders alike.

    def _vchasno_line_taxes(self):
        """The taxes charged on this line."""
        return self.tax_ids

    def _vchasno_line_document(self):
        """The document named in a refusal (invoice number)."""
        return self.move_id.name

    def _vchasno_line_label(self):
        """The line as a person recognises it: its product, else its label."""
        return (self.product_id.name or (self.name or "").split("\n")[0]).strip()
