from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    vchasno_receipt_ids = fields.One2many(
        "vchasno.receipt", "payment_id", string="Fiscal receipts"
    )
    vchasno_receipt_count = fields.Integer(compute="_compute_vchasno_receipt_count")
    vchasno_state = fields.Selection(
        [
            ("none", "Not fiscalized"),
            ("pending", "Pending"),
            ("done", "Fiscalized"),
            ("error", "Error"),
            ("returned", "Returned"),
        ],
        string="Fiscal status",
        compute="_compute_vchasno_state",
    )
    vchasno_fiscal_number = fields.Char(
        string="Fiscal number", compute="_compute_vchasno_state"
    )
    vchasno_status_message = fields.Char(
        string="Fiscal receipt status",
        compute="_compute_vchasno_state",
        help="Why the fiscal receipt is not issued yet: Vchasno's refusal, "
        "the cause of the last failed attempt, what it waits for.",
    )
    # No default: a stored default would write every historical payment when
    # the addon is installed. Empty means the user who posts the payment
    # (resolved when the receipt is queued, _vchasno_receipt_vals).
    vchasno_cashier_id = fields.Many2one(
        "res.users",
        string="Cashier",
        copy=False,
        help="The cashier named on the fiscal receipt; empty: the user who "
        "posts the payment.",
    )
    vchasno_fiscalize = fields.Boolean(
        string="Fiscal receipt",
        copy=False,
        help="For journals set to 'Ask each time': make a fiscal receipt for "
        "this payment.",
    )

    @api.depends("vchasno_receipt_ids")
    def _compute_vchasno_receipt_count(self):
        for payment in self:
            payment.vchasno_receipt_count = len(payment.vchasno_receipt_ids)

    @api.depends(
        "vchasno_receipt_ids.state",
        "vchasno_receipt_ids.fiscal_number",
        "vchasno_receipt_ids.error_message",
        "vchasno_receipt_ids.next_attempt_at",
    )
    def _compute_vchasno_state(self):
        for payment in self:
            own = (
                payment._vchasno_active_receipts()
                .filtered(lambda r: not r._is_reversal())
                .sorted("id")
            )
            main = own[-1:]
            if not main:
                payment.vchasno_state = "none"
            elif main.state == "done":
                returned = main._is_reversed() or main._is_fully_returned()
                payment.vchasno_state = "returned" if returned else "done"
            elif main.state == "error":
                payment.vchasno_state = "error"
            else:
                payment.vchasno_state = "pending"
            payment.vchasno_fiscal_number = main.fiscal_number
            payment.vchasno_status_message = main._status_message() if main else False

    # === CRUD / workflow overrides === #

    def action_post(self):
        # EXTENDS account: a posted customer payment into a journal with a
        # register gets its receipt queued in the same transaction; the call to
        # Vchasno happens later, after commit (RELIABILITY.md §0).
        res = super().action_post()
        self.filtered(lambda p: p._vchasno_should_fiscalize())._vchasno_enqueue()
        return res

    def action_draft(self):
        # EXTENDS account: a receipt not sent yet is cancelled; a receipt that
        # Vchasno issued is corrected by a return receipt, never deleted.
        self._vchasno_reverse_receipts()
        return super().action_draft()

    def action_cancel(self):
        # EXTENDS account: same rule as reset to draft.
        self._vchasno_reverse_receipts()
        return super().action_cancel()

    # === Actions (buttons and server actions) === #

    def action_vchasno_fiscalize(self):
        """Queue receipts for payments that have none (server action).

        Only queues and wakes the sender: one request never makes N calls
        to Vchasno, and never commits midway.
        """
        self.env["vchasno.access"]._check("fiscalize", self)
        for payment in self:
            payment._vchasno_check_eligible()
        receipts = self._vchasno_enqueue(force=True)
        return receipts._vchasno_queued_notification()

    def action_vchasno_retry(self):
        self.env["vchasno.access"]._check("retry", self)
        receipts = self.vchasno_receipt_ids.filtered(lambda r: r.state == "error")
        if not receipts:
            raise UserError(_("None of the selected payments has a receipt in error."))
        return receipts.action_retry()

    def action_vchasno_issue_return(self):
        """Return what is left of the payments' fiscal receipts (server action)."""
        self.env["vchasno.access"]._check("issue_return", self)
        reversals = self.env["vchasno.receipt"]
        for payment in self:
            receipt = payment._vchasno_main_receipt()
            if not receipt or receipt.state != "done":
                raise UserError(
                    _(
                        "%(payment)s has no issued fiscal receipt to return.",
                        payment=payment.display_name,
                    )
                )
            reversal = receipt._issue_reversal()
            if not reversal:
                raise UserError(
                    _(
                        "Everything the fiscal receipt of %(payment)s sold was "
                        "already returned.",
                        payment=payment.display_name,
                    )
                )
            reversals |= reversal
        return reversals._vchasno_queued_notification()

    def action_vchasno_view_receipts(self):
        self.ensure_one()
        return self.env["vchasno.receipt"]._vchasno_list_action(
            [("payment_id", "in", self.ids)], self.vchasno_receipt_ids
        )

    def action_vchasno_print(self):
        self.env["vchasno.access"]._check("print", self)
        self.ensure_one()
        receipt = self._vchasno_main_receipt()
        if not receipt:
            raise UserError(_("This payment has no fiscal receipt."))
        if receipt.state == "to_send":
            receipt._send_now()  # its own transaction, never this request's
        return receipt._open_or_notify()

    # === Helpers === #

    def _vchasno_register(self):
        self.ensure_one()
        return self.journal_id.vchasno_register_id

    def _vchasno_is_pos_closing(self):
        """Payments that POS session closing creates and posts (POS issue)."""
        return bool(
            ("pos_session_id" in self._fields and self.pos_session_id)
            or ("pos_payment_method_id" in self._fields and self.pos_payment_method_id)
        )

    def _vchasno_should_fiscalize(self):
        self.ensure_one()
        journal = self.journal_id
        if not (self.company_id.vchasno_enabled and journal.vchasno_register_id):
            return False
        if self.partner_type != "customer" or self._vchasno_is_pos_closing():
            return False
        if self.env.context.get("vchasno_fiscalize") is False:
            return False
        if journal.vchasno_policy == "never":
            return False
        if journal.vchasno_policy == "ask" and not (
            self.vchasno_fiscalize or self.env.context.get("vchasno_fiscalize")
        ):
            return False
        return True

    def _vchasno_can_fiscalize(self):
        """Whether "Fiscalize" accepts this payment (see _vchasno_check_eligible)."""
        self.ensure_one()
        try:
            self._vchasno_check_eligible()
        except UserError:
            return False
        return True

    def _vchasno_check_eligible(self):
        self.ensure_one()
        if self.partner_type != "customer":
            raise UserError(
                _(
                    "%(payment)s is not a customer payment: only customer "
                    "payments get fiscal receipts.",
                    payment=self.display_name,
                )
            )
        if self.state not in ("in_process", "paid"):
            raise UserError(_("%(payment)s is not posted.", payment=self.display_name))
        if not self._vchasno_register():
            raise UserError(
                _(
                    "The journal %(journal)s of %(payment)s has no Vchasno register.",
                    journal=self.journal_id.display_name,
                    payment=self.display_name,
                )
            )
        if not self.company_id.vchasno_enabled:
            raise UserError(
                _(
                    "The Vchasno.Kasa integration is disabled for "
                    "%(company)s (Accounting settings).",
                    company=self.company_id.name,
                )
            )
        if self.journal_id.vchasno_policy == "never":
            raise UserError(
                _(
                    "The journal %(journal)s of %(payment)s is set to make fiscal "
                    "receipts Never.",
                    journal=self.journal_id.display_name,
                    payment=self.display_name,
                )
            )
        if self._vchasno_is_pos_closing():
            raise UserError(
                _(
                    "%(payment)s was made by the closing of a Point of Sale "
                    "session: its orders get their own fiscal receipts.",
                    payment=self.display_name,
                )
            )
        if self._vchasno_main_receipt():
            raise UserError(
                _(
                    "%(payment)s already has a fiscal receipt.",
                    payment=self.display_name,
                )
            )

    def _vchasno_main_receipt(self):
        """The payment's own receipt, unless it was reversed."""
        self.ensure_one()
        return self._vchasno_active_receipts().filtered(
            lambda r: not r._is_reversal() and not r._is_reversed()
        )[:1]

    def _vchasno_enqueue(self, force=False):
        """Create the receipts (state "to_send") and wake the sender. No HTTP."""
        # No creation message, follower or tracking: the receipt's chatter
        # starts with its first outcome, and posting stays a few queries.
        Receipt = (
            # sudo: receipts are written by code only; posting the payment
            # (Odoo's right on payments) queues its receipt.
            self.env["vchasno.receipt"]
            .sudo()
            .with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
            )
        )
        receipts = Receipt
        for payment in self:
            main = payment._vchasno_main_receipt()
            if main and not main._is_fully_returned():
                continue
            # A payment fiscalized, reversed and posted again: the old pair
            # stays as history and no longer blocks the new sale receipt.
            old = payment._vchasno_active_receipts().filtered(
                lambda r: r.state == "done"
            )
            # sudo: same reason as Receipt above.
            old.sudo().superseded = True
            Receipt.flush_model(["superseded"])  # before the unique index sees it
            vals = payment._vchasno_receipt_vals()
            receipts |= Receipt.create(vals)
        if receipts:
            receipts._trigger_sender()
        return receipts

    def _vchasno_receipt_vals(self):
        self.ensure_one()
        register = self._vchasno_register()
        kind = "sale" if self.payment_type == "inbound" else "return"
        cashier = self.vchasno_cashier_id or self.env.user
        vals = {
            "company_id": self.company_id.id,
            "register_id": register.id,
            "kind": kind,
            "payment_id": self.id,
            "partner_id": self.partner_id.id,
            "amount": self.amount,
            "cashier_id": cashier.id,
            "cashier_name": cashier.name,
        }
        vals.update(self._vchasno_contact_vals())
        # The invoices and, for a refund, the original sale receipt are bound
        # when the receipt is first sent (_bind_sources): the Register Payment
        # dialog reconciles the payment only after posting it.
        return vals

    def _vchasno_contact_vals(self):
        """Where Vchasno sends the receipt: settings plus the customer's consent."""
        return self.partner_id._vchasno_contact_vals(self.company_id)

    def _vchasno_documents(self):
        """Invoices (or credit notes) this payment pays, posted ones only."""
        self.ensure_one()
        moves = self.invoice_ids | self.reconciled_invoice_ids
        return moves.filtered(
            lambda m: m.state == "posted" and m.is_sale_document(True)
        )

    def _vchasno_find_original(self):
        """The sale receipt a refund returns against, and a problem if any."""
        credit_notes = self._vchasno_documents().filtered(
            lambda m: m.move_type == "out_refund"
        )
        invoices = credit_notes.reversed_entry_id
        sales = invoices.matched_payment_ids.vchasno_receipt_ids.filtered(
            lambda r: r.kind == "sale" and r.state != "cancelled" and not r.superseded
        ).sorted("id", reverse=True)
        if not sales:
            return sales, _(
                "No fiscal sale receipt was found for the refunded invoice: link the "
                "refund to a credit note of an invoice whose payment was fiscalized."
            )
        for sale in sales:
            if sale._returnable_amount() >= self.amount:
                return sale, False
        return sales[:1], _(
            "The refund of %(amount)s is more than what is left to return on the "
            "sale receipt (%(left)s).",
            amount=self.amount,
            left=sales[:1]._returnable_amount(),
        )

    def _vchasno_reverse_receipts(self):
        """Undo the receipts of cancelled payments: a return of what is left of
        an issued receipt (the ledger), a cancellation of one never issued."""
        for payment in self:
            for receipt in payment._vchasno_active_receipts():
                if receipt._is_reversal() or receipt._is_reversed():
                    continue
                if receipt.state == "done":
                    receipt._issue_reversal()
                else:
                    receipt._cancel_before_sending()

    def _vchasno_active_receipts(self):
        self.ensure_one()
        return self.vchasno_receipt_ids.filtered(
            lambda r: (
                r.kind in ("sale", "return")
                and r.state != "cancelled"
                and not r.superseded
            )
        )
