import logging
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

KINDS = [
    ("sale", "Sale"),
    ("return", "Return"),
    ("service_in", "Service cash-in"),
    ("service_out", "Service cash-out"),
    ("open_shift", "Shift opening"),
    ("x_report", "X report"),
    ("z_report", "Z report"),
]

# State diagram of a receipt (the outbox row of one fiscal operation):
#
#   to_send --(sender claims, commits)--> sending --(res 0)--> done
#     ^  ^                                  |
#     |  |   nothing reached Vchasno,       |--> to_send + next_attempt_at
#     |  |   429, res_action 1              |
#     |  |                                  |--> unknown: sent but the answer was
#     |  |                                  |    lost (timeout, 5xx, bad JSON,
#     |  |                                  |    res_action 2). Never resent
#     |  |                                  |    blindly: the recovery cron asks
#     |  '--(Vchasno says: no such tag)--- unknown --(found by tag)--> done
#     |                                     '--(still unclear after N)--> error
#     '--(retry after the data is fixed)-- error <-- refused (res_action 3),
#                                                    bad data (nothing sent)
#   to_send / error --(payment cancelled before sending)--> cancelled
#
# A sender that dies leaves "sending" with no row lock: recovery turns it into
# "unknown". A "done" receipt is never deleted: corrections are return receipts.
STATES = [
    ("to_send", "To send"),
    ("sending", "Sending"),
    ("unknown", "Outcome unknown"),
    ("done", "Done"),
    ("error", "Error"),
    ("cancelled", "Cancelled"),
]
ACTIVE_STATES = ("to_send", "sending", "unknown", "done", "error")
# From which states a human may ask to try again, and into which state.
_RETRY_FROM = {"error": "to_send", "to_send": "to_send"}


