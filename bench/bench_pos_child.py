"""Point of Sale benchmark, the measures that run inside Odoo.

``bench_pos.py --child SPEC`` (a fresh Odoo process per measurement, real
commits) calls these; bench_pos.py is the parent (sizes, emulator, report).
"""

import statistics
import time
from collections import Counter

import bench_outbox as bo
from bench_common import note
from query_capture import capture_queries

BLOCK = 10  # orders per block of one mode (child_sync)


def _pos_records(env):
    config = env["pos.config"].search([("name", "=", "Bench POS")], limit=1)
    product = env["product.product"].search([("default_code", "=", "BENCH-1")], limit=1)
    return config, product


def child_pos_setup(cr, spec):
    from odoo import SUPERUSER_ID, Command, api  # noqa: PLC0415

    out = bo.child_setup(cr, spec)  # company in UAH, register, journals, product
    env = api.Environment(cr, SUPERUSER_ID, {})
    company, register, journals, *_rest = bo._bench_records(env)  # noqa: SLF001
    config, product = _pos_records(env)
    product.available_in_pos = True
    if not config:
        cash = journals.filtered(lambda j: j.type == "cash")[:1]
        method = env["pos.payment.method"].create(
            {"name": "Bench cash", "journal_id": cash.id, "company_id": company.id}
        )
        config = env["pos.config"].create(
            {"name": "Bench POS", "company_id": company.id,
             "vchasno_register_id": register.id,
             "payment_method_ids": [Command.set(method.ids)]}
        )  # fmt: skip
    # The bench's set-up, for the next processes.
    cr.commit()
    out["pos_config"] = config.id
    return out


def _order(session, product, method, uid, seq):
    """One paid order as the Point of Sale 18.0 sends it: 1 x 100.00 in cash."""
    from uuid import uuid4  # noqa: PLC0415

    from odoo import Command, fields  # noqa: PLC0415

    uuid = str(uuid4())
    return {
        "uuid": uuid,
        "name": "Order %s" % uuid[:8],
        "session_id": session.id,
        "user_id": uid,
        "pricelist_id": session.config_id.pricelist_id.id,
        "fiscal_position_id": False,
        "sequence_number": seq,
        "date_order": fields.Datetime.to_string(fields.Datetime.now()),
        "lines": [
            Command.create(
                {
                    "uuid": str(uuid4()),
                    "product_id": product.id,
                    "full_product_name": product.name,
                    "qty": 1,
                    "price_unit": 100.0,
                    "discount": 0.0,
                    "tax_ids": [Command.set([])],
                    "price_subtotal": 100.0,
                    "price_subtotal_incl": 100.0,
                    "pack_lot_ids": [],
                }
            )  # fmt: skip
        ],
        "payment_ids": [
            Command.create(
                {
                    "uuid": str(uuid4()),
                    "name": fields.Datetime.now(),
                    "payment_method_id": method.id,
                    "amount": 100.0,
                }
            )  # fmt: skip
        ],
        "amount_total": 100.0,
        "amount_tax": 0.0,
        "amount_paid": 100.0,
        "amount_return": 0.0,
        "state": "paid",
        "last_order_preparation_change": "{}",
        "to_invoice": False,
    }


