"""Protocol benchmark (run by hand): client + emulator cost on loopback.

    python3 bench/bench_protocol.py [--requests 200] [--runs 5]

Prints, as medians over runs: a bare ``requests.post`` of the sale payload,
the same through ``VchasnoClient.execute`` (round trip with classification),
their ratio, and the emulator's own cost per request in-process (``handle``,
no HTTP), so that later benchmarks can subtract it.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tools import receipt_maths as rm
from tools.emulator import VchasnoEmulator
from tools.vchasno_client import FISCAL_PATH, VchasnoClient

TOKEN = "bench-token"


def sale(tag):
    receipt = rm.build_receipt(
        [
            rm.Row(
                "Продукт 1", Decimal(2), Decimal("20.10"), "4", disc=Decimal("-0.10")
            ),
            rm.Row(
                "Продукт 2", Decimal(1), Decimal("1410.04"), 3, disc=Decimal("5.05")
            ),
        ],
        [
            rm.Pay(rm.PAY_CASH, Decimal("1440.20"), change=Decimal("59.90")),
            rm.Pay(rm.PAY_CARD, Decimal("5.10")),
        ],
        rounding=Decimal("0.01"),
    )
    return rm.build_request(rm.TASK_SALE, tag, receipt=receipt)


def per_request(func, count):
    started = time.perf_counter()
    for index in range(count):
        func(index)
    return (time.perf_counter() - started) / count * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    emulator = VchasnoEmulator()
    url = emulator.start()
    session = requests.Session()
    client = VchasnoClient(url, TOKEN, session=session)
    payloads = [sale(f"b{i}") for i in range(args.requests)]
    bare, full, local = [], [], []
    try:
        for run in range(args.runs):
            emulator.reset()

            def post(i):
                session.post(
                    url + FISCAL_PATH,
                    json=payloads[i],
                    headers={"Authorization": TOKEN},
                    timeout=(5, 30),
                ).json()

            bare.append(per_request(post, args.requests))
            emulator.reset()
            full.append(
                per_request(lambda i: client.execute(payloads[i]), args.requests)
            )
            emulator.reset()
            local.append(
                per_request(
                    lambda i: emulator.handle(TOKEN, payloads[i]), args.requests
                )
            )
            print(f"run {run + 1} done", file=sys.stderr)
    finally:
        client.close()
        session.close()
        emulator.stop()
    rows = [
        ("bare requests.post (HTTP)", statistics.median(bare)),
        ("VchasnoClient.execute (HTTP)", statistics.median(full)),
        ("emulator handle() in-process", statistics.median(local)),
    ]
    print(f"{args.requests} requests x {args.runs} runs, medians")
    print(f"{'measure':<32} {'ms/request':>10}")
    for name, value in rows:
        print(f"{name:<32} {value:10.3f}")
    print(f"{'client / bare ratio':<32} {rows[1][1] / rows[0][1]:10.2f}")


if __name__ == "__main__":
    main()
