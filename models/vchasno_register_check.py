"""The "Check Vchasno behaviour" action: what a test register really does.

The evidence leaves open (evidence file, "Repeated tag"; spec §9.1, §11.2)
whether Vchasno's cloud deduplicates a repeated request ``tag`` (the NestJS
client quotes Vchasno's own advice to repeat with the same tag; one source),
whether a search by ``tag`` (``type: 0``, documented for the Device Manager
only) works on the cloud, and whether the receipt JSON look-up works. This
action asks a **test** register (never a fiscal one: it issues real
documents) and stores each answer with the date, plus whether the cabinet
accepts what the journals send (a card sale and a cash sale with rounding,
``vchasno_register_cabinet``). Every sale it issues is returned.

Recovery of a receipt whose answer was lost uses what was proven
(``_vchasno_recovery_path``, called by ``vchasno.receipt._reconcile``):

* ``search``: the search by tag finds a known tag and answers "not found" for
  an unknown one: look the receipt up; send it again (same tag) only when
  Vchasno says it never saw the tag;
* ``repeat``: a repeated tag returns the first document: send again with the
  same tag and the same payload;
* ``human``: nothing proven: never resend blindly, the receipt goes to a
  person with the exact steps (``vchasno.receipt._vchasno_human_steps``).

Vchasno's cloud is one service, so a fiscal register (which can never run
the check) uses what the most recently checked register of its company
proved, normally the test register Vchasno creates with every account.
"""

import logging
import uuid
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import receipt_maths as rm
from ..tools.vchasno_errors import (
    TAG_NOT_FOUND_RES,
    VchasnoApiError,
    VchasnoError,
    describe_error,
)

_logger = logging.getLogger(__name__)

