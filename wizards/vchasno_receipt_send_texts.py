"""The receipt dialog's words: its message, contact problems, the outcome."""

from odoo import _, models

from ..tools.contacts import phone_refusal
from .vchasno_receipt_send import clean_email


class VchasnoReceiptSend(models.TransientModel):
    _inherit = "vchasno.receipt.send"

    def _message(self):
        name = self.partner_id.display_name or _("The customer")
        if self.mode == "consent":
            channels = self._channel_names(
                email=self.ask_email and not self.partner_id.vchasno_consent_email,
                phone=self.ask_phone and not self.partner_id.vchasno_consent_sms,
            )
            return _(
                "%(customer)s has not agreed to receive fiscal receipts %(channels)s. "
                "If the customer agrees now, record the consent and send the "
                "receipt; otherwise just download or print it.",
                customer=name,
                channels=channels,
            )
        if self.mode == "contact":
            if self.ask_email and self.ask_phone:
                missing = _(
                    "%(customer)s has no valid email address or mobile phone number.",
                    customer=name,
                )
            elif self.ask_email:
                missing = _("%(customer)s has no valid email address.", customer=name)
            else:
                missing = _(
                    "%(customer)s has no valid mobile phone number.", customer=name
                )
            return _(
                "Receipts are sent to customers automatically, but %(missing)s "
                "Enter the contact to send the receipt, or just download or print it.",
                missing=missing,
            )
        if self.receipt_done:
            return _(
                "Vchasno.Kasa sends the issued receipt again: by email, or to the "
                "mobile phone by Viber (by SMS if the number has no Viber; SMS is "
                "billed by Vchasno.Kasa)."
            )
        return _(
            "The receipt is not issued yet: Vchasno.Kasa sends it to these "
            "contacts together with the fiscal receipt."
        )

    def _channel_names(self, email, phone):
        if email and phone:
            return _("by email and by Viber/SMS")
        if email:
            return _("by email")
        return _("by Viber/SMS")

    def _email_problem(self, email):
        if clean_email(email):
            return False
        return _("%(value)s is not a valid email address.", value=email)

    def _phone_problem(self, phone):
        # One sentence saying why (landline, foreign, length...): issue 11.
        return phone_refusal(phone, lang=self.env.lang)

    def _vchasno_title(self, mode):
        return {
            "consent": _("Customer's consent"),
            "contact": _("Customer's contacts"),
            "send": _("Send receipt"),
        }[mode]

    def _vchasno_notify(self, deliveries):
        failed = deliveries.filtered(lambda d: d.state == "error")
        if failed:
            kind, sticky = "danger", True
            message = "\n".join(
                _(
                    "Sending to %(address)s failed: %(error)s",
                    address=d.address_masked,
                    error=d.answer,
                )
                for d in failed
            )
        elif deliveries.filtered(lambda d: d.state == "pending"):
            kind, sticky = "info", False
            message = _(
                "The receipt will be sent as soon as Vchasno.Kasa has issued it."
            )
        elif deliveries:
            kind, sticky = "success", False
            message = _(
                "Vchasno.Kasa is sending the receipt to %(addresses)s.",
                addresses=", ".join(deliveries.mapped("address_masked")),
            )
        else:
            kind, sticky = "info", False
            message = _(
                "The receipt will be sent to the customer together with the "
                "fiscal request."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Send receipt"),
                "message": message,
                "type": kind,
                "sticky": sticky,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
