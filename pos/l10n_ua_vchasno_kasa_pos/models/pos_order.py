"""A paid Point of Sale order queues its fiscal receipt (the outbox).

``action_pos_order_paid`` is where an order becomes paid, whether it comes
from the Point of Sale (``sync_from_ui`` -> ``_process_saved_order``) or from
the backend payment wizard (``pos.make.payment``). The receipt row is created
there, in the order's own transaction, with a wake-up of the sender that
fires once that transaction is committed (``ir.cron._trigger``): nothing is
sent while the order may still roll back, and a rolled-back sync leaves no
receipt.

Odoo's ``_process_saved_order`` swallows every non-database exception of
``action_pos_order_paid`` and only logs it, leaving the order paid. So our
hook never raises one: it works in a savepoint, and a failure leaves the
order saved with a receipt in *Error* that says what went wrong (never a
half-made receipt, never a silent skip). Database errors are not caught:
they are the whole sync's, as in Odoo (a duplicate order UUID is one: the
second copy of an order is refused by our unique index, and the Point of
Sale finds the first one when it syncs again).

Invoiced orders (``to_invoice``) get their receipt here too, one for the
order: Odoo pays their invoice with journal entries, not with
``account.payment`` records, and the combined payments posted when the
session closes are skipped by the payment hook. So an invoiced order never
gets a second receipt for its invoice's payment.
"""

import logging
from decimal import Decimal

import psycopg2

from odoo import _, fields, models
from odoo.tools import SQL

from odoo.addons.l10n_ua_vchasno_kasa.models.vchasno_receipt_payload import dec

_logger = logging.getLogger(__name__)

RECEIPT_KINDS = ("sale", "return")


