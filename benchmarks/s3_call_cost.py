"""Where the S3 collector's time goes: calls per bucket, and what each costs the client and moto.

    python -m benchmarks s3_call_cost [--buckets 200]

One moto server on loopback, the vs_prowler estate (``_s3_estate``) for one account, and
cloudaudit's S3 collector (``collect_s3``) run twice after a warm-up: one thread (the latency of
each call, by operation) and the default thread pool (the throughput, and the CPU moto spends per
call when both cores are busy). From these, the floor that the emulator alone sets on a
1,000-bucket run: calls per bucket x moto's CPU per call x 1,000 buckets, on one server process
(moto answers under one interpreter lock, so its CPU time is a lower bound on the wall time).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import _s3_estate as estate  # noqa: E402
from benchmarks._harness import BENCH_DIR, machine, start_server, write_results  # noqa: E402

WORK = BENCH_DIR / "s3_call_cost"


class CallTimer:
    """Counts and times every botocore API call of this process, by operation."""

    def __init__(self) -> None:
        self.stats: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def install(self) -> None:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        stats = self.stats

        def timed(client: Any, operation: str, params: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                entry = stats[operation]
                entry[0] += 1
                entry[1] += time.perf_counter() - started

        botocore.client.BaseClient._make_api_call = timed  # type: ignore[method-assign]

    def take(self) -> dict[str, tuple[int, float]]:
        out = {op: (int(n), float(s)) for op, (n, s) in self.stats.items()}
        self.stats.clear()
        return out


def _server_cpu_s(pid: int) -> float:
    import psutil

    root = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])


def measure(buckets: int) -> dict[str, Any]:
    from cloudaudit.collectors.aws.s3 import collect_s3
    from cloudaudit.config import Environment, Limits

    WORK.mkdir(parents=True, exist_ok=True)
    moto = start_server("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"],
                        WORK / "moto.log", probe="/moto-api/")
    try:
        estate.seed(moto.url, 0, 2 * buckets)  # buckets alternate between the two accounts
        account = estate.ACCOUNTS[0]
        env = Environment(name=account.name, country=account.country, provider="aws", account_id=account.account_id,
                          regions=(account.region,), endpoint_url=moto.url, role_arn=account.role_arn)
        timer = CallTimer()
        timer.install()
        runs: dict[str, Any] = {}
        for label, limits in (("one thread", Limits(max_workers=1)), ("default pool", Limits())):
            collect_s3(env, limits)  # warm: connections, imports, moto's own caches
            timer.take()
            server0, cpu0, wall0 = _server_cpu_s(moto.pid), time.process_time(), time.perf_counter()
            collected = collect_s3(env, limits)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            server = _server_cpu_s(moto.pid) - server0
            ops = timer.take()
            calls = sum(n for n, _ in ops.values())
            runs[label] = {"workers": limits.max_workers, "buckets": len(collected.resources), "wall_s": round(wall, 2),
                           "client_cpu_s": round(cpu, 2), "moto_cpu_s": round(server, 2), "calls": calls,
                           "ops": {op: {"calls": n, "ms_per_call": round(1000 * s / n, 2)}
                                   for op, (n, s) in sorted(ops.items(), key=lambda kv: -kv[1][1])}}
    finally:
        moto.stop()
    pool = runs["default pool"]
    per_bucket = pool["calls"] / pool["buckets"]
    moto_ms = 1000 * pool["moto_cpu_s"] / pool["calls"]
    client_ms = 1000 * pool["client_cpu_s"] / pool["calls"]
    return {"machine": machine(), "buckets": buckets, "runs": runs,
            "calls_per_bucket": round(per_bucket, 2), "moto_cpu_ms_per_call": round(moto_ms, 2),
            "client_cpu_ms_per_call": round(client_ms, 2),
            "floor_1000_s": {"moto_cpu": round(per_bucket * moto_ms, 1),
                             "moto_and_client_cpu_on_2_cores": round(per_bucket * (moto_ms + client_ms) / 2, 1)}}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# S3 calls: what one bucket costs ({report['buckets']} buckets, one account, moto)", "",
             f"Machine: {report['machine']['cpus']} cpus, load average {report['machine'].get('load_average')}. "
             "Command: `python -m benchmarks s3_call_cost`", "",
             "| operation | calls | ms per call, one thread |", "|---|---:|---:|"]
    serial = report["runs"]["one thread"]
    lines += [f"| {op} | {v['calls']} | {v['ms_per_call']} |" for op, v in serial["ops"].items()]
    lines += ["", "| run | threads | wall | client CPU | moto CPU | calls |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {label} | {r['workers']} | {r['wall_s']} s | {r['client_cpu_s']} s | {r['moto_cpu_s']} s | {r['calls']} |"
              for label, r in report["runs"].items()]
    floor = report["floor_1000_s"]
    lines += ["", f"{report['calls_per_bucket']} calls per bucket; moto spends {report['moto_cpu_ms_per_call']} ms of "
              f"CPU per call and the client {report['client_cpu_ms_per_call']} ms. At 1,000 buckets that is "
              f"{floor['moto_cpu']} s of moto CPU (one process: a floor on the wall time of the S3 reads alone), "
              f"and {floor['moto_and_client_cpu_on_2_cores']} s with the client's CPU spread over both cores."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buckets", type=int, default=200)
    args, _ = parser.parse_known_args()
    report = measure(args.buckets)
    write_results("s3_call_cost", report, markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
