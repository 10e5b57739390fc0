"""Browser tours (headless Chromium) of a cashier at a fiscalized Point of
Sale: sell in cash and by card, find the fiscal number on the ticket; refund
and find the return (static/tests/tours/vchasno_pos_tours.js).

Without Chrome/Chromium Odoo skips them ("Chrome executable not found") and
``make test`` says so at the end.
"""

from odoo.tests import HttpCase, tagged

from .common import VchasnoPosCommon

TOUR_TIMEOUT = 300  # seconds; the first tour may build the POS's assets


@tagged("post_install", "-at_install")
class TestPosTours(VchasnoPosCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("point_of_sale.group_pos_manager")
        # A standalone terminal: the cashier is asked for the slip's data.
        cls.card_method.vchasno_ask_card_data = True

    def tour(self, name):
        self.start_tour(
            "/pos/ui?config_id=%d" % self.pos_config.id,
            name,
            login=self.env.user.login,
            timeout=TOUR_TIMEOUT,
        )
        self.env.invalidate_all()

    def orders(self):
        return self.env["pos.order"].search(
            [("config_id", "=", self.pos_config.id)], order="id"
        )

    def test_sell_cash_and_card_then_refund(self):
        # The session opened (cash counted) beforehand: no opening popup.
        self.open_session()
        self.tour("vchasno_pos_sell")
        cash_order, card_order = self.orders()
        cash, card = self.receipt_of(cash_order), self.receipt_of(card_order)
        # Each sale issued once, in the ticket's follow-up call: one
        # document per tag, no other document.
        self.assertEqual((cash.state, card.state), ("done", "done"))
        self.assert_docs_per_tag()
        self.assertEqual(len(self.docs()), 2)
        # Cash: 1 x Кава зернова 120.00 (ПДВ 20 % included).
        body = self.sent(cash)
        self.assertEqual(
            [(r["name"], r["cnt"], r["price"]) for r in body["rows"]],
            [("Кава зернова", 1, 120.0)],
        )
        self.assertEqual(body["pays"], [{"type": 0, "sum": 120.0, "change": 0.0}])
        # Card: 1 x Хліб 24.99 with the slip's data typed in the popup;
        # the card number goes out masked.
        body = self.sent(card)
        self.assertEqual(
            body["pays"],
            [
                {
                    "type": 2,
                    "sum": 24.99,
                    "paysys": "VISA",
                    "rrn": "123456789012",
                    "cardmask": "411111******1111",
                    "term_id": "T1234567",
                    "auth_code": "A1B2C3",
                }
            ],
        )

        self.tour("vchasno_pos_refund")
        refund_order = self.orders() - cash_order - card_order
        ret = self.receipt_of(refund_order)
        self.assertRecordValues(
            ret,
            [
                {
                    "kind": "return",
                    "state": "done",
                    "amount": 120.0,
                    "original_receipt_id": cash.id,
                }
            ],
        )
        self.assertEqual(self.docs(tag=ret.tag)[0]["task"], 2)
        self.assertEqual(len(self.docs()), 3)
        self.assert_docs_per_tag()
        # The ledger: all of the 120.00 returned, nothing left.
        self.assertEqual(cash._returnable_amount(), 0.0)
