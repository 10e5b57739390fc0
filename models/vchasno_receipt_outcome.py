"""What a call's answer makes of a receipt: the outcome of sending.

``_send_claimed`` (vchasno_receipt_sender) calls Vchasno; the methods here turn
its answer (a result or an error) into the receipt's next state and values
(RELIABILITY.md §6.5), and wake the cron that handles that state. They neither
call Vchasno nor commit.
"""

import logging
import random
from datetime import timedelta

from odoo import fields, models

from ..tools.redact import redact
from ..tools.vchasno_errors import (
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoNotSentError,
    VchasnoOutcomeUnknownError,
    VchasnoThrottledError,
    describe_error,
)
from .kyiv_time import kyiv_to_utc

_logger = logging.getLogger(__name__)

BACKOFF_BASE = 30  # seconds; full jitter: random(0, min(cap, base * 2 ** n))
BACKOFF_CAP = 3600


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    # === Outcomes === #

    def _outcome_of(self, err):
        """The transition an error of the call leads to (RELIABILITY.md §6.5).

        :return: ``(state, vals, follow-up steps)``
        """
        self.ensure_one()
        if isinstance(err, VchasnoAuthError):
            return "to_send", self._retry_vals(err, "auth"), ["_after_register_auth"]
        if isinstance(err, VchasnoThrottledError):
            vals = self._retry_vals(err, min_delay=err.retry_after or 0)
            return "to_send", vals, []
        if isinstance(err, VchasnoNotSentError):
            return "to_send", self._retry_vals(err), ["_after_register_failure"]
        if isinstance(err, VchasnoOutcomeUnknownError):
            vals = self._error_vals("unknown", err)
            return "unknown", vals, ["_after_register_failure"]
        if isinstance(err, VchasnoApiError):
            if err.retryable:
                vals = self._retry_vals(err, "refused")
                return "to_send", vals, ["_after_register_ok"]
            if err.collision:
                vals = self._error_vals("unknown", err)
                return "unknown", vals, ["_after_register_ok"]
            return "error", self._error_vals("refused", err), ["_after_register_ok"]
        return "error", self._error_vals("data", err), []

    def _error_vals(self, kind, err):
        return {
            "error_kind": kind,
            "error_code": str(getattr(err, "res", None) or err.code or ""),
            "error_text": getattr(err, "errortxt", False) or False,
            "error_message": describe_error(err, lang=self.env.lang),
        }

    def _retry_vals(self, err, kind="transport", min_delay=0):
        """Back to the queue after a full-jitter back-off (nothing was issued)."""
        cap = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(self.attempt_count - 1, 0))
        delay = max(random.uniform(0, cap), min_delay)
        vals = self._error_vals(kind, err)
        vals["next_attempt_at"] = fields.Datetime.now() + timedelta(seconds=delay)
        return vals

    def _done_vals(self, result):
        vals = {
            "fiscal_number": result.doccode,
            "register_fiscal_id": result.fisid,
            "local_number": result.docno and str(result.docno),
            "shift_number": result.shift_link and str(result.shift_link),
            "fiscal_date": kyiv_to_utc(result.dt) or fields.Datetime.now(),
            "qr": result.qr,
            "public_url": result.public_url if result.doccode else False,
            "is_test": result.is_test,
            "is_offline": result.is_offline,
            "response": redact(result.raw, []),
            "next_attempt_at": False,
            "error_kind": False,
            "error_code": False,
            "error_text": False,
            "error_message": False,
        }
        if self.kind in ("x_report", "z_report"):
            vals["report_totals"] = result.info
        return vals

    def _schedule_after(self, state, vals):
        """Wake the right cron for what the receipt became (and log it)."""
        self.ensure_one()
        if state == "done":
            _logger.info("Vchasno receipt %s done: %s", self.id, self.fiscal_number)
        elif state == "to_send" and vals.get("next_attempt_at"):
            _logger.info(
                "Vchasno receipt %s not sent, retry at %s: %s",
                self.id,
                vals["next_attempt_at"],
                vals.get("error_message"),
            )
            if self.error_kind != "auth":  # a paused register waits for a token
                self._trigger_sender(vals["next_attempt_at"])
        elif state == "unknown":
            _logger.warning(
                "Vchasno receipt %s: outcome unknown (%s)", self.id, self.error_message
            )
            self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_recover")._trigger(
                fields.Datetime.now() + timedelta(minutes=1)
            )
        elif state == "error":
            _logger.warning(
                "Vchasno receipt %s refused: %s", self.id, self.error_message
            )
