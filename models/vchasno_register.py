import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.vchasno_errors import VchasnoAuthError

_logger = logging.getLogger(__name__)

NAME_MAX_LEN = 32  # R1.1: the Vchasno cabinet accepts register names up to 32 chars


class VchasnoRegister(models.Model):
    """One Vchasno.Kasa cash register (PRRO), reached with its own API token."""

    _name = "vchasno.register"
    _description = "Vchasno.Kasa register"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    api_token = fields.Char(
        string="API token",
        copy=False,
        groups="account.group_account_manager",
        help="The cash register's token from the Vchasno.Kasa cabinet: the "
        "register's settings, section 'Token'. Vchasno shows it only once, "
        "copy it when you generate it.",
    )
    has_token = fields.Boolean(compute="_compute_has_token")
    tax_group_code = fields.Char(
        string="Default tax group code",
        required=True,
        tracking=True,
        help="The code of the register's tax group used when an Odoo tax has no "
        "code of its own (Vchasno cabinet: Tax group > Tax group codes). Vchasno's "
        "defaults: 1 = VAT 20%, 2 = no VAT, 4 = VAT 7%, 5 = VAT 0%.",
    )
    journal_ids = fields.One2many("account.journal", "vchasno_register_id")
    journal_count = fields.Integer(compute="_compute_journal_count")
    # What Vchasno said about the register (task 18, the status request).
    register_kind = fields.Selection(
        [("unknown", "Not checked"), ("test", "Test"), ("fiscal", "Fiscal")],
        default="unknown",
        readonly=True,
        copy=False,
    )
    fiscal_id = fields.Char(string="Register fiscal number", readonly=True, copy=False)
    shift_state = fields.Selection(
        [
            ("unknown", "Unknown"),
            ("closed", "Closed"),
            ("open", "Open"),
            ("locked", "Locked"),
        ],
        default="unknown",
        readonly=True,
        copy=False,
    )
    shift_opened_at = fields.Datetime(readonly=True, copy=False)
    online_state = fields.Selection(
        [
            ("unknown", "Unknown"),
            ("online", "Online"),
            ("offline", "Offline"),
            ("locked", "Locked"),
        ],
        default="unknown",
        readonly=True,
        copy=False,
    )
    sign_state = fields.Selection(
        [
            ("unknown", "Unknown"),
            ("unused", "Key not used"),
            ("ok", "Key OK"),
            ("warning", "Key warning"),
            ("error", "Key missing or invalid"),
        ],
        string="Signing key",
        default="unknown",
        readonly=True,
        copy=False,
    )
    safe_amount = fields.Monetary(
        string="Cash in the register", readonly=True, copy=False
    )
    last_status_at = fields.Datetime(readonly=True, copy=False)
    # Sending health: a bad token pauses the queue; transport failures open a
    # circuit breaker (RELIABILITY.md §6.8) so other registers keep going.
    auth_failed = fields.Boolean(readonly=True, copy=False, tracking=True)
    consecutive_failures = fields.Integer(readonly=True, copy=False)
    circuit_open_until = fields.Datetime(readonly=True, copy=False)
    # R1.2: the guarantee, race-proof and blind to record rules. Odoo turns
    # its violation into a ValidationError with this message on RPC calls;
    # _check_api_token_unique says the same before create/write on any path.
    _sql_constraints = [
        (
            "api_token_unique",
            "unique(api_token)",
            "This API token is already used by another Vchasno register (maybe in "
            "another company): one cash register can serve only one register "
            "record in this database.",
        ),
    ]

    # === Computes === #

    @api.depends_context("uid")
    def _compute_has_token(self):
        # sudo: whether a token is set, never its value, for every user.
        for register, token in zip(self, self.sudo().mapped("api_token"), strict=True):
            register.has_token = bool(token)

    @api.depends("journal_ids")
    def _compute_journal_count(self):
        for register in self:
            register.journal_count = len(register.journal_ids)

    # === Constraints === #

    @api.constrains("name")
    def _check_name(self):
        for register in self:
            if len(register.name or "") > NAME_MAX_LEN:
                raise ValidationError(
                    _(
                        "The register name %(name)s is longer than %(max)s "
                        "characters, the limit of Vchasno.Kasa.",
                        name=register.name,
                        max=NAME_MAX_LEN,
                    )
                )

    @api.constrains("tax_group_code")
    def _check_tax_group_code(self):
        for register in self:
            if not (register.tax_group_code or "").strip().isdigit():
                raise ValidationError(
                    _("The tax group code must be a number from the Vchasno cabinet.")
                )

    @api.constrains("active")
    def _check_active_journals(self):
        """RELIABILITY.md case 31: an archived register must not silently keep
        the payments of its journals waiting; unlink the journals first."""
        for register in self.filtered(lambda r: not r.active and r.journal_ids):
            raise ValidationError(
                _(
                    "The register %(name)s still serves the journals %(journals)s: "
                    "link them to another register (or to none) before archiving it.",
                    name=register.name,
                    journals=", ".join(register.journal_ids.mapped("display_name")),
                )
            )

    @api.constrains("company_id")
    def _check_journal_company(self):
        for register in self:
            if register.journal_ids.company_id - register.company_id:
                raise ValidationError(
                    _("A register and its journals must belong to the same company.")
                )

    # === CRUD === #

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS models: R1.2 as a clear error before the database refuses.
        self._check_api_token_unique([vals.get("api_token") for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        # EXTENDS models: R1.2 as a clear error; a new token is a new chance,
        # clear the auth flag and what Vchasno said about the old one.
        if "api_token" in vals:
            self._check_api_token_unique([vals["api_token"]] * len(self))
            vals = dict(vals, auth_failed=False, register_kind="unknown")
        return super().write(vals)

    # === Actions === #

    def action_check_connection(self):
        """Ask Vchasno for the register's status (task 18) and say it plainly.

        A refused token is not raised: the register is flagged (sending paused)
        and the flag must survive, which a UserError's rollback would undo.
        """
        self.env["vchasno.access"]._check("check_connection", self)
        self.ensure_one()
        try:
            result = self._fetch_status()
        except VchasnoAuthError:
            self.auth_failed = True  # managers only (vchasno.access): no sudo
            message = self._token_refused_message()
            self.message_post(body=message)
            return self._notify(_("Token refused"), message, "danger")
        self._store_status(result)
        return self._notify(_("Connection OK"), self._status_summary(), "success")

    def action_view_journals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_account_journal_form"
        )
        action["domain"] = [("vchasno_register_id", "=", self.id)]
        return action

    # === Helpers === #

    def _check_api_token_unique(self, tokens):
        """Refuse tokens used by another register: same rule as ``api_token_unique``.

        The SQL constraint is the guarantee, but outside an RPC call (server
        action, import, script, test) its violation is an IntegrityError
        traceback, and an ``@api.constrains`` would run after the INSERT. So
        the check runs before ``create``/``write``. sudo and archived records
        included: the other register may be in a company the user cannot see,
        which is exactly the case R1.2 is about.

        :param tokens: the tokens about to be written on ``self`` (or created)
        :raise ValidationError: a token is already used, or given twice
        """
        tokens = [token for token in tokens if token]
        if not tokens:
            return
        # sudo: every register counts, also those of companies the user cannot see.
        duplicate = len(set(tokens)) < len(tokens) or self.sudo().with_context(
            active_test=False
        ).search_count(
            [("api_token", "in", tokens), ("id", "not in", self.ids)], limit=1
        )
        if duplicate:
            raise ValidationError(
                _(
                    "This API token is already used by another Vchasno register "
                    "(maybe in another company): one cash register can serve "
                    "only one register record in this database."
                )
            )
