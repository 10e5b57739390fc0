"""Posting payments, integration off vs on (measures 1 and 1b), and its profile.

The parent's measures (a mixin of bench_outbox.Bench), the child tasks that
run inside Odoo, and the rows of the report. See bench/README.md.
"""

import statistics
import time
from collections import Counter

from bench_common import (
    POSTING_LATENCIES,
    ROOT,
    TARGETS,
    _bench_records,
    log,
    note,
    quartiles,
    verdict,
)
from query_capture import capture_queries


class PostingMeasures:
    def measure_posting(self):
        """Posting off vs on, as pairs of runs whose order alternates.

        A run that comes second in a pair was measured ~2 s slower whatever
        its mode (issue 12): with 5 runs in a fixed order the order decided
        the ratio. Here each pair gives one on/off ratio, the first mode
        alternates from pair to pair (so the order effect cancels out over
        an even number of runs), and the report gives the median of the
        paired ratios with its spread, plus the order effect itself.
        """
        out = {}
        # An even number of pairs: each order (off first, on first) as often.
        pairs = self.size("posting_pairs") + self.size("posting_pairs") % 2
        for latency in self.args.latencies or POSTING_LATENCIES:
            self.emu_reset(latency)
            log(
                "posting: %d payments x %d pairs off/on (alternating), emulator "
                "at %d ms",
                self.size("payments"),
                pairs,
                latency,
            )
            res = self.child(
                "posting",
                payments=self.size("payments"),
                pairs=pairs,
                warmup=self.size("posting_warmup"),
                hook_queries=not out,
            )
            res["emulator_documents"] = len(self.emu("GET", "/_emulator/documents"))
            res.update(summarize_pairs(res["pairs"]))
            out[str(latency)] = res
            log(
                "  on/off: median of %d paired ratios %.3f (min %.3f, max %.3f, "
                "IQR %.3f-%.3f); CPU %.3f; second/first in a pair %.3f; "
                "emulator documents: %d",
                len(res["pairs"]),
                res["ratio"],
                res["ratio_min"],
                res["ratio_max"],
                res["ratio_q1"],
                res["ratio_q3"],
                res["cpu_ratio"],
                res["order_ratio"],
                res["emulator_documents"],
            )
            self.results["posting"] = out
            self.save()

    def measure_posting_profile(self):
        """Where posting time goes: the addon's own share, from stack samples."""
        self.emu_reset(POSTING_LATENCIES[0])
        n = self.size("profile_payments")
        log("posting profile: %d payments, integration on, stack samples", n)
        res = self.child("posting_profile", payments=n)
        self.results["posting_profile"] = res
        log(
            "  %d samples: addon's own share %.1f %% (any addon frame on the "
            "stack: %.1f %%)",
            res["samples"],
            100 * res["own_share"],
            100 * res["on_stack_share"],
        )
        self.save()


def summarize_pairs(pairs):
    """The paired on/off ratios: median and spread, and the order effect.

    Each pair is one off run and one on run back to back; ``first`` says
    which ran first. The order effect (second / first, whatever the modes)
    is reported so that a reader sees how much the alternation cancels.
    """
    ratios = [pair["on_s"] / pair["off_s"] for pair in pairs]
    cpu = [pair["on_cpu_s"] / pair["off_cpu_s"] for pair in pairs]
    order = [
        (pair["off_s"] / pair["on_s"])
        if pair["first"] == "on"
        else (pair["on_s"] / pair["off_s"])
        for pair in pairs
    ]
    q1, median, q3 = quartiles(ratios)
    return {
        "ratios": ratios,
        "ratio": median,
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "ratio_q1": q1,
        "ratio_q3": q3,
        "cpu_ratios": cpu,
        "cpu_ratio": statistics.median(cpu),
        "order_ratio": statistics.median(order),
        "off_median_s": statistics.median(pair["off_s"] for pair in pairs),
        "on_median_s": statistics.median(pair["on_s"] for pair in pairs),
    }


