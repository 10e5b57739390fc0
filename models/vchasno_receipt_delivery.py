"""Delivery of fiscal receipts to customers (R4): the log and the re-send.

Vchasno delivers, never Odoo's SMS gateway: either with the fiscal request
(``userinfo``, set on the receipt before it is sent) or, for a receipt already
issued, by the re-send request (spec §7.2). Every delivery is one log row.
"""

import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.vchasno_errors import VchasnoError, describe_error
from .vchasno_receipt_sender import FAST_READ_TIMEOUT

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("email", "Email"),
    ("cascade", "Viber, then SMS"),
    ("viber", "Viber"),
    ("sms", "SMS"),
]
PHONE_CHANNELS = ("cascade", "viber", "sms")


def mask_address(address):
    """``olena@example.com`` -> ``o***a@example.com``; phones keep 5+4 digits."""
    address = address or ""
    if "@" in address:
        local, _at, domain = address.partition("@")
        head = local[:1]
        tail = local[-1:] if len(local) > 2 else ""
        return f"{head}***{tail}@{domain}"
    if len(address) > 9:
        return address[:6] + "***" + address[-4:]
    return "***"


class VchasnoReceiptDelivery(models.Model):
    _name = "vchasno.receipt.delivery"
    _description = "Vchasno.Kasa receipt delivery"
    _order = "id desc"
    _check_company_auto = True

    receipt_id = fields.Many2one(
        "vchasno.receipt",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="receipt_id.company_id", store=True, index=True, readonly=True
    )
    partner_id = fields.Many2one(related="receipt_id.partner_id", readonly=True)
    method = fields.Selection(
        [
            ("fiscal", "With the fiscal request"),
            ("resend", "Re-send request"),
        ],
        required=True,
        readonly=True,
        default="resend",
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    address = fields.Char(required=True, readonly=True)
    address_masked = fields.Char(string="To", compute="_compute_address_masked")
    state = fields.Selection(
        [
            ("pending", "Waiting for the receipt"),
            ("sent", "Sent"),
            ("error", "Failed"),
        ],
        required=True,
        readonly=True,
        default="pending",
    )
    date = fields.Datetime(
        string="Time", required=True, readonly=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
    answer = fields.Text(string="Vchasno's answer", readonly=True)

    @api.depends("address")
    def _compute_address_masked(self):
        for delivery in self:
            delivery.address_masked = mask_address(delivery.address)

    def _send(self):
        """Ask Vchasno to send the (issued) receipt; store its answer. No raise."""
        for delivery in self:
            receipt = delivery.receipt_id
            try:
                with receipt.register_id._get_client(
                    read_timeout=FAST_READ_TIMEOUT
                ) as client:
                    answer = client.send_receipt(
                        receipt.fiscal_number, delivery.address, delivery.channel
                    )
            except (VchasnoError, UserError) as err:
                text = (
                    describe_error(err, lang=self.env.lang)
                    if isinstance(err, VchasnoError)
                    else str(err)
                )
                _logger.info(
                    "Vchasno receipt %s: delivery %s failed", receipt.id, delivery.id
                )
                # sudo: the log is written by code only (read-only for users);
                # the caller passed vchasno.access ("resend") or is the sender.
                delivery.sudo().write(
                    {"state": "error", "answer": text, "date": fields.Datetime.now()}
                )
            else:
                # sudo: same log, same reason as above.
                delivery.sudo().write(
                    {
                        "state": "sent",
                        "answer": json.dumps(answer, ensure_ascii=False),
                        "date": fields.Datetime.now(),
                    }
                )
        return self


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    delivery_ids = fields.One2many(
        "vchasno.receipt.delivery", "receipt_id", string="Deliveries"
    )

    # === Actions === #

    def action_resend(self):
        """The "Send receipt" button: a dialog to choose the channel and address."""
        self.env["vchasno.access"]._check("resend", self)
        self.ensure_one()
        self._vchasno_check_deliverable()
        if self.state != "done":
            # Only an issued receipt can be sent (its contacts for the fiscal
            # request are asked when the payment is posted).
            raise UserError(
                _(
                    "%(receipt)s is not issued yet: it can be sent to the "
                    "customer once Vchasno has issued it.",
                    receipt=self.display_name,
                )
            )
        return self.env["vchasno.receipt.send"]._vchasno_open(self, origin="receipt")

    # === Delivery === #

    def _vchasno_check_deliverable(self):
        for receipt in self:
            if receipt.kind not in ("sale", "return") or receipt.state == "cancelled":
                raise UserError(
                    _(
                        "%(receipt)s cannot be sent to a customer.",
                        receipt=receipt.display_name,
                    )
                )

    def _vchasno_can_add_userinfo(self):
        """True while the contacts can still go with the fiscal request."""
        self.ensure_one()
        return (
            self.state in ("to_send", "error")
            and not self.attempt_count
            and not self.payload
            and self._try_lock()
        )

    def _vchasno_deliver(self, email=None, phone=None, phone_channel="cascade"):
        """Deliver to these (validated) contacts; fiscalization first.

        * not sent yet: the contacts go with the fiscal request (``userinfo``);
        * issued: the re-send request, now, one log row per channel;
        * being sent (or its request frozen): log rows wait for the receipt
          and are sent as soon as Vchasno issues it.

        :return: the delivery log rows created (re-sent or waiting)
        """
        self._vchasno_check_deliverable()
        # sudo: log rows and the receipt's contacts are written by code only;
        # callers checked vchasno.access ("resend"/"consent") on these receipts.
        Delivery = self.env["vchasno.receipt.delivery"].sudo()
        deliveries = Delivery
        targets = [("email", email)] if email else []
        if phone:
            targets.append((phone_channel or "cascade", phone))
        for receipt in self:
            if receipt.state != "done" and receipt._vchasno_can_add_userinfo():
                vals = {}
                if email:
                    vals["send_email"] = email
                if phone:
                    vals["send_phone"] = phone
                # sudo: receipts are read-only for users (see Delivery above).
                receipt.sudo().write(vals)
                continue
            rows = Delivery.create(
                [
                    {"receipt_id": receipt.id, "channel": channel, "address": address}
                    for channel, address in targets
                ]
            )
            if receipt.state == "done":
                rows._send()
            deliveries |= rows
        return deliveries

    def _after_transition_steps(self, old_state, new_state):
        # EXTENDS l10n_ua_vchasno_kasa: once issued, log what went with the
        # fiscal request and send what waited for the receipt, after the
        # outcome is committed (delivery is HTTP and may fail on its own).
        steps = super()._after_transition_steps(old_state, new_state)
        if (
            new_state == "done"
            and self.kind in ("sale", "return")
            and (
                (self.payload or {}).get("userinfo")
                or self.delivery_ids.filtered(lambda d: d.state == "pending")
            )
        ):
            steps.append("_after_deliver")
        return steps

    def _after_deliver(self):
        """Follow-up step: the delivery log, then the waiting deliveries."""
        self._vchasno_log_userinfo()
        self.delivery_ids.filtered(lambda d: d.state == "pending")._send()

    def _vchasno_log_userinfo(self):
        self.ensure_one()
        userinfo = (self.payload or {}).get("userinfo") or {}
        answer = _("Requested with the fiscal receipt.")
        rows = []
        if userinfo.get("email"):
            rows.append(("email", userinfo["email"]))
        if userinfo.get("phone"):
            rows.append(("cascade", userinfo["phone"]))
        # sudo: the sender logs what went with the fiscal request (code only).
        self.env["vchasno.receipt.delivery"].sudo().create(
            [
                {
                    "receipt_id": self.id,
                    "method": "fiscal",
                    "channel": channel,
                    "address": address,
                    "state": "sent",
                    "answer": answer,
                    "user_id": self.cashier_id.id or self.env.user.id,
                }
                for channel, address in rows
            ]
        )
