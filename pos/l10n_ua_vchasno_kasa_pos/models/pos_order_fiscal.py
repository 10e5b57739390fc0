"""What the Point of Sale and the back office do with an order's receipt.

* ``vchasno_pos_fiscal_data``: the Point of Sale's follow-up call after a
  sync. It never delays the sale: the ticket is already shown (it says the
  fiscal receipt follows) and this call runs in the background. With
  ``send`` it first sends the order's waiting receipt through the sender
  (``_send_now``: the sender's own cursor, a short timeout, the same code as
  the cron; whoever claims the receipt first sends it, the other skips it).
* ``vchasno_pos_deliver``: the customer's email / phone and consent taken at
  the counter, with the back office's rules (``tools/contacts.py`` checks,
  consent flags and their chatter trail, ``_vchasno_deliver``).
* The order form: the fiscal state, *Print fiscal receipt*, the receipts.

Every public method checks ``vchasno.access`` first: a Point of Sale user
acts only on orders of a Point of Sale they work in (``vchasno_access``).
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from odoo.addons.l10n_ua_vchasno_kasa.models.kyiv_time import utc_to_kyiv
from odoo.addons.l10n_ua_vchasno_kasa.models.vchasno_receipt_delivery import (
    mask_address,
)
from odoo.addons.l10n_ua_vchasno_kasa.tools.contacts import (
    normalize_phone,
    validate_email,
)
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import (
    VchasnoPayloadError,
    describe_error,
)

POS_READ_TIMEOUT = 5  # seconds the follow-up call waits for Vchasno
FISCAL_STATES = [
    ("none", "Not fiscalized"),
    ("pending", "Pending"),
    ("done", "Fiscalized"),
    ("error", "Error"),
]


class PosOrder(models.Model):
    _inherit = "pos.order"

    vchasno_receipt_id = fields.Many2one(
        "vchasno.receipt",
        string="Fiscal receipt",
        compute="_compute_vchasno_receipt",
    )
    vchasno_state = fields.Selection(
        FISCAL_STATES, string="Fiscal status", compute="_compute_vchasno_receipt"
    )
    vchasno_receipt_count = fields.Integer(compute="_compute_vchasno_receipt")
    vchasno_fiscal_number = fields.Char(
        string="Fiscal number", compute="_compute_vchasno_receipt"
    )
    vchasno_fiscal_date = fields.Datetime(
        string="Fiscalized at", compute="_compute_vchasno_receipt"
    )
    vchasno_error_message = fields.Text(compute="_compute_vchasno_receipt")
    vchasno_lag_warning = fields.Char(compute="_compute_vchasno_receipt")

    @api.depends(
        "vchasno_receipt_ids.state",
        "vchasno_receipt_ids.fiscal_number",
        "vchasno_receipt_ids.error_message",
    )
    def _compute_vchasno_receipt(self):
        for order in self:
            receipt = order._vchasno_active_receipts().sorted("id")[-1:]
            order.vchasno_receipt_id = receipt
            order.vchasno_receipt_count = len(order.vchasno_receipt_ids)
            order.vchasno_fiscal_number = receipt.fiscal_number
            order.vchasno_fiscal_date = receipt.fiscal_date
            order.vchasno_error_message = receipt.error_message
            order.vchasno_lag_warning = receipt.fiscal_lag_warning
            if not receipt:
                order.vchasno_state = "none"
            elif receipt.state in ("done", "error"):
                order.vchasno_state = receipt.state
            else:
                order.vchasno_state = "pending"

    # === Point of Sale calls (RPC) === #

    def vchasno_pos_fiscal_data(self, send=False):
        """Fiscal data of these orders for their tickets, ``{id: data}``.

        :param send: send a receipt still waiting first (the sale's
            follow-up call); later polls only read
        """
        self.env["vchasno.access"]._check("pos_fiscal", self)
        # sudo: the caller may act on these orders (checked above); the
        # receipts and the sender are the code's own.
        orders = self.sudo()
        if send:
            waiting = orders.vchasno_receipt_id.filtered(lambda r: r.state == "to_send")
            if waiting:
                waiting._send_now(read_timeout=POS_READ_TIMEOUT)
        return {order.id: order._vchasno_ticket_data() for order in orders}

    def vchasno_pos_deliver(self, email=None, phone=None, consent=False):
        """Send this order's fiscal receipt to the customer (at the counter).

        Contacts are checked as in the back office; without the customer's
        consent to a channel nothing is sent by it, unless the cashier says
        the customer agrees now (``consent``): recorded on the customer with
        a chatter note, or on the order for a customer without a record.

        :return: ``{"message": text}`` for the cashier
        :raise UserError: invalid contact, no consent, no receipt
        """
        self.env["vchasno.access"]._check("pos_deliver", self)
        self.ensure_one()
        email, phone = self._vchasno_checked_contacts(email, phone)
        # sudo: checked above; receipts are written by code only.
        receipt = self.sudo().vchasno_receipt_id
        if not receipt:
            raise UserError(_("This order has no fiscal receipt to send."))
        self._vchasno_take_consent(email, phone, consent)
        receipt._vchasno_deliver(email=email, phone=phone)
        targets = ", ".join(mask_address(a) for a in (email, phone) if a)
        if receipt.state == "done":
            message = _("The fiscal receipt is sent to %(to)s.", to=targets)
        else:
            message = _(
                "The fiscal receipt will be sent to %(to)s as soon as Vchasno "
                "issues it.",
                to=targets,
            )
        return {"message": message}

    # === Back office === #

    def action_vchasno_print(self):
        """Open the printable fiscal receipt (sent first if still waiting)."""
        self.env["vchasno.access"]._check("pos_print", self)
        self.ensure_one()
        # sudo: checked above; sending is the code's own (same as the POS).
        receipt = self.sudo().vchasno_receipt_id
        if not receipt:
            raise UserError(_("This order has no fiscal receipt."))
        if receipt.state == "to_send":
            receipt._send_now()  # its own transaction, never this request's
        return receipt.with_env(self.env)._open_or_notify()

    def action_vchasno_view_receipts(self):
        self.ensure_one()
        return self.env["vchasno.receipt"]._vchasno_list_action(
            [("pos_order_id", "in", self.ids)], self.vchasno_receipt_ids
        )

    # === Helpers === #

    def _vchasno_ticket_data(self):
        """What the ticket shows of the order's receipt (never the token)."""
        self.ensure_one()
        receipt = self.vchasno_receipt_id
        if not receipt:
            return {"state": "none"}
        kyiv = receipt.fiscal_date and utc_to_kyiv(receipt.fiscal_date)
        data = {
            "state": receipt.state,
            "kind": receipt.kind,
            "fiscal_number": receipt.fiscal_number or False,
            "register_fiscal_id": receipt.register_fiscal_id or False,
            "fiscal_date": kyiv.strftime("%d.%m.%Y %H:%M:%S") if kyiv else False,
            "qr": receipt.qr or receipt.public_url or False,
            "public_url": receipt.public_url or False,
            "is_test": receipt.is_test,
            "is_offline": receipt.is_offline,
            "amount": format_amount(self.env, receipt.amount, receipt.currency_id),
        }
        if receipt.state == "error":
            data["error"] = receipt.error_message or ""
        return data

    def _vchasno_checked_contacts(self, email, phone):
        email, phone = (email or "").strip(), (phone or "").strip()
        if not (email or phone):
            raise UserError(
                _("Enter the customer's email or mobile phone number to send to.")
            )
        try:
            email = validate_email(email) if email else False
            phone = normalize_phone(phone) if phone else False
        except VchasnoPayloadError as err:
            raise UserError(describe_error(err, lang=self.env.lang)) from err
        return email, phone

    def _vchasno_take_consent(self, email, phone, consent):
        """Consent to each channel used: on record, or given now (recorded)."""
        partner = self.partner_id
        missing_email = email and not partner.vchasno_consent_email
        missing_sms = phone and not partner.vchasno_consent_sms
        if not (missing_email or missing_sms):
            return
        if not consent:
            raise UserError(
                _(
                    "The customer has not agreed to receive fiscal receipts this "
                    "way. Ask, and tick “Customer agrees” if they do."
                )
            )
        if partner:
            partner._vchasno_record_consent(email=missing_email, sms=missing_sms)
            return
        # No customer record: the trail stays on the order.
        # sudo: the code's note on the order the caller may act on.
        self.sudo().message_post(
            body=_(
                "The customer agreed at the counter to receive the fiscal receipt "
                "at %(to)s (recorded by %(user)s).",
                to=", ".join(mask_address(a) for a in (email, phone) if a),
                user=self.env.user.name,
            ),
            author_id=self.env.user.partner_id.id,
        )
