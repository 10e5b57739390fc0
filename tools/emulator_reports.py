"""Shift totals and X/Z report bodies of the emulator (spec §5.4).

Tax amounts are computed as "included in the price" per group; Vchasno's
exact rounding of report taxes is unknown, so treat them as approximate.
"""

import copy
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money2(value):
    return float(value.quantize(CENT))


def new_totals():
    return {
        "count": {"p": 0, "m": 0, "14": 0},
        "last_docno": {"p": 0, "m": 0},
        "summary": {k: ZERO for k in ("base_p", "base_m", "disc_p", "disc_m")},
        "taxes": {},  # code -> {"base_p", "base_m"}
        "money": {},  # pay type -> {"sum_p", "sum_m", "round_pu", ...}
        "cash": {"in": ZERO, "out": ZERO},
    }


def add_totals(shift, checked, sign):
    """Add one checked receipt to the shift totals (``p`` sale, ``m`` return)."""
    shift["count"][sign] += 1
    shift["summary"]["base_" + sign] += checked["sum"]
    shift["summary"]["disc_" + sign] += checked["disc"]
    shares = _spread(checked["disc"], [v for _g, v in checked["rows"]])
    for (group, value), share in zip(checked["rows"], shares, strict=False):
        taxes = shift["taxes"].setdefault(group, {"base_p": ZERO, "base_m": ZERO})
        taxes["base_" + sign] += value - share
    for ptype, amount in checked["pays"]:
        money = shift["money"].setdefault(
            ptype,
            {
                k: ZERO
                for k in (
                    "sum_p",
                    "sum_m",
                    "round_pu",
                    "round_pd",
                    "round_mu",
                    "round_md",
                )
            },
        )
        money["sum_" + sign] += amount
        if ptype == 0 and checked["round"]:
            key = "round_" + sign + ("u" if checked["round"] > 0 else "d")
            money[key] += abs(checked["round"])


def _spread(amount, values):
    """Proportional split of a receipt discount over rows (rest on the last)."""
    total = sum(values, ZERO)
    if not amount or not total:
        return [ZERO] * len(values)
    shares = [(amount * v / total).quantize(CENT) for v in values]
    shares[-1] += amount - sum(shares, ZERO)
    return shares


def report_body(shift, tax_groups, pay_types):
    summary = shift["summary"]
    body = {
        "receipt": {
            "count_p": shift["count"]["p"],
            "count_m": shift["count"]["m"],
            "count_14": shift["count"]["14"],
            "count_transfer": 0,
            "last_docno_p": shift["last_docno"]["p"],
            "last_docno_m": shift["last_docno"]["m"],
        },
        "summary": {
            "base_p": money2(summary["base_p"]),
            "base_m": money2(summary["base_m"]),
            "disc_p": money2(summary["disc_p"]),
            "disc_m": money2(summary["disc_m"]),
            "calc_p": money2(summary["base_p"] - summary["disc_p"]),
            "calc_m": money2(summary["base_m"] - summary["disc_m"]),
        },
        "taxes": [],
        "cash": [
            {
                "type": 0,
                "sum_p": money2(shift["cash"]["in"]),
                "sum_m": money2(shift["cash"]["out"]),
            }
        ],
    }
    for code, sums in sorted(shift["taxes"].items()):
        letter, name, fname, vat, extra = tax_groups[code]
        row = {"gr_code": int(code) if code.isdigit() else code, "tax_lit": letter,
               "tax_name": name, "tax_fname": fname, "tax_percent": float(vat),
               "ex_percent": float(extra)}  # fmt: skip
        for sign in ("p", "m"):
            base = sums["base_" + sign]
            divisor = 100 + vat + extra
            row["base_sum_" + sign] = money2(base)
            row["tax_sum_" + sign] = money2(base * vat / divisor)
            row["ex_sum_" + sign] = money2(base * extra / divisor)
        body["taxes"].append(row)
    body["pays"] = [
        dict({"type": ptype, "name": pay_types.get(ptype, str(ptype))},
             **{k: money2(v) for k, v in sums.items()})
        for ptype, sums in sorted(shift["money"].items())
    ]  # fmt: skip
    body["money"] = copy.deepcopy(body["pays"])
    return body
