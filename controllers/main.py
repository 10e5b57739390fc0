from odoo import http
from odoo.http import request


class VchasnoReceiptController(http.Controller):
    """The printable receipt page (R5.2), opened in a new browser tab.

    Opening it is also the "print now" fast path: the payment's transaction
    has committed by then, so a receipt still waiting is sent here, with a short
    read timeout, by the same code as the cron.
    """

    @http.route(
        ["/vchasno/receipt/<int:receipt_id>", "/vchasno/receipts/<string:ids>"],
        type="http",
        auth="user",
    )
    def vchasno_receipt_page(self, receipt_id=None, ids=None, **kwargs):
        try:
            id_list = [receipt_id] if receipt_id else [int(i) for i in ids.split(",")]
        except ValueError:
            return request.not_found()
        receipts = request.env["vchasno.receipt"].browse(id_list).exists()
        if not receipts:
            return request.not_found()
        receipts.check_access("read")
        for receipt in receipts.filtered(lambda r: r.state == "to_send"):
            # Sent in the sender's own cursor; this request's transaction is
            # not committed, and its records show the committed outcome.
            receipt._send_now()
        pending = receipts.filtered(
            lambda r: r.state in ("to_send", "sending", "unknown")
        )
        return request.render(
            "l10n_ua_vchasno_kasa.vchasno_receipt_page",
            {"receipts": receipts, "pending": pending},
        )