def child_sync(cr, spec):
    """Pairs of N orders off and N on, in interleaved blocks (see below)."""
    env, config, product = _sync_env(cr)
    company = config.company_id
    Receipt = env["vchasno.receipt"].sudo()
    session = config.current_session_id
    method = config.payment_method_ids[:1]
    seq = iter(range(1, 10**9))

    def one_run(mode, count):
        company.sudo().vchasno_enabled = mode == "on"
        # The bench measures real transactions, one per RPC.
        cr.commit()
        env.invalidate_all()
        before = Receipt.search_count([])
        orders = [
            _order(session, product, method, env.uid, next(seq)) for _i in range(count)
        ]
        cpu, started = time.process_time(), time.perf_counter()
        _sync_each(env, orders)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        queued = Receipt.search_count([]) - before
        if queued != (count if mode == "on" else 0):
            raise AssertionError(
                "%s: %d receipts queued for %d orders" % (mode, queued, count)
            )
        return elapsed, cpu, queued

    n, total = spec["orders"], 0
    block = min(BLOCK, n)
    note("warm-up: %d orders off, %d on" % (spec["warmup"], spec["warmup"]))
    one_run("off", spec["warmup"])
    total += one_run("on", spec["warmup"])[2]
    out = {"orders": n, "block": block, "pairs": []}
    for index in range(spec["pairs"]):
        # A pair is N orders off and N on, in blocks of BLOCK orders in the
        # order ABBA ABBA... (A = the pair's first mode, alternating from
        # pair to pair): the sync slows down as the session fills and as
        # other work on the machine comes and goes, and interleaving cancels
        # that drift, which two runs of N orders back to back do not.
        first = "off" if index % 2 == 0 else "on"
        second = "on" if first == "off" else "off"
        pair = {"first": first, "off_s": 0.0, "on_s": 0.0}
        pair.update(off_cpu_s=0.0, on_cpu_s=0.0)
        for step in range(n // block):
            for mode in (first, second) if step % 2 == 0 else (second, first):
                elapsed, cpu, queued = one_run(mode, block)
                pair[mode + "_s"] += elapsed
                pair[mode + "_cpu_s"] += cpu
                total += queued
        out["pairs"].append(pair)
        note(
            "pair %d (%s first): off %.2f s, on %.2f s, ratio %.3f"
            % (
                index + 1,
                first,
                pair["off_s"],
                pair["on_s"],
                pair["on_s"] / pair["off_s"],
            )
        )
    company.sudo().vchasno_enabled = True
    # The bench's state for the drain.
    cr.commit()
    out["queued"] = total
    return out


def _sync_each(env, orders):
    """Sync the orders one by one, as the Point of Sale sends paid orders."""
    for data in orders:
        env["pos.order"].sync_from_ui([data])
        # Each sync is one RPC, committed as the request is.
        env.cr.commit()


def _sync_env(cr):
    """The admin's environment, the bench POS's open session and its method."""
    from odoo import api  # noqa: PLC0415

    env = api.Environment(cr, 2, {})  # the admin user, as at the counter (not su)
    config, product = _pos_records(env(su=True))
    config = config.with_env(env)
    # Receipts queued before this run (an interrupted run) are not ours.
    cr.execute(
        "UPDATE vchasno_receipt SET state = 'cancelled' "
        "WHERE state IN ('to_send', 'sending', 'unknown')"
    )
    # A session of the day, not of every run since the database was made:
    # Odoo's sync slows down as its session fills (thousands of orders
    # here). The previous run's session is marked closed without its
    # closing entries (bench data, never reported on), and a new one opens.
    cr.execute(
        "UPDATE pos_session SET state = 'closed', stop_at = now() "
        "WHERE config_id = %s AND state != 'closed'",
        [config.id],
    )
    env.invalidate_all()
    config.open_ui()
    config.current_session_id.set_opening_control(0, None)
    # The bench measures real transactions, one per RPC.
    cr.commit()
    return env, config, product


def child_queries(cr, spec):
    """Queries of one ``sync_from_ui`` (+ its flush), integration off vs on."""
    env, config, product = _sync_env(cr)
    session, method = config.current_session_id, config.payment_method_ids[:1]
    counts, texts, queued = {}, {}, 0
    for mode in ("off", "on"):
        config.company_id.sudo().vchasno_enabled = mode == "on"
        # The bench measures real transactions, one per RPC.
        cr.commit()
        counts[mode] = []
        for index in range(spec["orders"]):
            data = _order(session, product, method, env.uid, 10**6 + index)
            env.invalidate_all()
            if index == spec["orders"] - 1:
                texts[mode] = capture_queries(
                    lambda d=data: (env["pos.order"].sync_from_ui([d]), env.flush_all())
                )
            else:
                before = cr.sql_log_count
                env["pos.order"].sync_from_ui([data])
                env.flush_all()
                counts[mode].append(cr.sql_log_count - before)
            # Each sync is one RPC, committed as the request is.
            cr.commit()
        queued += spec["orders"] if mode == "on" else 0
    added = Counter(texts["on"]) - Counter(texts["off"])
    off, on = statistics.median(counts["off"]), statistics.median(counts["on"])
    return {
        "orders": spec["orders"] - 1,
        "off_median": off,
        "on_median": on,
        "added": on - off,
        "added_queries": sorted(added.elements()),
        "queued": queued,
    }


def child_profile(cr, spec):
    """Stack samples of N syncs with the integration on: the addon's share.

    ``stack_sampler.addon_share`` says what counts (the addon's frames and
    what they call, not the core methods they extend through ``super()``).
    The addon's time per order is that share of the sampled wall time.
    """
    import stack_sampler  # noqa: PLC0415 - bench/ is the script's folder

    env, config, product = _sync_env(cr)
    session, method = config.current_session_id, config.payment_method_ids[:1]
    config.company_id.sudo().vchasno_enabled = True
    # The bench measures real transactions, one per RPC.
    cr.commit()
    seq = iter(range(2 * 10**6, 3 * 10**6))
    orders = [
        _order(session, product, method, env.uid, next(seq))
        for _i in range(spec["orders"] + 10)
    ]
    _sync_each(env, orders[:10])  # warm-up
    env.invalidate_all()
    with stack_sampler.Sampler() as sampler:
        started = time.perf_counter()
        _sync_each(env, orders[10:])
        elapsed = time.perf_counter() - started
    share = stack_sampler.addon_share(sampler.stacks, bo.ROOT)
    share.update(
        orders=spec["orders"],
        wall_s=elapsed,
        own_ms_per_order=1000 * share["own_share"] * elapsed / spec["orders"],
        queued=len(orders),
    )
    return share


def child_drain(cr, spec):
    """Send every queued receipt with the cron method; their states and tags."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})  # the cron's user
    Receipt = env["vchasno.receipt"]
    queued = Receipt.search([("state", "=", "to_send")])
    started = time.perf_counter()
    for _i in range(5):
        # The registers' own crons (models/vchasno_sender_crons): called
        # without register_ids, the method is the global cron, which only
        # wakes those crons and sends nothing in this process.
        Receipt._cron_send_pending_receipts(
            batch_size=10**6, time_box=10**6, register_ids=queued.register_id.ids
        )
        if not Receipt._due_count():
            break
    wall = time.perf_counter() - started
    queued.invalidate_recordset()
    return {
        "n": spec["n"],
        "wall_s": wall,
        "states": dict(Counter(queued.mapped("state"))),
        "tags": queued.mapped("tag"),
    }
