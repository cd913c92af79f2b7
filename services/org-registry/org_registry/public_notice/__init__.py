"""The public notice (公示) and the staff overview: server-rendered pages of an area's three rates by
month, its projects (budget, spending, progress, approval notices) and published evaluation results.

Built ONLY from the partner topics (`yizhou.partner.*`), which carry no personal data, so the public
page can never show more than a partner agency sees. The read model's tables live in `tables.py`, its
consumers in `consumers.py` (they run beside the webhook bridge, in the same inbox transaction), the
figures in `figures.py` (plain rules, no framework), the reads in `queries.py`, the pages in `pages.py`.
"""