class PosOrder(models.Model):
    _inherit = "pos.order"

    vchasno_receipt_ids = fields.One2many(
        "vchasno.receipt", "pos_order_id", string="Fiscal receipts"
    )

    # === Workflow override === #

    def action_pos_order_paid(self):
        # EXTENDS point_of_sale: the paid order queues its fiscal receipt in
        # its own transaction (see the module docstring).
        res = super().action_pos_order_paid()
        self._vchasno_enqueue_safely()
        return res

    # === Enqueue === #

    def _vchasno_enqueue_safely(self):
        """Queue the receipts of these paid orders; never raise (see above)."""
        # No savepoint (it flushes the whole transaction) for a Point of Sale
        # that does not fiscalize: nothing to undo.
        for order in self.filtered(lambda o: o._vchasno_config_fiscalizes()):
            try:
                with self.env.cr.savepoint():
                    if order._vchasno_should_fiscalize():
                        order._vchasno_enqueue()
            except psycopg2.DatabaseError:
                raise
            except Exception as err:  # noqa: BLE001 - Odoo would swallow it
                _logger.exception(
                    "Vchasno: queueing the receipt of %s failed", order.name
                )
                order._vchasno_enqueue_failed(err)

    def _vchasno_should_fiscalize(self):
        """Whether this paid order gets a receipt now (a note says why not).

        Its Point of Sale fiscalizes: ``_vchasno_enqueue_safely`` checked.
        """
        self.ensure_one()
        if self.state not in ("paid", "done", "invoiced"):
            return False
        twin = self._vchasno_twin_receipts()
        if twin:
            # The same order reached the server again (same UUID): it has
            # its receipt already; a second one would be a false sale.
            self._message_log(
                body=_(
                    "Not fiscalized again: the Point of Sale order %(uuid)s "
                    "already has its fiscal receipt (%(receipt)s).",
                    uuid=self.uuid,
                    receipt=twin[:1].display_name,
                )
            )
            return False
        if self.currency_id.is_zero(self.amount_paid):
            return False  # nothing was paid: nothing to fiscalize
        if not self.payment_ids.payment_method_id.journal_id:
            self._message_log(
                body=_(
                    "No fiscal receipt: this order is paid on the customer's "
                    "account. The receipt is made when the customer pays."
                )
            )
            return False
        return True

    def _vchasno_config_fiscalizes(self):
        """Whether this order's Point of Sale sends receipts to Vchasno."""
        self.ensure_one()
        return bool(
            self.company_id.vchasno_enabled and self.config_id.vchasno_register_id
        )

    def _vchasno_enqueue(self):
        """Create the receipt (state "to send") and wake the sender. No HTTP."""
        self.ensure_one()
        # sudo: receipts are written by code only; the order was just paid
        # by this user (Odoo's right on Point of Sale orders).
        # tracking_disable: the receipt gets no chatter line on create (no
        # create message, no tracked field, no follower), so mail.thread's
        # create hooks (subscriptions, auto-subscribe) are skipped; the
        # context does not stay on the returned record.
        Receipt = self.env["vchasno.receipt"].sudo()
        receipt = Receipt.with_context(tracking_disable=True).create(
            self._vchasno_receipt_vals()
        )
        receipt = receipt.with_env(Receipt.env)
        # coalesce: a busy counter syncs many orders; one due trigger is enough.
        receipt._trigger_sender(coalesce=True)
        return receipt

    def _vchasno_receipt_vals(self):
        self.ensure_one()
        cashier = self.user_id or self.env.user
        vals = {
            "company_id": self.company_id.id,
            "register_id": self.config_id.vchasno_register_id.id,
            "kind": "return" if self.amount_paid < 0 else "sale",
            "pos_order_id": self.id,
            "pos_order_uuid": self.uuid or False,
            "partner_id": self.partner_id.id,
            "amount": abs(self.amount_paid),
            "cashier_id": cashier.id,
            "cashier_name": self._vchasno_cashier_name() or cashier.name,
        }
        vals.update(self.partner_id._vchasno_contact_vals(self.company_id))
        return vals

    def _vchasno_cashier_name(self):
        """The employee who sold (pos_hr), when the Point of Sale has them."""
        employee = "employee_id" in self._fields and self.employee_id
        return employee.name if employee else False

    def _vchasno_enqueue_failed(self, err):
        """Our hook failed: the order stays paid, a receipt in error says so."""
        try:
            with self.env.cr.savepoint():
                vals = {
                    "company_id": self.company_id.id,
                    "register_id": self.config_id.vchasno_register_id.id,
                    "kind": "return" if self.amount_paid < 0 else "sale",
                    "pos_order_id": self.id,
                    "pos_order_uuid": self.uuid or False,
                    "amount": abs(self.amount_paid),
                }
                # sudo: receipts are written by code only (see _vchasno_enqueue).
                receipt = self.env["vchasno.receipt"].sudo().create(vals)
                message = _(
                    "The fiscal receipt of %(order)s could not be prepared: "
                    "%(error)s. Fix the cause, then Retry.",
                    order=self.name,
                    error=str(err) or err.__class__.__name__,
                )
                receipt._transition(
                    "error", {"error_kind": "data", "error_message": message}
                )
        except Exception:  # noqa: BLE001 - the order must stay saved
            _logger.exception("Vchasno: no error receipt for %s either", self.name)

    # === Helpers === #

    def _vchasno_active_receipts(self):
        self.ensure_one()
        return self.vchasno_receipt_ids.filtered(
            lambda r: (
                r.kind in RECEIPT_KINDS and r.state != "cancelled" and not r.superseded
            )
        )

    def _vchasno_twin_receipts(self):
        """Active receipts of this order, or of another order with its UUID.

        Runs on every paid order, so it is written in SQL whose conditions
        are those of the unique indexes ``vchasno_receipt_pos_order_kind_uniq``
        and ``vchasno_receipt_pos_uuid_kind_uniq`` (``state != 'cancelled'``,
        ``superseded IS NOT TRUE``): the ORM's ``!=`` domain adds ``OR state
        IS NULL`` and orders by id, so PostgreSQL walked the whole table, a
        cost that grew with every receipt ever made.
        """
        self.ensure_one()
        Receipt = self.env["vchasno.receipt"]
        Receipt.flush_model(
            ["kind", "state", "superseded", "pos_order_id", "pos_order_uuid"]
        )
        match = SQL("pos_order_id = %s", self.id)
        if self.uuid:
            match = SQL("(%s OR pos_order_uuid = %s)", match, self.uuid)
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM vchasno_receipt
                 WHERE kind IN %s
                   AND state != 'cancelled'
                   AND superseded IS NOT TRUE
                   AND %s
                 LIMIT 1
                """,
                RECEIPT_KINDS,
                match,
            )
        )
        # sudo: every receipt counts, whoever may read it.
        return Receipt.sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _vchasno_find_original(self, amount):
        """The sale receipt a refund order returns against, and a problem."""
        self.ensure_one()
        originals = self.lines.refunded_orderline_id.order_id
        sales = originals.vchasno_receipt_ids.filtered(
            lambda r: r.kind == "sale" and r.state != "cancelled" and not r.superseded
        ).sorted("id", reverse=True)
        if not sales:
            return sales, _(
                "No fiscal sale receipt was found for the order %(order)s refunds: "
                "a Point of Sale refund must be made from the refunded order "
                "(Refund in the order list), and that order must have been "
                "fiscalized.",
                order=originals[:1].name or self.name,
            )
        sale = sales[0]
        left = sale._returnable_amount()
        if sale.currency_id.compare_amounts(left, amount) < 0:
            return sale, _(
                "The refund of %(amount)s is more than what is left to return on "
                "the sale receipt (%(left)s).",
                amount=amount,
                left=left,
            )
        return sale, False

    def _vchasno_line_amounts(self):
        """``{line: Decimal}``: what Odoo books for each line, tax included,
        in the direction of a sale (a refund's lines are negative).

        Odoo's own tax engine, as ``_compute_prices`` uses it: the rounding
        of the company (per line or global, with its deltas) is included, so
        the lines add up to the order's total.
        """
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        base_lines = self.lines._prepare_tax_base_line_values()
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        # Odoo reads a refund order (negative total) with negated quantities.
        factor = Decimal(-1) if self.amount_total < 0.0 else Decimal(1)
        amounts = {}
        for base_line in base_lines:
            details = base_line["tax_details"]
            total = (
                details["total_excluded_currency"]
                + details["delta_total_excluded_currency"]
                + sum(tax["tax_amount_currency"] for tax in details["taxes_data"])
            )
            amounts[base_line["record"]] = dec(total) * factor
        return amounts
