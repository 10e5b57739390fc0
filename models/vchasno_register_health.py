"""Whether a register may be called now, and what its calls taught us.

A register without a token, archived, of a company whose integration is off,
whose token was refused, or whose circuit breaker is open (RELIABILITY.md
§6.8) is not called: its receipts wait and say why (``_unavailable_reason``),
and every other register and company goes on.
"""

import logging
from datetime import timedelta

from odoo import _, fields, models
from odoo.tools import format_datetime

_logger = logging.getLogger(__name__)

CIRCUIT_THRESHOLD = 5  # consecutive transport failures before the breaker opens
CIRCUIT_BASE = timedelta(minutes=5)
CIRCUIT_MAX = timedelta(hours=1)


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    def _record_transport_failure(self):
        """Count a transport failure; open the circuit after a few in a row."""
        # sudo: the sender's bookkeeping on the register (code only).
        for register in self.sudo():
            failures = register.consecutive_failures + 1
            vals = {"consecutive_failures": failures}
            if failures >= CIRCUIT_THRESHOLD:
                factor = 2 ** min(failures - CIRCUIT_THRESHOLD, 4)
                vals["circuit_open_until"] = fields.Datetime.now() + min(
                    CIRCUIT_BASE * factor, CIRCUIT_MAX
                )
            register.write(vals)

    def _has_failures(self):
        """Whether a success has something to reset (see _record_success)."""
        # sudo: the sender reads its own bookkeeping, whoever started it.
        registers = self.sudo()
        return any(
            r.consecutive_failures or r.circuit_open_until or r.auth_failed
            for r in registers
        )

    def _record_success(self):
        # sudo: the sender's bookkeeping on the register (code only).
        registers = self.sudo().filtered(lambda r: r._has_failures())
        if registers:
            registers.write(
                {
                    "consecutive_failures": 0,
                    "circuit_open_until": False,
                    "auth_failed": False,
                }
            )

    def _is_available(self):
        """Whether the sender may call Vchasno for this register now."""
        self.ensure_one()
        return not self._unavailable_reason()

    def _unavailable_reason(self):
        """Why Vchasno is not called for this register now, in words, or False."""
        self.ensure_one()
        register = self.sudo()  # the token is read to know it is there, only
        if not register.company_id.vchasno_enabled:
            return _(
                "The Vchasno.Kasa integration is off for %(company)s "
                "(Accounting settings).",
                company=register.company_id.name,
            )
        if not register.active:
            return _("The register %(name)s is archived.", name=register.name)
        if not register.api_token:
            return _("The register %(name)s has no API token.", name=register.name)
        if register.auth_failed:
            return self._token_refused_message()
        if register.circuit_open_until and (
            register.circuit_open_until > fields.Datetime.now()
        ):
            return _(
                "Vchasno could not be reached several times in a row: the "
                "register %(name)s tries again after %(time)s.",
                name=register.name,
                time=format_datetime(self.env, register.circuit_open_until),
            )
        return False

    def _before_send(self, receipt, client):
        """Hook run by the sender, under the receipt's lock, before its call.

        The shift logic (24-hour guard) extends it; it may send other fiscal
        requests (a Z report) with ``client`` first.
        """
        self.ensure_one()

    def _after_send(self, receipt):
        """Hook run after a receipt of this register is done, in its own
        transaction (a follow-up step): shift bookkeeping extends it. It reads
        what it needs from the stored receipt."""
        self.ensure_one()

    def _handle_auth_failure(self, error_message):
        """A refused token pauses the register's queue and tells the managers."""
        # sudo: the sender's bookkeeping on the register (code only).
        for register in self.sudo().filtered(lambda r: not r.auth_failed):
            register.auth_failed = True
            _logger.warning(
                "Vchasno register %s: token refused, queue paused", register.id
            )
            register.message_post(
                body=_(
                    "Vchasno refused the API token (%(error)s). Sending is paused "
                    "for this register until a manager enters a valid token.",
                    error=error_message,
                )
            )
            managers = self.env.ref("account.group_account_manager").users.filtered(
                lambda u, reg=register: reg.company_id in u.company_ids
            )
            for user in managers[:10]:
                register.activity_schedule(
                    "mail.mail_activity_data_warning",
                    user_id=user.id,
                    summary=_("Vchasno token refused"),
                    note=_(
                        "Enter a valid API token on the register %(name)s.",
                        name=register.name,
                    ),
                )
