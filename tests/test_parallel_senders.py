"""Registers drain in parallel (issue 14): each register has a sending cron of
its own (models/vchasno_sender_crons.py), and concurrent senders over one
backlog still send every receipt exactly once, with real cursors and commits,
in threads, as Odoo's cron threads run them."""

import threading
import uuid

from odoo.tests import tagged

from .common import VchasnoCommon
from .real_cursors import RealCursorCase

MODULE = "l10n_ua_vchasno_kasa"


@tagged("post_install", "-at_install")
class TestSenderCronRecords(VchasnoCommon):
    """The cron follows its register: create, archive, restore, rename, unlink."""

    def new_register(self, name="Каса 7"):
        return self.env["vchasno.register"].create(
            {
                "name": name,
                "api_token": "tok-" + uuid.uuid4().hex,
                "tax_group_code": "1",
                "company_id": self.company.id,
            }
        )

    def test_cron_follows_the_register(self):
        register = self.new_register()
        cron = register.sudo().sender_cron_id
        self.assertTrue(cron.active)
        self.assertEqual(cron.model_id.model, "vchasno.receipt")
        code = "model._cron_send_pending_receipts(register_ids=[%d])"
        self.assertEqual(cron.code, code % register.id)
        self.assertEqual(cron.user_id, self.env.ref("base.user_root"))
        self.assertIn("Каса 7", cron.name)
        register.name = "Каса 8"
        self.assertIn("Каса 8", cron.name)
        register.active = False
        self.assertFalse(cron.active)
        register.active = True
        self.assertTrue(cron.active)
        self.assertEqual(register.sudo().sender_cron_id, cron, "restored, not doubled")
        register.unlink()
        self.assertFalse(cron.exists())

    def test_register_cron_runs_through_odoo(self):
        """Odoo's own runner executes the generated code, as root."""
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        cron = self.register.sudo().sender_cron_id
        cron.method_direct_trigger()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_archived_register_gets_no_cron(self):
        register = self.env["vchasno.register"].create(
            {
                "name": "Каса 9",
                "api_token": "tok-" + uuid.uuid4().hex,
                "tax_group_code": "1",
                "company_id": self.company.id,
                "active": False,
            }
        )
        self.assertFalse(register.sudo().sender_cron_id)

    def test_dispatcher_repairs_and_wakes(self):
        """The global cron makes the crons an upgrade lacks, wakes those with
        due receipts, and sends itself for a register whose cron is off."""
        register = self.register.sudo()
        own = register.sender_cron_id
        register.sender_cron_id = False  # as after an upgrade from 18.0.1
        own.unlink()
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        self.assertEqual(receipt.state, "to_send")
        Trigger = self.env["ir.cron.trigger"].sudo()
        # Global run: a new cron for the register, woken; nothing sent here.
        self.assertEqual(self.env["vchasno.receipt"]._cron_send_pending_receipts(), 0)
        cron = register.sender_cron_id
        self.assertTrue(cron.active)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)
        self.assertEqual(receipt.state, "to_send")
        # A person archives the register's cron: the global one sends.
        cron.active = False
        self.assertEqual(self.env["vchasno.receipt"]._cron_send_pending_receipts(), 1)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        self.assertFalse(cron.active, "a cron a person archived stays archived")

    def test_queueing_wakes_the_register_cron(self):
        cron = self.register.sudo().sender_cron_id
        glob = self.env.ref(MODULE + ".ir_cron_vchasno_send")
        Trigger = self.env["ir.cron.trigger"].sudo()

        def triggers():
            self.env.flush_all()
            return [Trigger.search_count([("cron_id", "=", c.id)]) for c in cron | glob]

        own, other = triggers()
        self.pay(self.make_invoice())
        self.assertEqual(triggers(), [own + 1, other])
        # No cron of its own (as before an upgrade's first dispatcher run):
        # the global one is woken.
        self.register.sudo().sender_cron_id = False
        self.pay(self.make_invoice())
        self.assertEqual(triggers(), [own + 1, other + 1])


@tagged("post_install", "-at_install")
class TestParallelSenders(RealCursorCase):
    def setUp(self):
        super().setUp()
        with self.cursor() as env:
            other = env["vchasno.register"].create(
                {
                    "name": "Real cursors 2",
                    "api_token": "real-" + uuid.uuid4().hex,
                    "tax_group_code": "1",
                    "company_id": self.company_id,
                    "auto_close": False,
                }
            )
            self.committed["register"].append(other.id)
            self.other_id = other.id

    def run_senders(self, *register_scopes):
        """One thread per sender, each in its own real cursor, started together.

        :return: receipts each sender sent
        """
        barrier = threading.Barrier(len(register_scopes))
        done, errors = [0] * len(register_scopes), []

        def sender(i, register_ids):
            try:
                with self.cursor() as env:
                    barrier.wait(timeout=10)
                    done[i] = env["vchasno.receipt"]._cron_send_pending_receipts(
                        register_ids=register_ids
                    )
            except Exception as err:  # noqa: BLE001 - reported by the test
                errors.append(err)

        threads = [
            threading.Thread(target=sender, args=(i, ids))
            for i, ids in enumerate(register_scopes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(errors, [])
        return done

    def states_and_tags(self, ids):
        with self.cursor() as env:
            receipts = env["vchasno.receipt"].browse(ids)
            return receipts.mapped("state"), receipts.mapped("tag")

    def test_two_senders_same_backlog_send_each_receipt_once(self):
        self.emulator.configure(latency_ms=40)
        mine = [self.queue("service_in", "10.00") for _i in range(6)]
        other = [
            self.queue("service_in", "10.00", register_id=self.other_id)
            for _i in range(6)
        ]
        both = [self.register_id, self.other_id]
        done = self.run_senders(both, both)
        # 12 receipts, each sent by exactly one of the two senders.
        self.assertEqual(sum(done), 12)
        self.assertTrue(all(done), "both senders took part: %s" % done)
        states, tags = self.states_and_tags(mine + other)
        self.assertEqual(states, ["done"] * 12)
        for tag in tags:
            self.assertEqual(len(self.docs(tag)), 1, tag)
        self.assertEqual(len(self.docs()), 12)

    def test_register_crons_keep_to_their_register_and_its_order(self):
        self.emulator.configure(latency_ms=40)
        mine = [self.queue("service_in", "10.00") for _i in range(4)]
        other = [
            self.queue("service_in", "10.00", register_id=self.other_id)
            for _i in range(4)
        ]
        # First only the other register's cron: this register's receipts wait.
        self.assertEqual(self.run_senders([self.other_id]), [4])
        self.assertEqual(self.states_and_tags(mine)[0], ["to_send"] * 4)
        self.assertEqual(self.states_and_tags(other)[0], ["done"] * 4)
        # Then both registers' crons at once: each sends its own, in order.
        more = [
            self.queue("service_in", "10.00", register_id=self.other_id)
            for _i in range(4)
        ]
        self.assertEqual(self.run_senders([self.register_id], [self.other_id]), [4, 4])
        for ids in (mine, other + more):
            states, tags = self.states_and_tags(ids)
            self.assertEqual(states, ["done"] * len(ids))
            issued = [d["tag"] for d in self.docs() if d["tag"] in tags]
            self.assertEqual(issued, tags, "one register's receipts go out in order")
