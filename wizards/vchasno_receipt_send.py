"""The receipt delivery dialog (R4.2, R4.3): one wizard, three modes.

* ``consent``: the customer has not agreed to a channel: grant and send, or
  just download the receipt;
* ``contact``: auto-send is on but the customer has no (valid) email/phone:
  enter it (optionally saved to the customer), or just download;
* ``send``: the "Send receipt" button of a receipt or payment: choose the
  channel and the address (re-send to another channel, corrected address).

From Register Payment (``origin == "payment"``) the receipt is not sent yet:
the contacts are set on it and the receipt page, which sends it, opens next.
Fiscalization is never blocked: an issued receipt gets the re-send request.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context

from ..models.res_partner import clean_phone
from ..models.vchasno_receipt_delivery import CHANNELS, PHONE_CHANNELS
from ..tools.contacts import validate_email
from ..tools.vchasno_errors import VchasnoPayloadError


def clean_email(text):
    """The normalized email address, or False when ``text`` is none."""
    try:
        return validate_email(text)
    except VchasnoPayloadError:
        return False


class VchasnoReceiptSend(models.TransientModel):
    _name = "vchasno.receipt.send"
    _description = "Send a fiscal receipt to the customer"

    receipt_ids = fields.Many2many("vchasno.receipt", string="Receipts", required=True)
    # Shown only: the customer is always the receipts' one, re-derived on the
    # server (_vchasno_customer), never a value the client sent.
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_partner_id"
    )
    partner_writable = fields.Boolean(compute="_compute_partner_id")
    origin = fields.Selection(
        [("payment", "Register payment"), ("receipt", "Receipt")],
        required=True,
        default="receipt",
    )
    mode = fields.Selection(
        [
            ("send", "Send receipt"),
            ("consent", "Consent missing"),
            ("contact", "Contact missing"),
        ],
        required=True,
        default="send",
    )
    ask_email = fields.Boolean(help="The dialog is about the email channel.")
    ask_phone = fields.Boolean(help="The dialog is about the Viber/SMS channel.")
    use_email = fields.Boolean(string="By email")
    use_phone = fields.Boolean(string="By Viber/SMS")
    email = fields.Char()
    phone = fields.Char(string="Mobile phone")
    phone_channel = fields.Selection(
        [(c, label) for c, label in CHANNELS if c in PHONE_CHANNELS],
        string="Phone channel",
        required=True,
        default="cascade",
    )
    save_to_partner = fields.Boolean(
        string="Save to the customer",
        compute="_compute_save_to_partner",
        store=True,
        readonly=False,
        help="Store the email / phone entered here on the customer's record "
        "(offered when you may edit the customer).",
    )
    receipt_done = fields.Boolean(compute="_compute_receipt_done")
    consent_email_missing = fields.Boolean(compute="_compute_consent_missing")
    consent_sms_missing = fields.Boolean(compute="_compute_consent_missing")
    email_error = fields.Char(compute="_compute_contact_errors")
    phone_error = fields.Char(compute="_compute_contact_errors")
    contact_changed = fields.Boolean(compute="_compute_contact_errors")
    message = fields.Text(compute="_compute_message")

    # === Computes === #

    @api.depends("receipt_ids")
    def _compute_partner_id(self):
        for wizard in self:
            partner = wizard.receipt_ids.partner_id
            wizard.partner_id = partner if len(partner) == 1 else False
            wizard.partner_writable = bool(
                wizard.partner_id
            ) and wizard.partner_id.has_access("write")

    @api.depends("partner_writable")
    def _compute_save_to_partner(self):
        for wizard in self:
            wizard.save_to_partner = wizard.partner_writable

    @api.depends("receipt_ids.state")
    def _compute_receipt_done(self):
        for wizard in self:
            wizard.receipt_done = bool(wizard.receipt_ids) and all(
                r.state == "done" for r in wizard.receipt_ids
            )

    @api.depends(
        "use_email",
        "use_phone",
        "receipt_ids.partner_id.vchasno_consent_email",
        "receipt_ids.partner_id.vchasno_consent_sms",
    )
    def _compute_consent_missing(self):
        for wizard in self:
            email, sms = wizard._vchasno_consent_missing(wizard.receipt_ids.partner_id)
            wizard.consent_email_missing = email
            wizard.consent_sms_missing = sms

    @api.depends("email", "phone", "use_email", "use_phone", "partner_id")
    def _compute_contact_errors(self):
        # Immediate validation: the form shows the problem while typing.
        for wizard in self:
            email = (wizard.email or "").strip()
            phone = (wizard.phone or "").strip()
            wizard.email_error = (
                wizard._email_problem(email) if wizard.use_email and email else False
            )
            wizard.phone_error = (
                wizard._phone_problem(phone) if wizard.use_phone and phone else False
            )
            partner = wizard.partner_id
            new_email = wizard.use_email and clean_email(email)
            new_phone = wizard.use_phone and clean_phone(phone)
            wizard.contact_changed = bool(
                (new_email and new_email != (partner.email or "").strip())
                or (
                    new_phone
                    and new_phone
                    not in (clean_phone(partner.mobile), clean_phone(partner.phone))
                )
            )

    @api.depends("mode", "partner_id", "use_email", "use_phone", "receipt_done")
    def _compute_message(self):
        for wizard in self:
            wizard.message = wizard._message()

    # === Opening === #

    @api.model
    def _vchasno_open(self, receipts, origin="receipt", mode="send", ask=None):
        """The dialog's window action for ``receipts`` (one customer)."""
        partner = receipts.partner_id
        if len(partner) > 1:
            raise UserError(_("Send the receipts of one customer at a time."))
        company = receipts.company_id[:1]
        phone = partner.mobile or partner.phone or ""
        if ask is None:
            # "Send receipt": the channels the customer agreed to, else the
            # company's auto-send settings.
            use_email = bool(partner.email) and (
                partner.vchasno_consent_email or company.vchasno_send_email
            )
            use_phone = bool(phone) and (
                partner.vchasno_consent_sms or company.vchasno_send_sms
            )
            if not (use_email or use_phone):
                use_email = True
            ask = {"email": use_email, "phone": use_phone}
        context = {
            "default_receipt_ids": [fields.Command.set(receipts.ids)],
            "default_origin": origin,
            "default_mode": mode,
            "default_ask_email": bool(ask.get("email")),
            "default_ask_phone": bool(ask.get("phone")),
            "default_use_email": bool(ask.get("email")),
            "default_use_phone": bool(ask.get("phone")),
            "default_email": (partner.email or "").strip(),
            "default_phone": clean_phone(phone) or phone,
        }
        return {
            "type": "ir.actions.act_window",
            "name": self._vchasno_title(mode),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    @api.model
    def _vchasno_dialog_for_print(self, receipts):
        """The dialog Register Payment shows before the receipt page, or False.

        Only for auto-send settings that this customer's receipt cannot follow
        yet: consent missing, or no valid email / mobile phone.
        """
        partner = receipts.partner_id
        if len(partner) != 1 or not receipts:
            return False
        company = receipts.company_id[:1]
        ask = {}
        channels = (
            ("email", company.vchasno_send_email, partner.vchasno_consent_email),
            ("phone", company.vchasno_send_sms, partner.vchasno_consent_sms),
        )
        declined = {
            "email": partner.vchasno_declined_email,
            "phone": partner.vchasno_declined_sms,
        }
        for channel, setting, consent in channels:
            if not consent and declined[channel]:
                continue  # asked once, declined: not asked again
            if setting and not all(receipts.mapped("send_" + channel)):
                ask[channel] = "contact" if consent else "consent"
        if not ask:
            return False
        mode = "consent" if "consent" in ask.values() else "contact"
        return self._vchasno_open(receipts, origin="payment", mode=mode, ask=ask)

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self._vchasno_title(self.mode),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # === Buttons === #

    def action_send(self):
        """Send on the chosen channels; ask for consent first if it is missing."""
        self.env["vchasno.access"]._check("resend", self._vchasno_receipts())
        self.ensure_one()
        self = self._vchasno_clean()  # noqa: PLW0642
        customer = self._vchasno_customer()
        email, phone = self._vchasno_checked_contacts()
        if any(self._vchasno_consent_missing(customer)):
            self.mode = "consent"
            self.ask_email = self.use_email
            self.ask_phone = self.use_phone
            return self._reopen()
        return self._vchasno_deliver(email, phone)

    def action_grant_and_send(self):
        """Record the customer's consent (on the partner, in its chatter), send."""
        self.env["vchasno.access"]._check("consent", self._vchasno_receipts())
        self.ensure_one()
        self = self._vchasno_clean()  # noqa: PLW0642
        customer = self._vchasno_customer()
        email, phone = self._vchasno_checked_contacts()
        # Only for the receipts' customer, only the channels chosen here.
        customer._vchasno_record_consent(email=self.use_email, sms=self.use_phone)
        if self.origin == "payment" and customer:
            # Asked at the payment about a channel and unticked it: declined,
            # not asked again (the chatter says who recorded it).
            customer._vchasno_record_refusal(
                email=self.ask_email and not self.use_email,
                sms=self.ask_phone and not self.use_phone,
            )
        return self._vchasno_deliver(email, phone)

    def action_download(self):
        """No delivery: just open the receipt to download or print it.

        Read-only: the page shows what the user may read and sends nothing by
        itself (its "Send" is a POST that checks the "print" right).
        """
        self.ensure_one()
        self = self._vchasno_clean()  # noqa: PLW0642
        self._vchasno_customer()
        return self._vchasno_open_receipts()

    # === Helpers === #

    def _vchasno_clean(self):
        """The dialog's ``default_*`` keys must not reach partners or logs."""
        return self.with_env(self.env(context=clean_context(self.env.context)))

    def _vchasno_receipts(self):
        """The receipts the dialog holds: every id stored, readable or not."""
        # sudo: only to learn which ids the client stored (record rules would
        # drop the foreign ones silently); the caller checks them with the
        # user's rights (vchasno.access, _vchasno_customer).
        return self.sudo().receipt_ids.with_env(self.env)

    def _vchasno_customer(self):
        """The receipts' one customer (maybe none), checked on the server.

        The receipt ids come from the client too: they must be readable by the
        user in the selected companies (AccessError otherwise, without saying
        whether they exist), and belong to one customer.
        """
        self.ensure_one()
        receipts = self._vchasno_receipts()
        if not receipts or receipts != receipts._filtered_access("read"):
            raise AccessError(_("These receipts are not available to you."))
        partner = receipts.partner_id
        if len(partner) > 1:
            raise UserError(_("Send the receipts of one customer at a time."))
        return partner

    def _vchasno_consent_missing(self, partner):
        """(email, sms): the chosen channels the customer has not agreed to."""
        self.ensure_one()
        return (
            self.use_email
            and not (partner and all(partner.mapped("vchasno_consent_email"))),
            self.use_phone
            and not (partner and all(partner.mapped("vchasno_consent_sms"))),
        )

    def _vchasno_checked_contacts(self):
        """The validated (email, phone) of the chosen channels; UserError if not."""
        self.ensure_one()
        if not (self.use_email or self.use_phone):
            raise UserError(
                _(
                    "Choose how to send the receipt (email or Viber/SMS), or "
                    "download it instead."
                )
            )
        email = phone = False
        if self.use_email:
            text = (self.email or "").strip()
            if not text:
                raise UserError(
                    _(
                        "Enter the customer's email address, or download the "
                        "receipt instead."
                    )
                )
            problem = self._email_problem(text)
            if problem:
                raise UserError(problem)
            email = clean_email(text)
        if self.use_phone:
            text = (self.phone or "").strip()
            if not text:
                raise UserError(
                    _(
                        "Enter the customer's mobile phone number, or download "
                        "the receipt instead."
                    )
                )
            problem = self._phone_problem(text)
            if problem:
                raise UserError(problem)
            phone = clean_phone(text)
        return email, phone

    def _vchasno_deliver(self, email, phone):
        if self.save_to_partner:
            self._vchasno_customer()._vchasno_save_contacts(email, phone)
        deliveries = self.receipt_ids._vchasno_deliver(
            email=email, phone=phone, phone_channel=self.phone_channel
        )
        if self.origin == "payment":
            return self._vchasno_open_receipts()
        return self._vchasno_notify(deliveries)

    def _vchasno_open_receipts(self):
        receipts = self.receipt_ids
        if len(receipts) == 1:
            url = "/vchasno/receipt/%s" % receipts.id
        else:
            url = "/vchasno/receipts/%s" % ",".join(str(i) for i in receipts.ids)
        return {
            "type": "ir.actions.act_url",
            "url": url,
            "target": "new",
            "close": True,
        }
