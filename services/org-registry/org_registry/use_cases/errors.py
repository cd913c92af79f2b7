"""org-registry's own kinds of refusal, added to the platform's problem catalogue at import.

Use cases raise these (or `yizhou.errors`' shared ones); the app's problem handlers render them.
Domain refusals carry the same kinds (`AxisRuleViolation.kind`, `RegistryRuleViolation.kind`) and
become application errors through `yizhou.errors.from_rule`.
"""

from __future__ import annotations

from yizhou.errors import ApplicationError, register_problem

for _kind, _status, _title in [
    ("wrong-level", 422, "The area's level does not fit its parent"),
    ("move-cycle", 422, "An area cannot move below itself"),
    ("has-active-children", 409, "The area still has active child areas"),
    ("organization-dissolved", 409, "The party organization is dissolved"),
    ("joint-needs-two-units", 422, "A joint organization covers at least two units"),
    ("organization-cycle", 422, "An organization cannot report to its own subtree"),
    ("has-active-child-organizations", 409, "The organization still has active subordinate organizations"),
    ("unit-already-covered", 409, "The unit already has a basic party organization"),
    ("instructor-ended", 409, "The instructor's appointment has ended"),
    ("area-already-led", 409, "The area already has an active leading organization"),
    ("wrong-leading-mode", 422, "An area is led by the organization its level and kind call for"),
    ("member-left", 409, "The member has left; the record is closed"),
    ("invalid-personal-data", 422, "A personal-data field is not valid"),
]:
    register_problem(_kind, _status, _title)


class CursorNotValid(ApplicationError):
    kind = "bad-cursor"  # the shared kind (yizhou.errors): one answer for every list