def posting_rows(r):
    """The report's rows of the posting measure."""
    rows = []
    for latency, p in r.get("posting", {}).items():
        rows.append(
            (
                "posting %d payments, emulator %s ms: off / on (medians)"
                % (p["payments"], latency),
                "%.2f s / %.2f s" % (p["off_median_s"], p["on_median_s"]),
                "ratio <= %.2f" % TARGETS["posting_ratio_max"],
                verdict(
                    p["ratio"] <= TARGETS["posting_ratio_max"], "%.3f" % p["ratio"]
                ),
            )
        )
        rows.append(
            (
                "  median of %d paired on/off ratios (alternating order)"
                % len(p["pairs"]),
                "%.3f" % p["ratio"],
                "spread",
                "min %.3f max %.3f IQR %.3f-%.3f"
                % (p["ratio_min"], p["ratio_max"], p["ratio_q1"], p["ratio_q3"]),
            )
        )
        rows.append(
            (
                "  order effect: second / first run of a pair (median)",
                "%.3f" % p["order_ratio"],
                "",
                "",
            )
        )
        rows.append(
            (
                "  ms per payment off / on; queries per payment off / on",
                "%.1f / %.1f ms; %.0f / %.0f"
                % (
                    1000 * p["off_median_s"] / p["payments"],
                    1000 * p["on_median_s"] / p["payments"],
                    p["queries_per_payment"]["off"],
                    p["queries_per_payment"]["on"],
                ),
                "",
                "HTTP documents during posting: %d" % p["emulator_documents"],
            )
        )
        rows.append(
            (
                "  Odoo process CPU on/off ratio (less sensitive to other load)",
                "%.3f" % p["cpu_ratio"],
                "",
                "",
            )
        )
        if p.get("hook_queries"):
            h = p["hook_queries"]
            rows.append(
                (
                    "  queries of account.payment.action_post off / on (median)",
                    "%s / %s" % (h["off_median"], h["on_median"]),
                    "added <= %d" % TARGETS["hook_queries_max"],
                    verdict(
                        h["added"] <= TARGETS["hook_queries_max"],
                        "+%s" % h["added"],
                    ),
                )
            )
    return rows


def posting_profile_rows(r):
    """The report's rows of the posting profile."""
    rows = []
    if "posting_profile" in r:
        p = r["posting_profile"]
        rows.append(
            (
                "posting profile: addon's own share (%d payments, %d samples)"
                % (p["payments"], p["samples"]),
                "%.1f %%" % (100 * p["own_share"]),
                "",
                "any addon frame on the stack: %.1f %%" % (100 * p["on_stack_share"]),
            )
        )
        for name, share in p.get("own_by_entry", [])[:5]:
            rows.append(("  of which under " + name, "%.1f %%" % (100 * share)))
            rows[-1] += ("", "")
    return rows


def posting_notes(r):
    """The queries that the posting hook adds, below the table."""
    lines = []
    for p in r.get("posting", {}).values():
        if p.get("hook_queries", {}).get("added_queries"):
            lines.append("queries that the posting hook adds to one action_post:")
            lines.extend("  " + q for q in p["hook_queries"]["added_queries"])
    return lines


# ============================================================================
# Child: runs inside Odoo (``--child SPEC``)
# ============================================================================


def _posting_env(cr):
    from odoo import api  # noqa: PLC0415

    env = api.Environment(cr, 2, {})  # the admin user, as in the UI (not su)
    company, _register, _journals, bank, partner, product = _bench_records(env(su=True))
    return env, company.with_env(env), bank, partner, product


def _posted_invoices(env, partner, product, count):
    """``count`` posted one-line invoices of 100 (not timed)."""
    from odoo import Command, fields  # noqa: PLC0415

    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.context_today(env.user),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": 100.0}
                    )
                ],
            }
            for _i in range(count)
        ]
    )
    invoices.action_post()
    return invoices


def _register_payments(env, invoices, bank):
    """Pay each invoice through the Register Payment wizard, as a user does."""
    for invoice in invoices:
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": bank.id})
        )
        wizard.with_context(dont_redirect_to_payments=True)._create_payments()
    env.flush_all()