CHECK_AMOUNT = Decimal("1.00")  # UAH; the smallest amount that reads as a test
CHECK_TAG_PREFIX = "odoo-check-"
RECOVERY_PATHS = [
    ("search", "Search by tag, then send again if unknown"),
    ("repeat", "Send again with the same tag"),
    ("human", "Ask a person (nothing proven)"),
]


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    repeat_tag_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("return_stored", "Returns the stored receipt"),
            ("new_document", "Issues a second document"),
            ("refused", "Refuses the repeated request"),
        ],
        string="Repeated request tag",
        default="unknown",
        readonly=True,
        copy=False,
        help="What the register did when the same request (same tag) was sent "
        "twice. Only 'Returns the stored receipt' lets Odoo send a receipt again "
        "with the same tag after a lost answer.",
    )
    tag_search_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("works", "Works"),
            ("partial", "Finds known tags only"),
            ("unsupported", "Unsupported"),
        ],
        string="Search by tag",
        default="unknown",
        readonly=True,
        copy=False,
        help="Whether Vchasno finds an earlier request by its tag, and answers "
        "'not found' for a tag it does not know. Only 'Works' lets Odoo settle "
        "receipts whose answer was lost by looking them up.",
    )
    receipt_json_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("works", "Works"),
            ("unsupported", "Unsupported"),
        ],
        string="Receipt JSON look-up",
        default="unknown",
        readonly=True,
        copy=False,
    )
    behaviour_checked_at = fields.Datetime(readonly=True, copy=False)
    behaviour_report = fields.Text(readonly=True, copy=False)
    recovery_path = fields.Selection(
        RECOVERY_PATHS,
        string="Lost answers are settled by",
        compute="_compute_recovery_path",
        help="How Odoo settles a receipt whose answer from Vchasno was lost: what "
        "'Check Vchasno behaviour' proved on this register, or on the most "
        "recently checked register of the company.",
    )
    recovery_source_id = fields.Many2one(
        "vchasno.register",
        string="Proven on",
        compute="_compute_recovery_path",
    )

    @api.depends("behaviour_checked_at", "tag_search_behaviour", "repeat_tag_behaviour")
    def _compute_recovery_path(self):
        for register in self:
            source = register._behaviour_source()
            register.recovery_path = register._vchasno_recovery_path()
            register.recovery_source_id = source.id if source else False

    # === Actions === #

    def action_check_behaviour(self):
        """Run tiny sales, repeat one, look it up, return them; store the answers.

        Test registers only. Issues real (test) documents, so managers only.
        """
        self.env["vchasno.access"]._check("check_behaviour", self)
        self.ensure_one()
        self.check_access("write")
        self._check_behaviour_allowed()
        lines, vals = [], {}
        tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
        request = self._check_sale_request(tag)
        receipt = request["fiscal"]["receipt"]
        with self._get_client() as client:
            try:
                first = client.execute(request)
            except VchasnoError as err:
                raise UserError(
                    _(
                        "The test sale was not accepted, nothing was checked "
                        "(request tag %(tag)s): %(error)s",
                        tag=tag,
                        error=describe_error(err, lang=self.env.lang),
                    )
                ) from err
            doccodes = [first.doccode]
            lines.append(
                _(
                    "Test sale %(doccode)s issued (tag %(tag)s).",
                    doccode=first.doccode,
                    tag=tag,
                )
            )
            vals["repeat_tag_behaviour"] = self._check_repeat(
                client, request, doccodes, lines
            )
            vals["tag_search_behaviour"] = self._check_tag_search(
                client, tag, doccodes, lines
            )
            vals["receipt_json_behaviour"] = self._check_receipt_json(
                client, first.doccode, lines
            )
            to_return = [(doccode, receipt) for doccode in doccodes]
            vals.update(self._check_cabinet(client, lines, to_return))
            lines.append(
                _(
                    "Phone formats: not probed; Odoo always sends the +380XXXXXXXXX "
                    "form."
                )
            )
            self._check_return_sales(client, to_return, lines)
        vals.update(
            behaviour_checked_at=fields.Datetime.now(),
            behaviour_report="\n".join(str(line) for line in lines),
        )
        self.write(vals)  # managers only (vchasno.access): no sudo needed
        _logger.info(
            "Vchasno register %s behaviour: repeated tag %s, tag search %s, "
            "receipt JSON %s, card %s, rounding %s",
            self.id,
            vals["repeat_tag_behaviour"],
            vals["tag_search_behaviour"],
            vals["receipt_json_behaviour"],
            vals["card_payment_behaviour"],
            vals["rounding_behaviour"],
        )
        self.message_post(body=_("Vchasno behaviour checked."))
        probes = (vals["card_payment_behaviour"], vals["rounding_behaviour"])
        return self._notify(
            _("Vchasno behaviour checked"),
            vals["behaviour_report"],
            "warning" if "refused" in probes or vals["pay_types_refused"] else "info",
        )

    # === Helpers === #

    def _behaviour_source(self):
        """The register whose check speaks for this one.

        Itself once checked; else the company's most recently checked register
        (a fiscal register never runs the check). sudo: only the proof flags
        of a register of the same company are read.
        """
        self.ensure_one()
        if self.behaviour_checked_at:
            return self
        if not self.company_id:
            return self.browse()
        # sudo: the company's checked register counts, whoever may read it.
        return self.sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("behaviour_checked_at", "!=", False),
            ],
            order="behaviour_checked_at desc, id desc",
            limit=1,
        )

    def _vchasno_recovery_path(self):
        """How a receipt whose answer was lost is settled (module docstring).

        :return: ``"search"``, ``"repeat"`` or ``"human"``
        """
        self.ensure_one()
        source = self._behaviour_source()
        if source.tag_search_behaviour == "works":
            return "search"
        if source.repeat_tag_behaviour == "return_stored":
            return "repeat"
        return "human"

    def _vchasno_trusts_tag_search(self):
        """Whether "no document with this tag" from a search can be believed."""
        self.ensure_one()
        return self._vchasno_recovery_path() == "search"

    def _check_behaviour_allowed(self):
        """Refuse anything but a test register; ask Vchasno first if unknown."""
        if self.register_kind == "unknown":
            self._store_status(self._fetch_status(raise_auth=True))
        if self.register_kind != "test":
            raise UserError(
                _(
                    "The behaviour check issues real documents, so it runs on test "
                    "registers only; %(name)s is not a test register.",
                    name=self.name,
                )
            )

    def _check_row(self, price=CHECK_AMOUNT):
        return rm.Row(
            name=_("Odoo integration check"),
            qty=Decimal(1),
            price=price,
            tax_group=(self.tax_group_code or "").strip(),
        )

    def _check_sale_request(self, tag):
        receipt = rm.build_receipt(
            [self._check_row()], [rm.Pay(rm.PAY_CASHLESS, CHECK_AMOUNT)]
        )
        return rm.build_request(
            rm.TASK_SALE, tag, cashier=self.env.user.name, receipt=receipt
        )

    def _check_repeat(self, client, request, doccodes, lines):
        """Send the very same request again; note whether a 2nd sale exists."""
        try:
            again = client.execute(request)
        except VchasnoApiError as err:
            lines.append(
                _(
                    "Repeated tag: refused (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "refused"
        except VchasnoError as err:
            lines.append(
                _(
                    "Repeated tag: no answer (%(error)s); a second document may "
                    "exist, check the Vchasno cabinet.",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unknown"
        if again.doccode == doccodes[0]:
            lines.append(_("Repeated tag: Vchasno returned the stored receipt."))
            return "return_stored"
        doccodes.append(again.doccode)
        lines.append(
            _(
                "Repeated tag: Vchasno issued a second document %(doccode)s.",
                doccode=again.doccode,
            )
        )
        return "new_document"

    def _check_tag_search(self, client, tag, doccodes, lines):
        try:
            found = client.find_by_tag(tag)
        except VchasnoError as err:
            lines.append(
                _(
                    "Search by tag: failed (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unsupported"
        if found is None or found.doccode not in doccodes:
            lines.append(_("Search by tag: the test sale was not found."))
            return "unsupported"
        lines.append(_("Search by tag: the test sale was found."))
        unknown_tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
        try:
            missing = client.find_by_tag(unknown_tag)
        except VchasnoError as err:
            lines.append(
                _(
                    "Search by tag: an unknown tag did not give the expected "
                    "'not found' (code %(code)s) but: %(error)s",
                    code=TAG_NOT_FOUND_RES,
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "partial"
        if missing is not None:
            lines.append(_("Search by tag: an unknown tag returned a document."))
            return "partial"
        lines.append(_("Search by tag: an unknown tag is reported as not found."))
        return "works"

    def _check_receipt_json(self, client, doccode, lines):
        try:
            stored = client.get_receipt_json(doccode)
        except VchasnoError as err:
            lines.append(
                _(
                    "Receipt JSON look-up: failed (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unsupported"
        if not stored or stored.get("fiscal_number") != doccode:
            lines.append(_("Receipt JSON look-up: the test sale was not found."))
            return "unsupported"
        lines.append(_("Receipt JSON look-up: the test sale was found."))
        return "works"

    def _check_return_sales(self, client, to_return, lines):
        """Return every sale the check issued, so the register is balanced.

        :param to_return: ``[(doccode, receipt body)]`` of the issued sales
        """
        for doccode, receipt in to_return:
            tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
            ret = rm.build_request(
                rm.TASK_RETURN, tag, cashier=self.env.user.name, receipt=receipt
            )
            try:
                result = client.execute(ret)
            except VchasnoError as err:
                lines.append(
                    _(
                        "Sale %(doccode)s could NOT be returned (tag %(tag)s): "
                        "%(error)s. Return it in the Vchasno cabinet.",
                        doccode=doccode,
                        tag=tag,
                        error=describe_error(err, lang=self.env.lang),
                    )
                )
                continue
            lines.append(
                _(
                    "Sale %(doccode)s returned by %(return_doccode)s.",
                    doccode=doccode,
                    return_doccode=result.doccode,
                )
            )
