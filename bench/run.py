"""`make bench`: runs every benchmark under bench/ and prints one table of ratios against baselines
measured in the same run; writes the results as JSON to bench/results/<time>.json.

    python bench/run.py [--quick] [--only relay,matching]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# name -> (script, full args, quick args)
BENCHES = {
    "relay": ("relay.py", ["--events", "20000", "--seconds", "60"], ["--events", "5000", "--seconds", "10"]),
    "matching": ("matching.py", [], ["--quick"]),
    "submit": ("submit.py", ["--seconds", "20"], ["--quick"]),
    "rates": ("rates.py", [], ["--quick"]),
    "replay": ("replay.py", [], ["--quick"]),
    "load": ("load.py", [], ["--requests", "400", "--seconds", "20", "--settle-seconds", "30"]),
    "ranking": ("ranking.py", [], ["--quick"]),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="Shorter runs (minutes instead of tens of minutes)")
    parser.add_argument("--only", help="Comma-separated bench names")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHES)
    results, failed = [], []
    for name in names:
        script, full, quick = BENCHES[name]
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            print(f"== {name}", flush=True)
            done = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else full), "--json", out.name])
            if done.returncode != 0:
                failed.append(name)
                continue
            results += json.loads(Path(out.name).read_text() or "[]")
    print("\n== summary (ratio > 1: better than the baseline)")
    for r in results:
        met = "" if r["goal_met"] is None else ("met" if r["goal_met"] else "NOT met")
        print(f"{r['bench']:>12} | {r['metric']:<52} {r['value']:>11.1f} {r['unit']:<9} vs {r['baseline_name']:<30} "
              f"{r['baseline']:>11.1f}  x{r['ratio']:.2f}  {r['goal']} {met}")
    target = HERE / "results" / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps({"quick": args.quick, "results": results, "failed": failed}, indent=2))
    print(f"results written to {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
