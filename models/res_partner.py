import logging

from odoo import _, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime

from ..tools.contacts import normalize_phone, validate_email
from ..tools.vchasno_errors import VchasnoPayloadError

_logger = logging.getLogger(__name__)


def clean_phone(text):
    """``+380XXXXXXXXX``, or False when ``text`` is no Ukrainian mobile number."""
    try:
        return normalize_phone(text)
    except VchasnoPayloadError:
        return False


class ResPartner(models.Model):
    _inherit = "res.partner"

    vchasno_consent_email = fields.Boolean(
        string="Agrees to receive receipts by email",
        tracking=True,
        help="Fiscal receipts may be sent to this customer's email by Vchasno.Kasa.",
    )
    vchasno_consent_sms = fields.Boolean(
        string="Agrees to receive receipts by SMS/Viber",
        tracking=True,
        help="Fiscal receipts may be sent to this customer's mobile phone by "
        "Vchasno.Kasa (Viber first, SMS if the number has no Viber).",
    )

    # A refusal is remembered per channel: the payment's dialog does not ask
    # again about a channel the customer declined (README, "Consent").
    vchasno_declined_email = fields.Boolean(
        string="Declined receipts by email",
        tracking=True,
        help="Asked at the counter, the customer declined receipts by email: "
        "the payment dialog does not ask again (Send receipt still can).",
    )
    vchasno_declined_sms = fields.Boolean(
        string="Declined receipts by SMS/Viber",
        tracking=True,
        help="Asked at the counter, the customer declined receipts by SMS/"
        "Viber: the payment dialog does not ask again (Send receipt still can).",
    )

    # === Delivery rules (payments and Point of Sale orders alike) === #

    def _vchasno_contact_vals(self, company):
        """Where Vchasno sends a receipt of this customer: the company's
        auto-send settings plus the customer's consent, valid contacts only.

        :return: ``{"send_email": ..., "send_phone": ...}`` (what applies)
        """
        vals = {}
        if not self:
            return vals
        self.ensure_one()
        if company.vchasno_send_email and self.vchasno_consent_email and self.email:
            try:
                vals["send_email"] = validate_email(self.email)
            except VchasnoPayloadError:
                _logger.info("Partner %s: invalid email", self.id)
        phone = self.mobile or self.phone
        if company.vchasno_send_sms and self.vchasno_consent_sms and phone:
            try:
                vals["send_phone"] = normalize_phone(phone)
            except VchasnoPayloadError:
                _logger.info("Partner %s: not a UA mobile", self.id)
        return vals

    # === Receipt dialog (vchasno.receipt.send) === #

    def _vchasno_record_refusal(self, email=False, sms=False):
        """Remember the channels the customer declined, with a chatter note.

        Same callers and same rule as ``_vchasno_record_consent``.
        """
        self.ensure_one()
        vals, names = {}, []
        if email and not (self.vchasno_consent_email or self.vchasno_declined_email):
            vals["vchasno_declined_email"] = True
            names.append(_("email"))
        if sms and not (self.vchasno_consent_sms or self.vchasno_declined_sms):
            vals["vchasno_declined_sms"] = True
            names.append(_("Viber/SMS"))
        if not vals:
            return
        # sudo: as for the consent, only these flags, the user in the chatter.
        partner = self.sudo()
        partner.write(vals)
        partner.message_post(
            body=_(
                "The customer declined fiscal receipts by %(channels)s (recorded "
                "by %(user)s on %(date)s): not asked again at payment.",
                channels=", ".join(names),
                user=self.env.user.name,
                date=format_datetime(self.env, fields.Datetime.now()),
            ),
            author_id=self.env.user.partner_id.id,
        )

    def _vchasno_record_consent(self, email=False, sms=False):
        """Record what the customer agreed to at the counter, with a chatter note.

        Callers: the receipt dialog only, after ``vchasno.access`` allowed the
        "consent" action on receipts of this very partner (the dialog derives
        the partner from the receipts, never from the client).
        """
        self.ensure_one()
        vals, names = {}, []
        if email and not self.vchasno_consent_email:
            vals.update(vchasno_consent_email=True, vchasno_declined_email=False)
            names.append(_("email"))
        if sms and not self.vchasno_consent_sms:
            vals.update(vchasno_consent_sms=True, vchasno_declined_sms=False)
            names.append(_("Viber/SMS"))
        if not vals:
            return
        # sudo: a cashier may record the consent of the receipts' customer
        # without the right to edit contacts; only these two flags, and who
        # did it stays in the chatter (the uid is kept, tracking names them).
        partner = self.sudo()
        partner.write(vals)
        partner.message_post(
            body=_(
                "Consent to receive fiscal receipts by %(channels)s recorded by "
                "%(user)s on %(date)s.",
                channels=", ".join(names),
                user=self.env.user.name,
                date=format_datetime(self.env, fields.Datetime.now()),
            ),
            author_id=self.env.user.partner_id.id,
        )

    def _vchasno_save_contacts(self, email=False, phone=False):
        """Store a new email / mobile phone, with the user's own rights.

        :raise AccessError: the user may not edit this contact (nothing saved,
            nothing sent: the dialog offers the choice only to those who may)
        """
        self.ensure_one()
        vals = {}
        if email and email != (self.email or "").strip():
            vals["email"] = email
        if phone and phone not in (
            clean_phone(self.mobile),
            clean_phone(self.phone),
        ):
            vals["mobile"] = phone
        if not vals:
            return
        if not self.has_access("write"):
            raise AccessError(
                _(
                    "You may not edit the contact %(customer)s: untick “Save to the "
                    "customer” to send the receipt without saving the address.",
                    customer=self.display_name,
                )
            )
        self.write(vals)
        self.message_post(
            body=_(
                "Contacts for fiscal receipts saved by %(user)s: %(contacts)s.",
                user=self.env.user.name,
                contacts=", ".join(vals.values()),
            ),
            author_id=self.env.user.partner_id.id,
        )
