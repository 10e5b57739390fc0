"""A Point of Sale on the shared Vchasno set-up, and orders synced as the
Odoo 18 Point of Sale syncs them (``pos.order.sync_from_ui``).

``order_data`` builds the dictionary the front end sends (``serialize({orm:
true})``): lines with their tax-included totals computed by Odoo's tax
engine, payments (the cash tendered, the change in ``amount_return``), the
order's UUID. The server recomputes what it does not trust, as in
production.
"""

import uuid as uuidlib
from itertools import count

from odoo import Command, fields

from odoo.addons.l10n_ua_vchasno_kasa.tests.common import VchasnoCommon

_ids = count(1)


class VchasnoPosCommon(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.card_journal = cls.env["account.journal"].create(
            {
                "name": "Оплата карткою",
                "code": "CARD",
                "type": "bank",
                "company_id": company.id,
                "vchasno_register_id": cls.register.id,
                "vchasno_payment_type": "card",
            }
        )
        Method = cls.env["pos.payment.method"]
        cls.cash_method = Method.create(
            {
                "name": "Готівка",
                "journal_id": cls.cash_journal.id,
                "company_id": company.id,
            }
        )
        cls.card_method = Method.create(
            {
                "name": "Картка",
                "journal_id": cls.card_journal.id,
                "company_id": company.id,
            }
        )
        cls.pos_config = cls.env["pos.config"].create(
            {
                "name": "Каса магазину",
                "company_id": company.id,
                "vchasno_register_id": cls.register.id,
                "payment_method_ids": [
                    Command.set((cls.cash_method | cls.card_method).ids)
                ],
            }
        )
        (cls.product | cls.product_7).available_in_pos = True
        cls.bread = cls.env["product.product"].create(
            {
                "name": "Хліб",
                "default_code": "BRD",
                "lst_price": 24.99,
                "available_in_pos": True,
                "taxes_id": [Command.set(cls.tax_20.ids)],
            }
        )
        cls.discount_product = cls.env["product.product"].create(
            {
                "name": "Знижка",
                "type": "service",
                "lst_price": 0,
                "available_in_pos": True,
                "taxes_id": [Command.clear()],
            }
        )

    # === Sessions === #

    def open_session(self, config=None, user=None):
        config = config or self.pos_config
        env = self.env(user=user) if user else self.env
        config.with_env(env).open_ui()
        session = config.current_session_id
        session.with_env(env).set_opening_control(0, None)
        return session

    def close_session(self, session):
        cash = sum(
            session.order_ids.payment_ids.filtered(
                lambda p: p.payment_method_id.is_cash_count
            ).mapped("amount")
        )
        session.post_closing_cash_details(cash)
        return session.close_session_from_ui()

    # === Orders as the Point of Sale sends them === #

    def line(self, product, qty, price=None, discount=0.0, taxes=None, refund_of=None):
        """One order line command (0, 0, vals) with the POS's totals."""
        price = product.lst_price if price is None else price
        taxes = product.taxes_id if taxes is None else taxes
        unit = price * (1 - discount / 100.0)
        currency = self.company.currency_id
        totals = (
            taxes.compute_all(unit, currency, qty, product=product)
            if taxes
            else {
                "total_excluded": currency.round(unit * qty),
                "total_included": currency.round(unit * qty),
            }
        )
        vals = {
            "id": next(_ids),
            "uuid": str(uuidlib.uuid4()),
            "product_id": product.id,
            "full_product_name": product.name,
            "qty": qty,
            "price_unit": price,
            "discount": discount,
            "tax_ids": [Command.set(taxes.ids)],
            "price_subtotal": totals["total_excluded"],
            "price_subtotal_incl": totals["total_included"],
            "pack_lot_ids": [],
        }
        if refund_of:
            vals["refunded_orderline_id"] = refund_of.id
        return Command.create(vals)

    def pay(self, method, amount, **card):
        return Command.create(
            {
                "uuid": str(uuidlib.uuid4()),
                "name": fields.Datetime.now(),
                "payment_method_id": method.id,
                "amount": amount,
                **card,
            }
        )

    def order_data(self, session, lines, payments, change=0.0, uuid=None, **vals):
        total = sum(cmd[2]["price_subtotal_incl"] for cmd in lines)
        untaxed = sum(cmd[2]["price_subtotal"] for cmd in lines)
        uuid = uuid or str(uuidlib.uuid4())
        return {
            "uuid": uuid,
            "name": "Order %s" % uuid[:8],
            "session_id": session.id,
            "user_id": self.env.uid,
            "pricelist_id": session.config_id.pricelist_id.id,
            "fiscal_position_id": False,
            "sequence_number": next(_ids),
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "lines": lines,
            "payment_ids": payments,
            "amount_total": total,
            "amount_tax": total - untaxed,
            "amount_paid": sum(cmd[2]["amount"] for cmd in payments),
            "amount_return": change,
            "state": "paid",
            "last_order_preparation_change": "{}",
            "to_invoice": False,
            **vals,
        }

    def sync(self, *orders, user=None):
        """``sync_from_ui`` as the Point of Sale calls it; the orders made."""
        Order = self.env["pos.order"]
        if user:
            Order = Order.with_user(user)
        result = Order.sync_from_ui(list(orders))
        return self.env["pos.order"].browse([o["id"] for o in result["pos.order"]])

    def receipt_of(self, order):
        order.invalidate_recordset()
        return order.vchasno_receipt_ids

    def assert_docs_per_tag(self):
        """0 lost, 0 doubled: the emulator holds exactly one document per
        done receipt's tag, and none for any other tag."""
        done = self.env["vchasno.receipt"].search([("state", "=", "done")])
        tags = [d["tag"] for d in self.docs()]
        self.assertEqual(sorted(tags), sorted(done.mapped("tag")))

    def sent(self, receipt):
        """The request as Vchasno received it (the emulator's document)."""
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1, "one document per tag")
        self.assert_docs_per_tag()
        return docs[0]["fiscal"]["receipt"]
