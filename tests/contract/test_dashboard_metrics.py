"""Every metric the provisioned Grafana dashboard queries is one the services export."""

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import demand_intake.app  # noqa: F401  (registers every service's metrics)
import dual_registration.app  # noqa: F401
import org_registry.app  # noqa: F401
import project_matching.app  # noqa: F401

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards" / "yizhou-platform.json"
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "le", "service", "group", "topic", "state",
                "status", "avg", "max", "min"}


def exported() -> set[str]:
    names = set()
    for collector in list(REGISTRY._collector_to_names):
        for metric in collector.describe() if hasattr(collector, "describe") else []:
            names |= {metric.name, f"{metric.name}_total", f"{metric.name}_bucket"}
    return names


def test_every_dashboard_metric_is_exported():
    panels = json.loads(DASHBOARD.read_text())["panels"]
    wanted = set()
    for panel in panels:
        for target in panel["targets"]:
            expr = re.sub(r'\{[^}]*\}|\[[^\]]*\]|"[^"]*"', "", target["expr"])
            wanted |= {w for w in re.findall(r"[a-z_][a-z0-9_]*", expr) if w not in PROMQL_WORDS and not w.isdigit()}
    assert wanted and not (wanted - exported()), f"dashboard queries metrics nobody exports: {sorted(wanted - exported())}"
