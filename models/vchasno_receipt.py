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
#     |  |                                  |    res_action 2), or the sender
#     |  |                                  |    died. Never resent blindly:
#     |  |                                  |    the recovery cron asks Vchasno
#     |  '--(Vchasno proves: no such tag)-- unknown --(found by tag)--> done
#     |                                     '--(still unclear after N)--> error
#     '--(Retry)-------------------------- error <-- refused (res_action 3),
#                                                    bad data (nothing sent)
#   to_send / error --(Cancel, only if Vchasno provably issued nothing)--> cancelled
#   error --(a person finds it in the cabinet after a lost answer)--> done
#   sending --(Vchasno: a shift task had nothing to do)--> cancelled
#
# "Provably issued nothing": no answer of this receipt was ever lost, or
# Vchasno proved afterwards that it has no document with its tag
# (``maybe_issued`` is False). Retry of such a receipt rebuilds the request
# from today's data under a new tag; a receipt that Vchasno may have issued
# (an error after a lost answer) is retried as it was, same tag, and can
# never be cancelled. A "done" receipt is never deleted nor changed:
# corrections are return receipts (see vchasno_receipt_ledger).
STATES = [
    ("to_send", "To send"),
    ("sending", "Sending"),
    ("unknown", "Outcome unknown"),
    ("done", "Done"),
    ("error", "Error"),
    ("cancelled", "Cancelled"),
]
ACTIVE_STATES = ("to_send", "sending", "unknown", "done", "error")
# The allowed transitions, all of them: (from, to) -> the guard method that
# must return True for it (None: none). ``_transition`` applies them.
TRANSITIONS = {
    ("to_send", "sending"): None,  # claimed by a sender, committed before the call
    ("to_send", "error"): None,  # its request cannot be built: nothing sent
    ("to_send", "cancelled"): "_issued_nothing",
    ("sending", "done"): None,  # Vchasno issued it
    ("sending", "to_send"): None,  # nothing reached Vchasno, or retry allowed
    ("sending", "unknown"): None,  # the answer was lost, or the sender died
    ("sending", "error"): None,  # refused by Vchasno (res_action 3)
    ("sending", "cancelled"): None,  # a shift task that had nothing to do
    ("unknown", "done"): None,  # found by its tag (or by the register status)
    ("unknown", "to_send"): None,  # provably absent: again, same tag
    ("unknown", "error"): None,  # still unclear after the checks: a human
    ("error", "to_send"): None,  # Retry
    ("error", "cancelled"): "_issued_nothing",
    # A person found it in the Vchasno cabinet after a lost answer.
    ("error", "done"): "_may_be_issued",
}
# From which states a human may ask to try again.
_RETRY_FROM = ("error", "to_send")
TRANSITION_CONTEXT = "vchasno_transition"


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
    )  # not tracked: each transition logs its own message (_after_chatter)
    tag = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        help="The request tag sent to Vchasno: every resend of the request "
        "carries it, so that it is recognisable. A new tag only when Vchasno "
        "provably issued nothing for the old one (Retry after a refusal).",
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
    maybe_issued = fields.Boolean(
        string="Vchasno may have issued it",
        readonly=True,
        copy=False,
        help="Set when an answer of Vchasno was lost; cleared only when Vchasno "
        "proved that it has no document with this tag. Such a receipt is never "
        "cancelled, and a retry sends the very same request again.",
    )
    # Work that follows a transition, each step in its own transaction once
    # the outcome is committed (vchasno_receipt_followup): what is listed
    # here has not run yet.
    followups = fields.Char(string="Follow-ups pending", readonly=True, copy=False)
    followup_notes = fields.Json(string="Follow-up notes", readonly=True, copy=False)
    followup_failures = fields.Integer(
        string="Follow-up failures", readonly=True, copy=False
    )

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
        # Same for the follow-ups that have not run yet.
        self.env.cr.execute(
            SQL("""
            CREATE INDEX IF NOT EXISTS vchasno_receipt_followups_idx
                ON vchasno_receipt (id)
             WHERE followups IS NOT NULL
        """)
        )
        self.env.cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_tag_uniq
                ON vchasno_receipt (tag)
        """)
        )

    # === CRUD === #

    def write(self, vals):
        # EXTENDS models: the state moves only through _transition, which
        # applies the one table of allowed transitions.
        if "state" in vals and not self.env.context.get(TRANSITION_CONTEXT):
            raise UserError(
                _(
                    "The state of a fiscal receipt changes only through its "
                    "allowed transitions."
                )
            )
        return super().write(vals)

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

    # === State machine === #

    def _transition(self, target, vals=None, note=None, steps=()):
        """Move every receipt of ``self`` to ``target``: the only state change.

        Refuses what ``TRANSITIONS`` does not allow (or its guard refuses).
        Writes the state and ``vals`` in the current transaction, and queues
        the follow-up steps of the transition (``_after_transition_steps``,
        plus ``steps`` from the caller, plus a chatter step for ``note`` and
        the outcome message): they run once this transaction is committed,
        each in its own transaction (``_run_followups``), so that their
        failure never touches the state.

        :param target: the new state
        :param vals: other fields written with the state
        :param note: a chatter note about this transition (the receipt only)
        :param steps: follow-up method names decided by the caller
        :raise UserError: the transition is not allowed
        """
        for receipt in self:
            receipt._check_transition(target)
        for receipt in self:
            old = receipt.state
            new_vals = dict(vals or {}, state=target)
            if target == "unknown":
                new_vals["maybe_issued"] = True
            elif (
                old == "unknown"
                and target == "to_send"
                and "maybe_issued" not in new_vals
            ):
                new_vals["maybe_issued"] = False  # Vchasno proved it absent
            notes = list(receipt.followup_notes or [])
            # The system's note: in the company's language, whoever caused it.
            outcome = receipt._vchasno_in_company_lang()._outcome_note(target, new_vals)
            if outcome:
                notes.append([outcome, True])
            if note:
                notes.append([str(note), False])
            pending = (receipt.followups or "").split() + list(steps)
            pending += receipt._after_transition_steps(old, target)
            if notes:
                pending.append("_after_chatter")
            new_vals.update(
                followups=" ".join(dict.fromkeys(pending)) or False,
                followup_notes=notes or False,
            )
            # sudo: receipts are read-only to every group, their state is
            # written by code only, here; the public actions that lead here
            # check the caller's rights first.
            receipt.sudo().with_context(**{TRANSITION_CONTEXT: True}).write(new_vals)
            _logger.info("Vchasno receipt %s: %s -> %s", receipt.id, old, target)
        return True

    def _check_transition(self, target):
        self.ensure_one()
        key = (self.state, target)
        if key not in TRANSITIONS:
            raise UserError(
                _(
                    "%(receipt)s is %(state)s: it cannot become %(target)s.",
                    receipt=self.display_name,
                    state=self._state_label(),
                    target=self._state_label(target),
                )
            )
        guard = TRANSITIONS[key]
        if guard and not getattr(self, guard)():
            raise UserError(self._refusal_message(target))

    def _refusal_message(self, target):
        if target == "cancelled" and self.maybe_issued:
            return _(
                "%(receipt)s cannot be cancelled: Vchasno may have issued it "
                "(its answer was lost, tag %(tag)s). Look for it in the Vchasno "
                "cabinet; if it was issued, correct it with a return receipt.",
                receipt=self.display_name,
                tag=self.tag,
            )
        return _(
            "%(receipt)s cannot become %(target)s now.",
            receipt=self.display_name,
            target=self._state_label(target),
        )

    def _issued_nothing(self):
        """Vchasno provably issued nothing for this receipt (see the diagram)."""
        self.ensure_one()
        return self.state in ("to_send", "error") and not self.maybe_issued

    def _may_be_issued(self):
        """Vchasno may have issued it: an answer of this receipt was lost."""
        self.ensure_one()
        return bool(self.maybe_issued)

    def _after_transition_steps(self, old_state, new_state):
        """The follow-up steps of a transition: names of receipt methods.

        The after-hook registry: files that add behaviour to a transition
        extend this (``super()`` plus their steps); they never override
        another file's state setter. Each step runs after the transition is
        committed, in its own transaction, and reads what it needs from the
        stored receipt (it may run minutes later, after a crash).
        """
        return []

    def _outcome_note(self, target, vals):
        """The chatter message of an outcome, for the receipt and its source."""
        if target == "done":
            number = vals.get("fiscal_number") or self.fiscal_number
            if not number:
                return None  # settled by the register status: its own note
            return _("Fiscal receipt %(number)s issued by Vchasno.", number=number)
        if target == "error":
            return _(
                "Fiscalization failed: %(error)s",
                error=vals.get("error_message") or self.error_message or "",
            )
        if target == "unknown":
            return _("Vchasno's answer was lost; the receipt is being checked.")
        return None

    # === Helpers === #

    def _state_label(self, state=None):
        selection = dict(self._fields["state"]._description_selection(self.env))
        return selection[state or self.state]

    def _vchasno_source(self):
        """The business record the receipt fiscalizes (a payment today)."""
        self.ensure_one()
        return self.payment_id
