"""The M/M/1 model of src/sim/mm1.ts written the idiomatic SimPy way, for bench/run.ts.

Customers arrive as a Poisson process, queue FIFO for one server (a simpy.Resource of capacity
1) and hold it for an exponential service time; the mean wait in queue is compared with the
closed form rho / (mu - lambda). Prints one JSON object on stdout.

Needs SimPy 3 or later (`import simpy`; Debian: python3-simpy3).

usage: python3 bench/mm1_simpy.py CUSTOMERS [SEED]
"""
import json
import random
import sys
import time

import simpy

MEAN_ARRIVAL_NS = 1_000_000
MEAN_SERVICE_NS = 800_000


def main() -> None:
    customers = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    arrivals = random.Random(seed)
    service = random.Random(seed + 1)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    stats = {"served": 0, "wait_sum": 0.0}

    def customer():
        arrived = env.now
        with server.request() as req:
            yield req
            stats["wait_sum"] += env.now - arrived
            yield env.timeout(round(service.expovariate(1.0 / MEAN_SERVICE_NS)))
        stats["served"] += 1

    def source():
        for _ in range(customers):
            yield env.timeout(round(arrivals.expovariate(1.0 / MEAN_ARRIVAL_NS)))
            env.process(customer())

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    lam, mu = 1.0 / MEAN_ARRIVAL_NS, 1.0 / MEAN_SERVICE_NS
    print(json.dumps({
        "customers": stats["served"],
        "wall_s": wall,
        "customers_per_s": stats["served"] / wall,
        "mean_wait_ns": stats["wait_sum"] / stats["served"],
        "theory_wait_ns": lam / mu / (mu - lam),
        "simpy": simpy.__version__,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
