"""The daily reconciliation: what should have a fiscal receipt and has none,
and receipts whose amounts differ from their payments (issue 13, point 10).

A read-only SQL view, one row per problem:

* ``missing``: a posted customer payment into a journal linked to a register
  (company integration on, journal not set to *Never*; *Ask each time* only
  when the payment asked for one; not one that another module excludes,
  ``_due_payment_filter``) that has no sale or return receipt other than
  cancelled ones;
* ``amount``: the payment's own issued receipt (not a return of it) whose
  amount is not the payment's amount;
* ``not_issued``: a receipt of such a payment in error, or still waiting
  after the end of the payment's day.

Rows follow the company record rule; filters by day, register and company.
"""

from odoo import fields, models, tools
from odoo.tools import SQL

ISSUES = [
    ("missing", "No fiscal receipt"),
    ("amount", "Amounts differ"),
    ("not_issued", "Receipt not issued"),
]

QUERY = """
    WITH due AS (
        SELECT p.id, p.date, p.company_id, p.journal_id, p.partner_id,
               p.currency_id, p.amount, j.vchasno_register_id AS register_id
          FROM account_payment p
          JOIN account_journal j ON j.id = p.journal_id
          JOIN res_company c ON c.id = p.company_id
         WHERE p.state IN ('in_process', 'paid')
           AND p.partner_type = 'customer'
           AND j.vchasno_register_id IS NOT NULL
           AND c.vchasno_enabled
           AND COALESCE(j.vchasno_policy, 'always') != 'never'
           AND (COALESCE(j.vchasno_policy, 'always') != 'ask'
                OR p.vchasno_fiscalize)
           AND %(due_filter)s
    ), own AS (
        SELECT r.* FROM vchasno_receipt r
         WHERE r.kind IN ('sale', 'return')
           AND NOT EXISTS (  -- a return of the payment's own receipt
               SELECT 1 FROM vchasno_receipt o
                WHERE o.id = r.original_receipt_id AND o.payment_id = r.payment_id)
           AND r.state != 'cancelled'
           AND r.superseded IS NOT TRUE
    )
    SELECT d.id * 4 AS id, 'missing' AS issue, NULL::integer AS receipt_id,
           NULL::numeric AS receipt_amount, d.amount AS difference,
           d.id AS payment_id, d.date, d.company_id, d.journal_id,
           d.partner_id, d.currency_id, d.amount AS payment_amount,
           d.register_id
      FROM due d
     WHERE NOT EXISTS (SELECT 1 FROM own r WHERE r.payment_id = d.id)
    UNION ALL
    SELECT r.id * 4 + 1, 'amount', r.id, r.amount, d.amount - r.amount,
           d.id AS payment_id, d.date, d.company_id, d.journal_id,
           d.partner_id, d.currency_id, d.amount AS payment_amount,
           d.register_id
      FROM due d JOIN own r ON r.payment_id = d.id
     WHERE r.state = 'done' AND round(r.amount - d.amount, 2) != 0
    UNION ALL
    SELECT r.id * 4 + 2, 'not_issued', r.id, r.amount, 0,
           d.id AS payment_id, d.date, d.company_id, d.journal_id,
           d.partner_id, d.currency_id, d.amount AS payment_amount,
           d.register_id
      FROM due d JOIN own r ON r.payment_id = d.id
     WHERE r.state = 'error'
        OR (r.state != 'done' AND d.date < CURRENT_DATE)
"""


class VchasnoReconciliation(models.Model):
    _name = "vchasno.reconciliation"
    _description = "Vchasno.Kasa daily reconciliation"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "payment_id"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    register_id = fields.Many2one("vchasno.register", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    receipt_id = fields.Many2one("vchasno.receipt", readonly=True)
    issue = fields.Selection(ISSUES, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    payment_amount = fields.Monetary(readonly=True)
    receipt_amount = fields.Monetary(readonly=True)
    difference = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        query = SQL(QUERY, due_filter=self._due_payment_filter())
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), query)
        )

    def _due_payment_filter(self):
        """A condition on the payments ``p`` of the view that are due a receipt.

        Payments that other modules create and that the posting hook skips
        (``account.payment._vchasno_should_fiscalize``) are excluded here by
        those modules (the Point of Sale bridge: the payments posted when a
        session closes, whose sales have their receipts per order).
        """
        return SQL("TRUE")
