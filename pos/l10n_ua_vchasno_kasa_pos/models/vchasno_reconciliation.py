"""The daily reconciliation leaves out the payments of session closing."""

from odoo import models
from odoo.tools import SQL


class VchasnoReconciliation(models.Model):
    _inherit = "vchasno.reconciliation"

    def _due_payment_filter(self):
        # EXTENDS l10n_ua_vchasno_kasa: the payments that closing a session
        # posts (``account.payment._vchasno_is_pos_closing``) get no receipt:
        # the orders they sum up have theirs. Installing this module
        # re-creates the view (``init`` of the models it extends).
        return SQL(
            "%s AND p.pos_session_id IS NULL AND p.pos_payment_method_id IS NULL",
            super()._due_payment_filter(),
        )
