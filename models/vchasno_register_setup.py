"""Setting a register up: its default tax group, its owner, the cabinet checklist.

* **Default tax group, chosen consciously.** The register's default group is
  what a row gets when its Odoo tax has no Vchasno code; defaulting it to
  ПДВ 20 % would make a non-VAT payer's receipts state VAT that was never
  charged, so there is no default: the form offers Vchasno's default codes
  with their meaning (``tools.tax_groups``) and the user picks one.
* **Whose token is it.** The status request (task 18) answers the owner's
  EDRPOU and name (a NestJS client reads ``info.edrpou``/``info.name``); they
  are stored and shown, and "Check connection" warns when they differ from
  the company's registry number.
* **Cabinet checklist.** Which payment types the cabinet must have enabled
  for what the register's journals send, plus Заокруглення when the company
  rounds cash.
"""

import re

from odoo import _, api, fields, models

from ..tools.pay_types import CABINET_ROUNDING, cabinet_name
from ..tools.tax_groups import PRESET_SELECTION


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    tax_group_preset = fields.Selection(
        PRESET_SELECTION,
        string="Default tax group",
        compute="_compute_tax_group_preset",
        inverse="_inverse_tax_group_preset",
        help="Vchasno's default tax group codes; pick the one of your register "
        "(Vchasno cabinet: Tax group > Tax group codes), or 'Another code'.",
    )
    owner_edrpou = fields.Char(
        string="Owner's EDRPOU",
        readonly=True,
        copy=False,
        help="What Vchasno answers about the owner of this token.",
    )
    owner_name = fields.Char(string="Owner", readonly=True, copy=False)
    cabinet_checklist = fields.Char(
        string="Enable in the Vchasno cabinet",
        compute="_compute_cabinet_checklist",
        help="The payment types this register must have enabled in the Vchasno "
        "cabinet for what its journals send.",
    )

    @api.depends("tax_group_code")
    def _compute_tax_group_preset(self):
        presets = dict(PRESET_SELECTION)
        for register in self:
            code = (register.tax_group_code or "").strip()
            if not code:
                register.tax_group_preset = False
            else:
                register.tax_group_preset = code if code in presets else "other"

    def _inverse_tax_group_preset(self):
        for register in self:
            if register.tax_group_preset not in (False, "other"):
                register.tax_group_code = register.tax_group_preset

    @api.depends(
        "journal_ids.vchasno_payment_type",
        "journal_ids.vchasno_policy",
        "company_id.vchasno_round_enabled",
    )
    def _compute_cabinet_checklist(self):
        for register in self:
            journals = register.journal_ids.filtered(
                lambda j: j.vchasno_policy != "never"
            )
            values = sorted(set(journals.mapped("vchasno_payment_type")))
            names = [cabinet_name(value) for value in values]
            if "cash" in values and register.company_id.vchasno_round_enabled:
                names.append(CABINET_ROUNDING)
            register.cabinet_checklist = ", ".join(names) or False

    @api.onchange("tax_group_preset")
    def _onchange_tax_group_preset(self):
        self._inverse_tax_group_preset()

    # === CRUD === #

    def write(self, vals):
        # EXTENDS vchasno.register: a new token may belong to someone else.
        if "api_token" in vals:
            vals = dict(vals, owner_edrpou=False, owner_name=False)
        return super().write(vals)

    # === Actions === #

    def action_check_connection(self):
        # EXTENDS vchasno.register: warn when the token belongs to another
        # business than the company (its registry number).
        action = super().action_check_connection()
        mismatch = self._owner_mismatch()
        if mismatch and action.get("params", {}).get("type") == "success":
            params = action["params"]
            params.update(
                type="warning",
                sticky=True,
                message="%s %s" % (mismatch, params["message"]),
            )
        return action

    # === Helpers === #

    def _store_status(self, result):
        # EXTENDS vchasno.register: keep who Vchasno says owns the token.
        res = super()._store_status(result)
        info = result.info
        vals = {}
        if info.get("edrpou"):
            vals["owner_edrpou"] = str(info["edrpou"]).strip()
        if info.get("name"):
            vals["owner_name"] = str(info["name"]).strip()
        if vals:
            # sudo: Vchasno's answer, written by code (cashiers only read registers).
            self.sudo().write(vals)
        return res

    def _status_summary(self):
        # EXTENDS vchasno.register: the owner first, the checklist last.
        summary = super()._status_summary()
        parts = []
        if self.owner_name or self.owner_edrpou:
            parts.append(
                _(
                    "Owner: %(name)s (EDRPOU %(edrpou)s).",
                    name=self.owner_name or "-",
                    edrpou=self.owner_edrpou or "-",
                )
            )
        parts.append(summary)
        if self.cabinet_checklist:
            parts.append(
                _(
                    "In the Vchasno cabinet, enable: %(types)s.",
                    types=self.cabinet_checklist,
                )
            )
        return " ".join(str(part) for part in parts)

    def _owner_mismatch(self):
        """A sentence when the owner's EDRPOU is not the company's, else ''."""
        self.ensure_one()
        registry = re.sub(r"\D", "", self.company_id.company_registry or "")
        edrpou = re.sub(r"\D", "", self.owner_edrpou or "")
        if not registry or not edrpou or registry == edrpou:
            return ""
        return _(
            "This token belongs to %(owner)s (EDRPOU %(edrpou)s), not to the "
            "company's registry number %(registry)s: check that it is the token of "
            "the right business.",
            owner=self.owner_name or "-",
            edrpou=self.owner_edrpou,
            registry=self.company_id.company_registry,
        )
