"""The pages' charts: SVG drawn on the server with pygal (pinned in pyproject.toml) and put inline in
the page, so a page needs no script, no chart file and no CDN (pygal's tooltip script, fetched from
its site by default, is switched off: `js=[]`, and the inline config script pygal writes for it is
dropped: the page runs no script at all)."""

from __future__ import annotations

import re
import sys

import pygal
from pygal.style import Style

# pygal adds a legacy `sys.meta_path` finder for its old plugin names (pygal_maps_*) that has no
# `find_spec`: pytest's importlib import mode (and any importer that asks every finder) then fails.
# The charts never need it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

from org_registry.public_notice.figures import MonthFigures

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#333333", foreground_strong="#222222",
    foreground_subtle="#dddddd", colors=("#c8102e", "#1f6fb2", "#2e8b57", "#e08a00"),
    font_family="'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif",
    label_font_size=12, major_label_font_size=12, legend_font_size=13, title_font_size=15, value_font_size=11)


def _chart(kind, title: str, labels: list[str]):
    chart = kind(js=[], style=STYLE, title=title, width=720, height=320, explicit_size=False,
                 disable_xml_declaration=True, legend_at_bottom=True, x_label_rotation=30, show_dots=True,
                 print_values=False, margin=16, truncate_legend=-1)
    chart.x_labels = labels
    return chart


def _svg(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def rates_chart(months: list[MonthFigures], title: str = "三率走势（%）") -> str:
    """The three rates by month as a line chart (a month without a rate has a gap)."""
    chart = _chart(pygal.Line, title, [m.month for m in months])
    chart.range = (0, 100)

    def series(rate):
        return [None if rate(m) is None else round(rate(m) * 100, 2) for m in months]

    chart.add("响应率", series(lambda m: m.response_rate))
    chart.add("解决率", series(lambda m: m.resolution_rate))
    chart.add("满意率", series(lambda m: m.satisfaction_rate))
    return _svg(chart)


def counts_chart(months: list[MonthFigures], title: str = "诉求件数") -> str:
    chart = _chart(pygal.Bar, title, [m.month for m in months])
    chart.add("受理诉求", [m.counts.submitted for m in months])
    chart.add("未办结", [m.counts.backlog for m in months])
    chart.add("超期未办结", [m.counts.overdue_open for m in months])
    return _svg(chart)
