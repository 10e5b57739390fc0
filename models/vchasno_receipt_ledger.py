"""The amount ledger of a sale receipt: never more returned than sold.

* ``returned_amount`` is the total of every return receipt against this one
  that is not cancelled (issued, queued, being sent, unknown or in error: a
  return in flight reserves its amount). A database trigger keeps it, so no
  code path can forget it, and a CHECK constraint refuses a total above
  ``amount``. Two workers returning against one sale at the same time both
  update the sale's row: the second waits for the first, then fails
  (serialization failure under Odoo's REPEATABLE READ, the CHECK under READ
  COMMITTED, where the increment is applied to the committed total).
* ``_returnable_amount`` is the one place that computes what is left; refund
  payments, the reversal of a cancelled payment, the "Issue return receipt"
  action and retries all use it.
* A reversal after partial returns returns only what is left, per Vchasno
  tax group (``_reversal_body``).

The ledger knows receipts only (amount, original, state), not where they come
from: a payment today, a Point of Sale order next.

A return that is itself reversed (its refund payment cancelled: a sale
receipt against the return) does not give the amount back to the first
sale's ledger: conservative, never more returned than sold; such a sale is
returned again through its own new receipts.
"""

import logging
from decimal import Decimal

from odoo import _, fields, models
from odoo.tools import SQL, float_compare

from ..tools import receipt_maths as rm
from ..tools.vchasno_errors import VchasnoPayloadError

_logger = logging.getLogger(__name__)

LEDGER_FUNCTION = SQL("""
    CREATE OR REPLACE FUNCTION vchasno_receipt_ledger() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.original_receipt_id IS NOT NULL
           AND OLD.state <> 'cancelled' THEN
            UPDATE vchasno_receipt
               SET returned_amount = COALESCE(returned_amount, 0)
                                     - COALESCE(OLD.amount, 0)
             WHERE id = OLD.original_receipt_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.original_receipt_id IS NOT NULL
           AND NEW.state <> 'cancelled' THEN
            UPDATE vchasno_receipt
               SET returned_amount = COALESCE(returned_amount, 0)
                                     + COALESCE(NEW.amount, 0)
             WHERE id = NEW.original_receipt_id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
""")
# Only what changes the counted total touches the sale's row: a return going
# from "sending" to "done" must not lock (or conflict on) its sale receipt.
LEDGER_TRIGGERS = SQL("""
    DROP TRIGGER IF EXISTS vchasno_receipt_ledger_ins_del ON vchasno_receipt;
    CREATE TRIGGER vchasno_receipt_ledger_ins_del
        AFTER INSERT OR DELETE ON vchasno_receipt
        FOR EACH ROW EXECUTE FUNCTION vchasno_receipt_ledger();
    DROP TRIGGER IF EXISTS vchasno_receipt_ledger_upd ON vchasno_receipt;
    CREATE TRIGGER vchasno_receipt_ledger_upd
        AFTER UPDATE OF original_receipt_id, amount, state ON vchasno_receipt
        FOR EACH ROW
        WHEN (OLD.original_receipt_id IS DISTINCT FROM NEW.original_receipt_id
              OR OLD.amount IS DISTINCT FROM NEW.amount
              OR (OLD.state = 'cancelled') <> (NEW.state = 'cancelled'))
        EXECUTE FUNCTION vchasno_receipt_ledger();
""")


def _dec(value):
    return Decimal(str(value or 0))


