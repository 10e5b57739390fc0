from odoo import models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    # The three questions the main addon's tax-group rule asks of a line
    # (vchasno.register._line_tax_problems, same as account.move.line).

    def _vchasno_line_taxes(self):
        """The taxes charged: after the order's fiscal position, as Odoo books."""
        return self.tax_ids_after_fiscal_position

    def _vchasno_line_document(self):
        return self.order_id.name

    def _vchasno_line_label(self):
        return (self.full_product_name or self.product_id.name or self.name).strip()

    def _vchasno_unit_price_incl(self):
        """The unit price with its taxes, before the line's discount."""
        self.ensure_one()
        taxes = self.tax_ids_after_fiscal_position
        if not taxes:
            return self.price_unit
        return taxes.compute_all(
            self.price_unit,
            currency=self.order_id.currency_id,
            quantity=1.0,
            product=self.product_id,
            partner=self.order_id.partner_id,
        )["total_included"]