def child_posting(cr, spec):
    env, company, bank, partner, product = _posting_env(cr)
    Receipt = env["vchasno.receipt"].sudo()

    def set_integration(on):
        company.sudo().vchasno_enabled = on
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()

    def one_run(mode, count):
        set_integration(mode == "on")
        # Every run starts from the same cache state, not from what the
        # previous run left in the environment.
        env.invalidate_all()
        invoices = _posted_invoices(env, partner, product, count)
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
        receipts_before = Receipt.search_count([])
        env.flush_all()
        queries = cr.sql_log_count
        cpu = time.process_time()
        started = time.perf_counter()
        _register_payments(env, invoices, bank)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        queries = cr.sql_log_count - queries
        started = time.perf_counter()
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
        commit_s = time.perf_counter() - started
        receipts = Receipt.search_count([]) - receipts_before
        expected = count if mode == "on" else 0
        if receipts != expected:
            raise AssertionError(
                "%s: %d receipts queued, expected %d" % (mode, receipts, expected)
            )
        return elapsed, cpu, commit_s, queries / count

    n = spec["payments"]
    note("warm-up: %d payments off, %d on" % (spec["warmup"], spec["warmup"]))
    one_run("off", spec["warmup"])
    one_run("on", spec["warmup"])
    out = {"payments": n, "pairs": []}
    queries = {"off": [], "on": []}
    for index in range(spec["pairs"]):
        # Alternate which mode goes first: the second run of a pair is
        # slower whatever its mode, so a fixed order would decide the ratio.
        order = ("off", "on") if index % 2 == 0 else ("on", "off")
        pair = {"first": order[0]}
        for mode in order:
            elapsed, cpu, commit_s, qpp = one_run(mode, n)
            pair.update(
                {
                    mode + "_s": elapsed,
                    mode + "_cpu_s": cpu,
                    mode + "_commit_s": commit_s,
                }
            )
            queries[mode].append(qpp)
        out["pairs"].append(pair)
        note(
            "pair %d (%s first): off %.2f s, on %.2f s, ratio %.3f"
            % (index + 1, order[0], pair["off_s"], pair["on_s"],
               pair["on_s"] / pair["off_s"])
        )  # fmt: skip
    out["queries_per_payment"] = {m: statistics.median(q) for m, q in queries.items()}
    if spec.get("hook_queries"):
        out["hook_queries"] = _hook_queries(
            env, cr, company, bank, partner, set_integration
        )
    set_integration(True)
    return out


def child_posting_profile(cr, spec):
    """Stack samples of posting with the integration on: the addon's share.

    See ``stack_sampler.addon_share`` for what counts as the addon's own
    time (its frames and what they call, minus the core methods that its
    overrides extend through ``super()``).
    """
    import stack_sampler  # noqa: PLC0415 - bench/ is the script's folder

    env, company, bank, partner, product = _posting_env(cr)
    company.sudo().vchasno_enabled = True
    warm = _posted_invoices(env, partner, product, 10)
    # The bench measures real transactions, as the cron worker runs them.
    cr.commit()
    _register_payments(env, warm, bank)
    # The warm-up payments, as one user request commits them.
    cr.commit()
    env.invalidate_all()
    invoices = _posted_invoices(env, partner, product, spec["payments"])
    # The invoices to pay exist before the timed (sampled) payments.
    cr.commit()
    with stack_sampler.Sampler() as sampler:
        started = time.perf_counter()
        _register_payments(env, invoices, bank)
        elapsed = time.perf_counter() - started
    # The sampled payments, as one user request commits them.
    cr.commit()
    share = stack_sampler.addon_share(sampler.stacks, ROOT)
    share.update(payments=spec["payments"], wall_s=elapsed)
    return share


def _hook_queries(env, cr, company, bank, partner, set_integration, count=21):
    """Queries of ``account.payment.action_post``, integration off vs on.

    Payments without invoice, posted one by one; ``flush_all`` inside the
    counted window so that deferred INSERT/UPDATEs are counted too.
    """
    counts, texts = {}, {}
    for mode in ("off", "on"):
        set_integration(mode == "on")
        payments = env["account.payment"].create(
            [
                {"payment_type": "inbound", "partner_type": "customer",
                 "partner_id": partner.id, "amount": 100.0, "journal_id": bank.id}
                for _i in range(count)
            ]
        )  # fmt: skip
        # The payments to post exist before the counted postings.
        cr.commit()
        counts[mode] = []
        for payment in payments[:-1]:
            env.flush_all()
            before = cr.sql_log_count
            payment.action_post()
            env.flush_all()
            counts[mode].append(cr.sql_log_count - before)
        texts[mode] = capture_queries(
            lambda p=payments[-1]: (p.action_post(), env.flush_all())
        )
        # The bench measures real transactions, as the cron worker runs them.
        cr.commit()
    off, on = statistics.median(counts["off"]), statistics.median(counts["on"])
    added = Counter(texts["on"]) - Counter(texts["off"])
    return {
        "payments": count - 1,
        "off": counts["off"],
        "on": counts["on"],
        "off_median": off,
        "on_median": on,
        "added": on - off,
        "added_queries": sorted(added.elements()),
    }
