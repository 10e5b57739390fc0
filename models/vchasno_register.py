import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.vchasno_client import DEFAULT_BASE_URL, VchasnoClient
from ..tools.vchasno_errors import (
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoTransportError,
    describe_error,
    describe_reason,
)
from .kyiv_time import kyiv_to_utc

_logger = logging.getLogger(__name__)

NAME_MAX_LEN = 32  # R1.1: the Vchasno cabinet accepts register names up to 32 chars
API_URL_PARAM = "l10n_ua_vchasno_kasa.api_url"
TIMEOUT_PARAM = "l10n_ua_vchasno_kasa.read_timeout"
CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 30  # spec §1.3: >= 20 s for fiscal requests
CIRCUIT_THRESHOLD = 5  # consecutive transport failures before the breaker opens
CIRCUIT_BASE = timedelta(minutes=5)
CIRCUIT_MAX = timedelta(hours=1)


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

    @api.model
    def _api_url(self):
        url = (
            # sudo: a technical parameter that code reads for every user.
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(API_URL_PARAM, DEFAULT_BASE_URL)
        )
        return (url or DEFAULT_BASE_URL).rstrip("/")

    def _get_client(self, read_timeout=None):
        """A client for this register. The token is read with sudo() here only."""
        self.ensure_one()
        # sudo: the managers-only token, read here and only here, never logged.
        token = self.sudo().api_token
        if not token:
            raise UserError(
                _("The register %(name)s has no API token.", name=self.name)
            )
        if read_timeout is None:
            read_timeout = int(
                # sudo: a technical parameter that code reads for every user.
                self.env["ir.config_parameter"]
                .sudo()
                .get_param(TIMEOUT_PARAM, DEFAULT_READ_TIMEOUT)
            )
        return VchasnoClient(
            self._api_url(), token, timeout=(CONNECT_TIMEOUT, read_timeout)
        )

    def _fetch_status(self, raise_auth=False):
        """The register's status (task 18), every failure as a clear message.

        :param raise_auth: turn a refused token into a ``UserError`` too
        :return: ``VchasnoResult``
        :raise VchasnoAuthError: the token was refused (unless ``raise_auth``)
        :raise UserError: Vchasno unreachable or refusing the request
        """
        self.ensure_one()
        try:
            with self._get_client() as client:
                return client.status()
        except VchasnoAuthError as err:
            if raise_auth:
                raise UserError(self._token_refused_message()) from err
            raise
        except VchasnoTransportError as err:
            _logger.warning("Vchasno register %s unreachable: %s", self.id, err)
            raise UserError(
                _(
                    "Odoo got no answer from Vchasno.Kasa at %(url)s "
                    "(%(reason)s): check the Odoo server's internet access "
                    "(firewall, proxy) and the Vchasno address in the system "
                    "parameter %(param)s, then try again.",
                    url=self._api_url(),
                    reason=describe_reason(err, lang=self.env.lang),
                    param=API_URL_PARAM,
                )
            ) from err
        except VchasnoApiError as err:
            raise UserError(
                _(
                    "Vchasno refused the status request of %(name)s: %(error)s",
                    name=self.name,
                    error=describe_error(err, lang=self.env.lang),
                )
            ) from err

    def _token_refused_message(self):
        return _(
            "Vchasno did not accept the API token of %(name)s. Generate a new "
            "token in the register's settings in the Vchasno cabinet and paste it "
            "here; sending is paused for this register until then.",
            name=self.name,
        )

    def _store_status(self, result):
        """Write what a status answer (task 18) says about the register."""
        self.ensure_one()
        info = result.info
        shift = {0: "closed", 1: "open", 2: "locked"}.get(info.get("shift_status"))
        online = {0: "online", 1: "offline", 2: "locked"}.get(info.get("online_status"))
        sign = {0: "unused", 1: "ok", 2: "warning", 3: "error"}.get(
            info.get("sign_status")
        )
        kind = {0: "test", 1: "fiscal"}.get(info.get("isFis"), "unknown")
        vals = {
            "register_kind": kind,
            "shift_state": shift or "unknown",
            "online_state": online or "unknown",
            "sign_state": sign or "unknown",
            "last_status_at": fields.Datetime.now(),
            "auth_failed": False,
            "shift_opened_at": (
                kyiv_to_utc(result.shift_opened_at) if shift == "open" else False
            ),
        }
        if info.get("fisid"):
            vals["fiscal_id"] = str(info["fisid"])
        if result.safe is not None:
            vals["safe_amount"] = float(result.safe)
        # sudo: Vchasno's status, written by code (cashiers only read registers).
        self.sudo().write(vals)

    def _status_summary(self):
        self.ensure_one()
        sel = self._fields
        parts = [
            _(
                "Register: %(kind)s.",
                kind=dict(sel["register_kind"]._description_selection(self.env))[
                    self.register_kind
                ],
            ),
        ]
        if self.shift_state == "open" and self.shift_opened_at:
            parts.append(
                _(
                    "Shift open since %(since)s.",
                    since=fields.Datetime.context_timestamp(
                        self, self.shift_opened_at
                    ).strftime("%Y-%m-%d %H:%M"),
                )
            )
        else:
            parts.append(
                _(
                    "Shift: %(state)s.",
                    state=dict(sel["shift_state"]._description_selection(self.env))[
                        self.shift_state
                    ],
                )
            )
        parts.append(
            _(
                "Connection to the tax service: %(state)s.",
                state=dict(sel["online_state"]._description_selection(self.env))[
                    self.online_state
                ],
            )
        )
        parts.append(
            _(
                "Signing key: %(state)s.",
                state=dict(sel["sign_state"]._description_selection(self.env))[
                    self.sign_state
                ],
            )
        )
        return " ".join(parts)

    def _notify(self, title, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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

    def _record_success(self):
        # sudo: the sender's bookkeeping on the register (code only).
        registers = self.sudo().filtered(
            lambda r: r.consecutive_failures or r.circuit_open_until or r.auth_failed
        )
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
        if self.auth_failed or not self.active:
            return False
        return not (
            self.circuit_open_until and self.circuit_open_until > fields.Datetime.now()
        )

    def _before_send(self, receipt, client):
        """Hook run by the sender, under the receipt's lock, before its call.

        The shift logic (24-hour guard) extends it; it may send other fiscal
        requests (a Z report) with ``client`` first.
        """
        self.ensure_one()

    def _after_send(self, receipt, result):
        """Hook run by the sender after a receipt is done (shift bookkeeping)."""
        self.ensure_one()

    def _handle_auth_failure(self, err):
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
                    error=describe_error(err, lang=self.env.lang),
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
