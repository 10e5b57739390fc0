"""Languages and times of what a receipt says, printed or in the chatter.

* The printed receipt speaks the receipt's language (the customer's, the
  company's, else Ukrainian: ``_receipt_lang``, the language its rows were
  built in), whoever prints it: labels, payment types (the cabinet's names in
  Ukrainian, ``tools.pay_types.pay_type_name``) and the name of the receipt.
* Its time is the fiscal time, Kyiv time (``kyiv_time``), never the time zone
  of the user who prints it: it must read as Vchasno's copy does.
* What the system writes by itself (outcome notes, follow-ups, messages of
  the register, stored error messages) is in the company's language (the
  language of the company's partner), not in the language of the user who
  runs the cron.
"""

from odoo import api, fields, models

from ..tools.pay_types import pay_type_name
from .kyiv_time import utc_to_kyiv

KYIV_FORMAT = "%d.%m.%Y %H:%M:%S"


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    fiscal_time_kyiv = fields.Char(
        string="Fiscal time (Kyiv)",
        compute="_compute_fiscal_time_kyiv",
        help="The fiscal date and time as Vchasno states it: Kyiv time, "
        "whatever the time zone of the user.",
    )

    @api.depends("fiscal_date")
    def _compute_fiscal_time_kyiv(self):
        for receipt in self:
            date = receipt.fiscal_date
            receipt.fiscal_time_kyiv = (
                utc_to_kyiv(date).strftime(KYIV_FORMAT) if date else False
            )

    # === Languages === #

    def _vchasno_company_lang(self):
        """The language the system writes in for this receipt's company."""
        self.ensure_one()
        # sudo: only the language of the receipt's own company is read.
        lang = self.sudo().company_id.partner_id.lang
        if lang and lang in dict(self.env["res.lang"].get_installed()):
            return lang
        return self.env.lang or "en_US"

    def _vchasno_in_company_lang(self):
        """This receipt in an environment speaking its company's language."""
        self.ensure_one()
        return self.with_context(lang=self._vchasno_company_lang())

    # === Printing === #

    def _vchasno_print_lang(self):
        """The language of the printed receipt: the one its rows are in."""
        self.ensure_one()
        return self._receipt_lang() or "uk_UA"

    def _vchasno_printed_pays(self):
        """``[(name, amount)]`` of the frozen request's payments, named in the
        receipt's language (this record's environment speaks it)."""
        self.ensure_one()
        body = ((self.payload or {}).get("fiscal") or {}).get("receipt") or {}
        lang = self.env.lang
        return [
            (pay_type_name(pay.get("type"), lang), pay.get("sum") or 0.0)
            for pay in body.get("pays") or []
            if isinstance(pay, dict)
        ]
