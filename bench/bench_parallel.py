"""Registers drain in parallel (issue 14): the children of ``--only parallel``.

Run through ``bench_outbox.py`` (its database, emulator and child processes):

    python3 bench/bench_outbox.py --only parallel

A backlog of R registers x N receipts (frozen payloads) at 300 ms is drained
by R senders at once, each one the code of a register's own cron
(``_cron_send_pending_receipts(register_ids=[id])``) in a thread with its own
real cursor, as Odoo's cron threads run different crons side by side; then
one register x N by one sender. The ratio of the rates is the speed-up
(target >= 3 for 4 registers). Every receipt must be ``done`` and the
emulator must hold exactly one document per tag.
"""

import threading
import time
from collections import Counter

from bench_common import PARALLEL_REGISTERS, SLOW_MS, TARGETS, log, verdict

PAR_TOKEN = "bench-par-%d"


# ============================================================================
# Parent: the measure (a mixin of bench_outbox.Bench) and its report rows
# ============================================================================


class ParallelMeasures:
    def measure_parallel(self):
        """R registers x N receipts by R concurrent senders vs 1 x N by one."""
        n, out = self.size("parallel_n"), {}
        for label, count in (("parallel", PARALLEL_REGISTERS), ("single", 1)):
            self.emu_reset(SLOW_MS)
            prefix = "b%s-%s-" % (self.stamp[-6:], label)
            queued = self.child("par_queue", n=n, registers=count, prefix=prefix)
            log(
                "parallel: %d register(s) x %d receipts queued (%.1f s), %d "
                "sender(s) at %d ms",
                count, n, queued["s"], count, SLOW_MS,
            )  # fmt: skip
            res = self.child(
                "par_drain", register_ids=queued["register_ids"], prefix=prefix
            )
            docs = self.emu("GET", "/_emulator/documents")
            per_tag = Counter(d["tag"] for d in docs if d["tag"].startswith(prefix))
            total = n * count
            res.update(
                registers=count,
                n_per_register=n,
                crons=queued["crons"],
                emulator_documents=len(docs),
                emulator_tags=len(per_tag),
                max_documents_per_tag=max(per_tag.values(), default=0),
                receipts_per_s=total / res["wall_s"],
            )
            res["verified"] = bool(
                res["states"] == {"done": total}
                and len(per_tag) == total == len(docs)
                and res["max_documents_per_tag"] == 1
                and not res["errors"]
            )
            out[label] = res
            log(
                "  %.1f s: %.2f receipts/s, per sender %s, documents per tag max "
                "%d, verified=%s",
                res["wall_s"], res["receipts_per_s"], res["sent_per_sender"],
                res["max_documents_per_tag"], res["verified"],
            )  # fmt: skip
        out["speedup"] = (
            out["parallel"]["receipts_per_s"] / out["single"]["receipts_per_s"]
        )
        log("  parallel / single rate: %.2fx", out["speedup"])
        self.results["parallel"] = out
        self.save()


def parallel_rows(p):
    par, one = p["parallel"], p["single"]
    rows = [
        (
            "%d registers x %d at %d ms, %d senders (cron threads)"
            % (par["registers"], par["n_per_register"], SLOW_MS, par["registers"]),
            "%.2f receipts/s" % par["receipts_per_s"],
            "%.1f s" % par["wall_s"],
            "verified" if par["verified"] else "NOT VERIFIED",
        ),
        (
            "1 register x %d at %d ms, 1 sender" % (one["n_per_register"], SLOW_MS),
            "%.2f receipts/s" % one["receipts_per_s"],
            "%.1f s" % one["wall_s"],
            "verified" if one["verified"] else "NOT VERIFIED",
        ),
        (
            "parallel / single rate; documents per tag (max)",
            "%.2fx; %d" % (p["speedup"], par["max_documents_per_tag"]),
            "",
            verdict(
                p["speedup"] >= TARGETS["parallel_speedup_min"],
                ">= %.1fx" % TARGETS["parallel_speedup_min"],
            ),
        ),
    ]
    return rows


# ============================================================================
# Child: runs inside Odoo (``--child SPEC``)
# ============================================================================


def par_registers(env, count):
    """``count`` bench registers of their own (each with its sending cron)."""
    company = env.ref("base.main_company")
    Register = env["vchasno.register"].with_context(active_test=False)
    registers = Register.browse()
    for i in range(count):
        register = Register.search([("api_token", "=", PAR_TOKEN % i)], limit=1)
        if not register:
            register = Register.create(
                {"name": "Bench parallel %d" % i, "api_token": PAR_TOKEN % i,
                 "tax_group_code": "1", "company_id": company.id,
                 "auto_close": False}
            )  # fmt: skip
        register.write(
            {"active": True, "auth_failed": False, "consecutive_failures": 0,
             "circuit_open_until": False}
        )  # fmt: skip
        registers |= register
    return registers


def child_par_queue(cr, spec, queue_func):
    """Queue N receipts on each of R registers (``queue_func``: bench_outbox's)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    registers = par_registers(env, spec["registers"])
    # The registers and their crons, before the queue.
    cr.commit()
    started = time.perf_counter()
    for index, register in enumerate(registers):
        queue_func(
            cr,
            dict(spec, prefix="%sr%d-" % (spec["prefix"], index)),
            register_id=register.id,
            cancel_leftovers=index == 0,
        )
    return {
        "register_ids": registers.ids,
        "crons": len(registers.sender_cron_id),
        "s": time.perf_counter() - started,
    }


def child_par_drain(registry, spec):
    """R senders at once, one thread and one real cursor per register's cron."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    register_ids = spec["register_ids"]
    barrier = threading.Barrier(len(register_ids))
    done, errors, walls = {}, [], {}

    def sender(register_id):
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})  # the cron's user
                barrier.wait(timeout=60)
                started = time.perf_counter()
                count = 0
                while True:  # as Odoo re-runs a cron that reports progress
                    sent = env["vchasno.receipt"]._cron_send_pending_receipts(
                        batch_size=10**6, time_box=10**6, register_ids=[register_id]
                    )
                    count += sent
                    if not sent:
                        break
                done[register_id] = count
                walls[register_id] = time.perf_counter() - started
        except Exception as err:  # noqa: BLE001 - reported in the results
            errors.append(repr(err))

    threads = [threading.Thread(target=sender, args=(rid,)) for rid in register_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM vchasno_receipt WHERE tag LIKE %s "
            "GROUP BY state",
            [spec["prefix"] + "%"],
        )
        states = dict(cr.fetchall())
    return {
        "wall_s": wall,
        "sent_per_sender": [done.get(rid) for rid in register_ids],
        "wall_per_sender_s": [walls.get(rid) for rid in register_ids],
        "states": states,
        "errors": errors,
    }