class VchasnoReceipt(models.Model):
    """One fiscal operation on a Vchasno register: the outbox row.

    Created in the same transaction as the business event (payment posted,
    refund, report asked), sent by the cron after that transaction committed.
    """

    _name = "vchasno.receipt"
    _description = "Vchasno.Kasa fiscal receipt"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["fiscal_number", "tag", "payment_id"]

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    register_id = fields.Many2one(
        "vchasno.register",
        required=True,
        readonly=True,
        check_company=True,
        index=True,
        ondelete="restrict",
    )
    kind = fields.Selection(KINDS, required=True, readonly=True, default="sale")
    state = fields.Selection(
        STATES,
        required=True,
        readonly=True,
        default="to_send",
        index=True,
        copy=False,
    )  # not tracked: _post_outcome writes one message per outcome instead
    tag = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        help="The request tag sent to Vchasno: set once, never changed, so that "
        "every resend of this receipt is recognisable.",
    )
    payment_id = fields.Many2one(
        "account.payment",
        readonly=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    partner_id = fields.Many2one("res.partner", readonly=True)
    original_receipt_id = fields.Many2one(
        "vchasno.receipt",
        string="Original sale receipt",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
    )
    return_receipt_ids = fields.One2many(
        "vchasno.receipt", "original_receipt_id", string="Return receipts"
    )
    superseded = fields.Boolean(
        readonly=True,
        copy=False,
        help="Set when the payment was reset and fiscalized again: this receipt and "
        "its return stay as history and no longer block a new sale receipt.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(readonly=True)
    cashier_id = fields.Many2one("res.users", readonly=True)
    cashier_name = fields.Char(readonly=True)
    send_email = fields.Char(string="Send to email", readonly=True)
    send_phone = fields.Char(string="Send to phone", readonly=True)
    payload = fields.Json(
        string="Request",
        readonly=True,
        copy=False,
        help="The request as sent to Vchasno (never the token), frozen before the "
        "first attempt so that every resend is byte-identical.",
    )
    response = fields.Json(readonly=True, copy=False)
    attempt_count = fields.Integer(readonly=True, copy=False)
    next_attempt_at = fields.Datetime(readonly=True, copy=False, index=True)
    last_attempt_at = fields.Datetime(readonly=True, copy=False)
    recover_count = fields.Integer(readonly=True, copy=False)
    error_kind = fields.Selection(
        [
            ("data", "Data cannot be fiscalized"),
            ("transport", "Vchasno not reachable"),
            ("unknown", "Answer lost"),
            ("refused", "Refused by Vchasno"),
            ("auth", "Token refused"),
        ],
        readonly=True,
        copy=False,
    )
    error_code = fields.Char(readonly=True, copy=False)
    error_text = fields.Char(string="Vchasno's message", readonly=True, copy=False)
    error_message = fields.Text(readonly=True, copy=False)
    # Results
    fiscal_number = fields.Char(readonly=True, copy=False, index="btree_not_null")
    register_fiscal_id = fields.Char(
        string="Register fiscal id", readonly=True, copy=False
    )
    local_number = fields.Char(readonly=True, copy=False)
    shift_number = fields.Char(readonly=True, copy=False)
    fiscal_date = fields.Datetime(readonly=True, copy=False)
    qr = fields.Char(string="QR code", readonly=True, copy=False)
    public_url = fields.Char(string="Receipt link", readonly=True, copy=False)
    is_test = fields.Boolean(string="Test receipt", readonly=True, copy=False)
    is_offline = fields.Boolean(string="Issued offline", readonly=True, copy=False)
    report_totals = fields.Json(readonly=True, copy=False)

    @api.depends("kind", "fiscal_number", "state")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for receipt in self:
            number = receipt.fiscal_number or _("pending")
            receipt.display_name = _(
                "%(kind)s %(number)s", kind=kinds[receipt.kind], number=number
            )

    def init(self):
        # One active sale (and one active return) per payment, in the database:
        # a retried or concurrent posting cannot make a second fiscal receipt.
        self.env.cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_payment_kind_uniq
                ON vchasno_receipt (payment_id, kind)
             WHERE payment_id IS NOT NULL
               AND state != 'cancelled'
               AND superseded IS NOT TRUE
        """)
        )
        # The sender looks for due receipts only: without this index the
        # claim walks every receipt ever sent (the table only grows).
        self.env.cr.execute(
            SQL("""
            CREATE INDEX IF NOT EXISTS vchasno_receipt_to_send_idx
                ON vchasno_receipt (id)
             WHERE state = 'to_send'
        """)
        )
        self.env.cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_tag_uniq
                ON vchasno_receipt (tag)
        """)
        )

    # === CRUD === #

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        """A receipt that may exist at Vchasno is history: never deleted."""
        for receipt in self:
            if receipt.state != "cancelled" and (
                receipt.attempt_count or receipt.state in ("done", "sending", "unknown")
            ):
                raise UserError(
                    _(
                        "%(receipt)s was sent to Vchasno and cannot be deleted.",
                        receipt=receipt.display_name,
                    )
                )

    # === Actions === #

    def action_retry(self):
        """Try again: a refused or unsendable receipt goes back to the queue."""
        self.env["vchasno.access"]._check("retry", self)
        for receipt in self:
            if receipt.state not in _RETRY_FROM:
                raise UserError(
                    _(
                        "Only receipts in error can be retried "
                        "(%(receipt)s is %(state)s).",
                        receipt=receipt.display_name,
                        state=receipt._state_label(),
                    )
                )
        # sudo: receipts are read-only for users; vchasno.access allowed "retry".
        self.sudo().write(
            {
                "state": "to_send",
                "next_attempt_at": False,
                "error_kind": False,
                "error_code": False,
                "error_text": False,
                "error_message": False,
            }
        )
        for receipt in self.filtered(lambda r: not r.attempt_count):
            # Nothing ever went out: rebuild from the (maybe corrected) data.
            receipt.sudo().payload = False
        self._trigger_sender()
        return True

    def action_send_now(self):
        """Send at once instead of waiting for the cron."""
        self.env["vchasno.access"]._check("send_now", self)
        self._vchasno_check_pending()
        for receipt in self:
            if not receipt._try_lock():
                raise UserError(receipt._being_sent_message())
        # A person asks for it now: skip the back-off delay (a paused or
        # tripped register still waits, see _due_domain_sql).
        self.sudo().write({"next_attempt_at": False})
        self._send_now()
        return self._open_or_notify() if len(self) == 1 else True

    def action_cancel(self):
        self.env["vchasno.access"]._check("cancel", self)
        for receipt in self:
            receipt._cancel_before_sending()
        return True

    def action_open_receipt(self):
        """Open the printable receipt (R5.2) in a new browser tab."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": "/vchasno/receipt/%s" % self.id,
            "target": "new",
        }

    def action_open_public_url(self):
        self.ensure_one()
        if not self.public_url:
            raise UserError(_("This receipt has no Vchasno link yet."))
        return {"type": "ir.actions.act_url", "url": self.public_url, "target": "new"}

    # === Helpers === #

    def _is_reversal(self):
        """A receipt that undoes another receipt of the same payment."""
        self.ensure_one()
        return bool(
            self.original_receipt_id
            and self.original_receipt_id.payment_id == self.payment_id
        )

    def _is_reversed(self):
        self.ensure_one()
        return bool(
            self.return_receipt_ids.filtered(
                lambda r: r.payment_id == self.payment_id and r.state != "cancelled"
            )
        )

    def _returnable_amount(self):
        """What is left to return on a sale receipt."""
        self.ensure_one()
        returned = self.return_receipt_ids.filtered(lambda r: r.state != "cancelled")
        return self.currency_id.round(self.amount - sum(returned.mapped("amount")))

    def _issue_reversal(self):
        """A done receipt whose payment is cancelled: the opposite receipt."""
        self.ensure_one()
        # sudo: receipts are created by code only; callers checked
        # "issue_return" or cancel the payment (Odoo's right on payments).
        reversal = self.sudo().create(
            {
                "company_id": self.company_id.id,
                "register_id": self.register_id.id,
                "kind": "return" if self.kind == "sale" else "sale",
                "payment_id": self.payment_id.id,
                "move_id": self.move_id.id,
                "partner_id": self.partner_id.id,
                "original_receipt_id": self.id,
                "amount": self.amount,
                "cashier_id": self.env.user.id,
                "cashier_name": self.env.user.name,
            }
        )
        # sudo: a note of the code on a receipt that users only read.
        self.sudo().message_post(
            body=_(
                "The payment was cancelled: %(receipt)s queued to "
                "reverse this receipt.",
                receipt=reversal.display_name,
            )
        )
        self._trigger_sender()
        return reversal

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _vchasno_check_pending(self):
        for receipt in self:
            if receipt.state not in ("to_send", "error"):
                raise UserError(
                    _(
                        "%(receipt)s cannot be sent now: it is %(state)s.",
                        receipt=receipt.display_name,
                        state=receipt._state_label(),
                    )
                )

    def _cancel_before_sending(self):
        """Cancel a receipt that has not been sent; refuse one being sent."""
        self.ensure_one()
        if self.state in ("cancelled",):
            return
        if self.state in ("to_send", "error") and self._try_lock():
            # sudo: receipts are read-only for users; vchasno.access allowed
            # "cancel", or the payment itself is being cancelled (Odoo's right).
            self.sudo().write({"state": "cancelled"})
            self.sudo().message_post(body=_("Cancelled before it was sent to Vchasno."))
            return
        raise UserError(self._being_sent_message())

    def _being_sent_message(self):
        return _(
            "%(receipt)s is being sent to Vchasno or its outcome is not known "
            "yet: wait a minute and try again.",
            receipt=self.display_name,
        )

    def _try_lock(self):
        """Row lock NOWAIT: False if the sender holds the receipt right now."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM vchasno_receipt WHERE id IN %s "
                        "FOR UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except Exception:  # noqa: BLE001 - psycopg2 LockNotAvailable
            return False
        self.invalidate_recordset(["state"])
        return all(r.state in ("to_send", "error") for r in self)

    @api.model
    def _trigger_sender(self, at=None):
        # _xmlid_to_res_id is cached: no query to find the cron on each post.
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "l10n_ua_vchasno_kasa.ir_cron_vchasno_send"
        )
        self.env["ir.cron"].browse(cron_id)._trigger(at)

    def _open_or_notify(self):
        self.ensure_one()
        if self.state == "done":
            return self.action_open_receipt()
        message = {
            "error": self.error_message,
            "unknown": _(
                "Vchasno's answer was lost; the receipt will be checked and "
                "finished automatically."
            ),
        }.get(
            self.state,
            _("Fiscalization pending: the receipt will follow from the queue."),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.display_name,
                "message": message,
                "type": "danger" if self.state == "error" else "warning",
                "sticky": self.state == "error",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _post_outcome(self):
        """One chatter message per outcome, on the receipt and its payment."""
        for receipt in self:
            if receipt.state == "done":
                body = _(
                    "Fiscal receipt %(number)s issued by Vchasno.",
                    number=receipt.fiscal_number,
                )
            elif receipt.state == "error":
                body = _("Fiscalization failed: %(error)s", error=receipt.error_message)
            elif receipt.state == "unknown":
                body = _("Vchasno's answer was lost; the receipt is being checked.")
            else:
                continue
            # A log note (no followers to notify): cheap on the sender's path.
            receipt.sudo()._message_log(body=body)
            # sudo: the same note on the payment (the sender may be a cashier).
            if receipt.payment_id:
                receipt.payment_id.sudo()._message_log(body=body)
