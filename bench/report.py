"""Summarise bench/run.sh's results (one JSON object per wrk run) side by side, with ratios.

    python3 bench/report.py bench/out/results.jsonl

Per connection count and scenario, one row per server: requests/s and latencies (the median
over the rounds; `max` the largest), errors summed, the spread of requests/s between rounds
(how noisy the run was), and for every server that is not the floor or the peer its throughput
as a fraction of the floor's and its p95 as a multiple of the peer's, both from the same run.

`Little` checks wrk's latencies against Little's law: with every connection always waiting for
an answer (wrk's closed loop), the mean latency must be connections / (requests/s). Far from
1.00 the latency columns are not to be trusted: above (`!`), wrk's histogram disagrees with its
own request count (seen with very short requests at one connection on a loaded machine);
below (`!`), some connections were starved or the server stalled, and wrk never counted the
requests that did not finish.
Standard library only.
"""

import json
import statistics
import sys
from collections import defaultdict

REFERENCES = ("floor", "peer")


def load(path: str) -> list[dict]:
    with open(path) as file:
        return [json.loads(line) for line in file if line.strip()]


def aggregate(runs: list[dict]) -> dict:
    rps = [run["rps"] for run in runs]
    little = [run["mean"] / 1000 / (run["conns"] / run["rps"]) for run in runs if run["rps"]]
    summary = {key: statistics.median(run[key] for run in runs) for key in ("p50", "p95", "p99")}
    summary.update(
        rps=statistics.median(rps),
        spread=(max(rps) - min(rps)) / statistics.mean(rps) if len(rps) > 1 and max(rps) else 0,
        max=max(run["max"] for run in runs),
        errors=sum(run["errors"] for run in runs),
        rounds=len(runs),
        little=statistics.median(little) if little else 0,
    )
    return summary


def table(results: list[dict]) -> str:
    groups: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for run in results:
        groups[(run["conns"], run["scenario"])][run["server"]].append(run)
    lines = []
    header = (
        f"{'conns':>5} {'scenario':<9} {'server':<14} {'req/s':>8} {'±%':>4} {'p50':>7} "
        f"{'p95':>7} {'p99':>7} {'max':>7} {'err':>5} {'Little':>7} {'/floor':>7} {'p95/peer':>9}"
    )
    lines += [header, "-" * len(header)]
    for (conns, scenario), servers in groups.items():
        stats = {name: aggregate(runs) for name, runs in servers.items()}
        floor, peer = stats.get("floor"), stats.get("peer")
        for name, s in stats.items():
            own = name not in REFERENCES
            ratio = f"{s['rps'] / floor['rps']:.2f}" if own and floor else ""
            versus = f"{s['p95'] / peer['p95']:.2f}x" if own and peer and peer["p95"] else ""
            little = f"{s['little']:.2f}" + ("!" if not 0.8 <= s["little"] <= 1.25 else " ")
            lines.append(
                f"{conns:>5} {scenario:<9} {name:<14} {s['rps']:>8.0f} {s['spread'] * 100:>4.0f} "
                f"{s['p50']:>7.1f} {s['p95']:>7.1f} {s['p99']:>7.1f} {s['max']:>7.0f} "
                f"{s['errors']:>5} {little:>7} {ratio:>7} {versus:>9}"
            )
        lines.append("")
    lines.append(
        "req/s and latencies (ms): median over the rounds; ±%: spread of req/s between rounds; "
        "Little: wrk's mean latency over connections/(req/s), ! when outside 0.8-1.25 (see the "
        "docstring); /floor: req/s over the floor's; p95/peer: p95 over the peer's (lower is "
        "better)."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(load(sys.argv[1] if len(sys.argv) > 1 else "bench/out/results.jsonl")))
