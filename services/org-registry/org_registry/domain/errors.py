"""The domain's refusals, the one place they are defined; each `kind` names the rule (and the problem kind
the API answers with). Two families: the axis's (`AxisRuleViolation`) and the registry's
(`RegistryRuleViolation`)."""

from __future__ import annotations


class RegistryRuleViolation(Exception):
    kind = "rule-violated"


class OrganizationDissolved(RegistryRuleViolation):
    kind = "organization-dissolved"


class JointNeedsTwoUnits(RegistryRuleViolation):
    kind = "joint-needs-two-units"


class OrganizationCycle(RegistryRuleViolation):
    kind = "organization-cycle"


class HasActiveChildOrganizations(RegistryRuleViolation):
    kind = "has-active-child-organizations"


class UnitAlreadyCovered(RegistryRuleViolation):
    kind = "unit-already-covered"


class InstructorEnded(RegistryRuleViolation):
    kind = "instructor-ended"


class AreaAlreadyLed(RegistryRuleViolation):
    kind = "area-already-led"


class WrongLeadingMode(RegistryRuleViolation):
    kind = "wrong-leading-mode"


class MemberHasLeft(RegistryRuleViolation):
    kind = "member-left"


class InvalidPersonalData(RegistryRuleViolation):
    kind = "invalid-personal-data"


# Coordination bodies.
class WrongBodyLevel(RegistryRuleViolation):
    kind = "wrong-level"


class NotAMemberUnit(RegistryRuleViolation):
    kind = "rule-violated"


# Hubs' joint actions.
class DuplicateJointAction(RegistryRuleViolation):
    kind = "duplicate"


# The axis.
class AxisRuleViolation(Exception):
    """A change the axis does not allow; `kind` names which rule."""

    kind = "rule-violated"


class WrongLevel(AxisRuleViolation):
    kind = "wrong-level"


class MoveCycle(AxisRuleViolation):
    kind = "move-cycle"


class AreaIsRetired(AxisRuleViolation):
    kind = "area-retired"


class AreaHasActiveChildren(AxisRuleViolation):
    kind = "has-active-children"


class NothingToChange(AxisRuleViolation):
    kind = "nothing-to-change"
