"""Agent sandbox (``sandbox="foulplay"``) costs: start and close of a domain, one ``exec`` round trip, a file
write and read, and N concurrent domains. Prints figures; compare ratios within one run.

    python benchmarks/agent_sandbox.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from foulplay.sandbox._domain import Domain


def timed(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    start = timed(lambda: Domain().start().close(), max(3, args.rounds // 4))
    with Domain() as d:
        print(f"isolation: {d.record()['isolation']} ({', '.join(d.record()['features'])})")
        true = timed(lambda: d.exec(["true"]), args.rounds)
        py = timed(lambda: d.exec(["python3", "-c", "pass"]), args.rounds)
        data = b"x" * (1 << 20)
        write = timed(lambda: d.write("blob.bin", data), args.rounds)
        read = timed(lambda: d.read("blob.bin"), args.rounds)
    print(f"domain start + close: {start * 1000:.0f} ms (median)")
    print(f"exec `true`: {true * 1000:.1f} ms; exec `python3 -c pass`: {py * 1000:.1f} ms")
    print(f"write 1 MiB: {write * 1000:.1f} ms; read 1 MiB: {read * 1000:.1f} ms")
    for n in (1, 4):
        domains = [Domain().start() for _ in range(n)]
        t = time.perf_counter()
        threads = [threading.Thread(target=lambda d=d: [d.exec(["true"]) for _ in range(20)]) for d in domains]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t
        for d in domains:
            d.close()
        print(f"{n} concurrent domains x 20 execs: {n * 20 / elapsed:.0f} execs/s")


if __name__ == "__main__":
    main()