def group_totals(body):
    """Row totals of a stored receipt body per Vchasno tax group.

    :return: ``{key: total}`` and ``{key: taxgrp as stored}`` (key = str)
    """
    totals, groups = {}, {}
    for row in body.get("rows") or []:
        key = str(row["taxgrp"])
        gross = rm.round_half_up(_dec(row.get("cnt")) * _dec(row.get("price")))
        totals[key] = totals.get(key, Decimal(0)) + gross - _dec(row.get("disc"))
        groups[key] = row["taxgrp"]
    return totals, groups


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    returned_amount = fields.Monetary(
        string="Returned",
        readonly=True,
        copy=False,
        help="Total of the return receipts against this receipt that are not "
        "cancelled (issued or still on their way). Kept by the database.",
    )

    _sql_constraints = [
        (
            "returned_within_amount",
            "CHECK(returned_amount IS NULL "
            "OR (returned_amount >= 0 AND returned_amount <= amount))",
            "More would be returned than this receipt sold: a fiscal receipt "
            "can be returned only up to its amount, all returns together.",
        ),
    ]

    def init(self):
        # EXTENDS l10n_ua_vchasno_kasa: the ledger is kept by the database.
        res = super().init()
        cr = self.env.cr
        cr.execute(LEDGER_FUNCTION)
        cr.execute(LEDGER_TRIGGERS)
        # Totals of rows written before the trigger existed; a total that
        # would break the CHECK (returned beyond the sale by an old version)
        # is left as it is and logged.
        cr.execute(
            SQL("""
            UPDATE vchasno_receipt s SET returned_amount = t.total
              FROM (SELECT original_receipt_id AS id, SUM(amount) AS total
                      FROM vchasno_receipt
                     WHERE original_receipt_id IS NOT NULL
                       AND state <> 'cancelled'
                  GROUP BY original_receipt_id) t
             WHERE s.id = t.id
               AND s.returned_amount IS DISTINCT FROM t.total
               AND t.total <= s.amount
         RETURNING s.id
        """)
        )
        if cr.rowcount:
            _logger.info("Vchasno ledger: %s returned totals set", cr.rowcount)
        return res

    # === Ledger === #

    def _returnable_amount(self):
        """What is left to return on this receipt: the one place it is computed."""
        self.ensure_one()
        # Pending creates/writes of returns first: the trigger counts them.
        self.flush_model()
        self.invalidate_recordset(["returned_amount"])
        return self.currency_id.round(self.amount - (self.returned_amount or 0.0))

    def _is_fully_returned(self):
        """Everything this receipt sold is returned (or on its way back)."""
        self.ensure_one()
        return (
            float_compare(
                self.returned_amount or 0.0,
                self.amount,
                precision_rounding=self.currency_id.rounding,
            )
            >= 0
            and self.amount > 0
        )

    def _lock_for_ledger(self):
        """Lock this receipt's row before a return is decided against it.

        Under REPEATABLE READ the lock fails (serialization error, the request
        or job is replayed) if another transaction changed the returned total
        since this one began: what ``_returnable_amount`` reads is current.
        """
        self.env.cr.execute(
            SQL(
                "SELECT id FROM vchasno_receipt WHERE id IN %s FOR UPDATE",
                tuple(self.ids),
            )
        )

    def _is_reversal(self):
        """A receipt that undoes (what is left of) another of the same source."""
        self.ensure_one()
        original = self.original_receipt_id
        return bool(original and original._vchasno_source() == self._vchasno_source())

    def _is_reversed(self):
        self.ensure_one()
        return bool(
            self.return_receipt_ids.filtered(
                lambda r: r.state != "cancelled" and r._is_reversal()
            )
        )

    def _issue_reversal(self):
        """Return what is left of this done receipt (its payment was cancelled,
        or the "Issue return receipt" action). Queued, never sent here.

        :return: the reversal receipt, or an empty recordset if nothing is left
        """
        self.ensure_one()
        self._lock_for_ledger()
        left = self._returnable_amount()
        if float_compare(left, 0.0, precision_rounding=self.currency_id.rounding) <= 0:
            # sudo: a note of the code on a receipt that users only read.
            self.sudo()._message_log(
                body=_("Everything this receipt sold was already returned: no return.")
            )
            return self.browse()
        # sudo: receipts are created by code only; the public actions that
        # lead here check the caller's rights first.
        reversal = self.sudo().create(self._reversal_vals(left))
        # sudo: a note of the code on a receipt that users only read.
        self.sudo()._message_log(
            body=_(
                "%(receipt)s queued to return what is left of this receipt.",
                receipt=reversal.display_name,
            )
        )
        self._trigger_sender()
        return reversal

    def _reversal_vals(self, amount):
        """The reversal of ``amount`` of this receipt, for the same source.

        A source other than a payment (a Point of Sale order) adds its link
        by extending this.
        """
        self.ensure_one()
        return {
            "company_id": self.company_id.id,
            "register_id": self.register_id.id,
            "kind": "return" if self.kind == "sale" else "sale",
            "payment_id": self.payment_id.id,
            "move_id": self.move_id.id,
            "partner_id": self.partner_id.id,
            "original_receipt_id": self.id,
            "amount": amount,
            "cashier_id": self.env.user.id,
            "cashier_name": self.env.user.name,
        }

    def _reversal_body(self):
        """The body of a reversal: the original's, or what is left of it.

        Nothing else returned: exactly what the original receipt said. After
        partial returns: one row per Vchasno tax group with what is left in
        that group (the original's rows minus the returns' rows); returns
        whose request is not built yet are spread over the groups in
        proportion to what is left, so the rows add up to the amount.
        """
        self.ensure_one()
        original = self.original_receipt_id
        sold = (original.payload or {}).get("fiscal", {}).get("receipt")
        if not sold:
            raise VchasnoPayloadError(
                [_("The original sale receipt has no stored content.")]
            )
        others = original.return_receipt_ids.filtered(
            lambda r: r.state != "cancelled" and r != self
        )
        if not others:
            return sold
        left, groups = group_totals(sold)
        for other in others:
            body = (other.payload or {}).get("fiscal", {}).get("receipt")
            for key, total in (group_totals(body)[0] if body else {}).items():
                left[key] = left.get(key, Decimal(0)) - total
        keys = [key for key in left if left[key] > 0]
        target = _dec(self.amount).quantize(rm.KOPECK)
        if not keys:
            raise VchasnoPayloadError(
                [
                    _(
                        "Nothing is left to return on %(receipt)s.",
                        receipt=original.display_name,
                    )
                ]
            )
        parts = rm.allocate([left[key] for key in keys], target)
        name = _("Return of receipt %(number)s", number=original.fiscal_number or "")
        rows = [
            rm.Row(name=name, qty=Decimal(1), price=part, tax_group=groups[key])
            for key, part in zip(keys, parts, strict=True)
            if part > 0
        ]
        pay_type = (sold.get("pays") or [{}])[0].get("type", rm.PAY_CASHLESS)
        return rm.build_receipt(rows, [rm.Pay(pay_type, target)])
