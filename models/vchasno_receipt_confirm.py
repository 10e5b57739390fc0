"""Lost answers settled by what the register proved, or by a person.

``vchasno.receipt._reconcile`` (vchasno_receipt_recovery) asks the register
for its recovery path (``vchasno.register._vchasno_recovery_path``); the tag
search stays there, the two other paths are here:

* ``repeat``: Vchasno was shown to answer a repeated tag with the first
  document, so the receipt goes back to the queue with the same tag and the
  same frozen payload (it stays "may have been issued");
* ``human``: nothing was proven, so nothing is resent: the receipt goes to
  "error" with the exact steps, and a manager either enters the fiscal number
  found in the cabinet ("Issued in cabinet", wizard ``vchasno.receipt.issued``)
  or sends it again ("Retry", same tag and payload).

Every change is a transition of the state machine (vchasno_receipt).
"""

import logging

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.vchasno_errors import VchasnoError
from ..tools.vchasno_result import DEFAULT_BASE_URL, PUBLIC_RECEIPT_PATH

_logger = logging.getLogger(__name__)

# A receipt may be confirmed by hand once it may exist at Vchasno.
CONFIRMABLE_STATES = ("unknown", "error")


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    # === Actions === #

    def action_mark_issued(self):
        """Open the "Issued in cabinet" dialog for this receipt."""
        self.ensure_one()
        self._vchasno_check_confirmable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Issued in the Vchasno cabinet"),
            "res_model": "vchasno.receipt.issued",
            "view_mode": "form",
            "target": "new",
            "context": {"default_receipt_id": self.id},
        }

    # === Recovery (called by _reconcile) === #

    def _vchasno_recover_by(self, path):
        """Settle an "unknown" receipt by the ``repeat`` or ``human`` path."""
        self.ensure_one()
        register = self.register_id
        if path == "repeat":
            source = register._behaviour_source()
            self._transition(
                "to_send",
                {
                    "next_attempt_at": False,
                    "recover_count": self.recover_count + 1,
                    # Not proven absent: a resend returns the first document.
                    "maybe_issued": True,
                },
                note=_(
                    "Vchasno answers a repeated tag with the first document "
                    "(proven on %(register)s on %(date)s): the receipt is sent "
                    "again with the same tag.",
                    register=source.name,
                    date=fields.Datetime.to_string(source.behaviour_checked_at),
                ),
            )
            self._trigger_sender()
            return
        self._transition(
            "error",
            {"error_kind": "unknown", "error_message": self._vchasno_human_steps()},
        )
        _logger.warning("Vchasno receipt %s: lost answer, a person decides", self.id)

    def _vchasno_human_steps(self):
        self.ensure_one()
        return _(
            "Vchasno's answer was lost and no safe way to check it has been proven "
            "for this register (run 'Check Vchasno behaviour' on a test register). "
            "Look up the request tag %(tag)s in the Vchasno cabinet: if the receipt "
            "is there, press 'Issued in cabinet' and enter its fiscal number; "
            "otherwise press 'Retry' to send it again.",
            tag=self.tag,
        )

    # === Confirmation by a person === #

    def _vchasno_check_confirmable(self):
        self.ensure_one()
        self.env["vchasno.access"]._check("mark_issued", self)
        if self.state not in CONFIRMABLE_STATES or not self.maybe_issued:
            raise UserError(
                _(
                    "%(receipt)s was never sent or is %(state)s: only a receipt "
                    "whose answer was lost can be confirmed from the cabinet.",
                    receipt=self.display_name,
                    state=self._state_label(),
                )
            )

    def _vchasno_mark_issued(self, fiscal_number, fiscal_date=None):
        """A person found the receipt in the cabinet: record it as done.

        When the register's receipt JSON look-up was proven to work, Vchasno
        is asked first whether that fiscal number carries this receipt's tag
        (a read, no fiscal document is made).

        :raise UserError: not confirmable, busy, or Vchasno says otherwise
        """
        self.ensure_one()
        self._vchasno_check_confirmable()
        number = (fiscal_number or "").strip()
        if not number or len(number) > 64 or any(c.isspace() for c in number):
            raise UserError(
                _("Enter the fiscal number exactly as the Vchasno cabinet shows it.")
            )
        self._vchasno_lock_for_confirmation()
        verified = self._vchasno_verify_number(number)
        base_url = self.register_id._api_url() or DEFAULT_BASE_URL
        self._transition(
            "done",
            {
                "fiscal_number": number,
                "fiscal_date": fiscal_date or fields.Datetime.now(),
                "public_url": base_url + PUBLIC_RECEIPT_PATH.format(doccode=number),
                "is_test": number.startswith("TEST_"),
                "next_attempt_at": False,
                "error_kind": False,
                "error_code": False,
                "error_text": False,
                "error_message": False,
            },
            note=_(
                "%(user)s confirmed from the Vchasno cabinet that this receipt was "
                "issued as %(number)s (%(how)s).",
                user=self.env.user.name,
                number=number,
                how=_("checked with Vchasno")
                if verified
                else _("not checked with Vchasno"),
            ),
        )
        # Chatter and register bookkeeping, each in a savepoint of this request.
        self._run_followups()
        return True

    def _vchasno_lock_for_confirmation(self):
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM vchasno_receipt WHERE id = %s "
                        "FOR UPDATE NOWAIT",
                        self.id,
                    )
                )
        except Exception as err:  # noqa: BLE001 - psycopg2 LockNotAvailable
            raise UserError(self._being_sent_message()) from err
        self.invalidate_recordset(["state"])
        if self.state not in CONFIRMABLE_STATES:
            raise UserError(self._being_sent_message())

    def _vchasno_verify_number(self, number):
        """True when Vchasno confirms ``number`` is this receipt's request.

        :raise UserError: Vchasno knows the number under another tag, or not
        """
        register = self.register_id
        if register._behaviour_source().receipt_json_behaviour != "works":
            return False
        try:
            with register._get_client() as client:
                stored = client.get_receipt_json(number)
        except VchasnoError as err:
            _logger.info("Vchasno receipt %s: look-up failed: %s", self.id, err)
            return False
        if stored is None:
            raise UserError(
                _(
                    "Vchasno has no receipt with the fiscal number %(number)s on "
                    "this register: check the number in the cabinet.",
                    number=number,
                )
            )
        tag = (stored.get("task") or {}).get("tag")
        if tag and tag != self.tag:
            raise UserError(
                _(
                    "Receipt %(number)s belongs to another request (tag %(other)s, "
                    "this receipt's tag is %(tag)s): it is not this receipt.",
                    number=number,
                    other=tag,
                    tag=self.tag,
                )
            )
        return True
