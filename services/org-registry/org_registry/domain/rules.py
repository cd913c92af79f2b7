"""The refusals the registry's domain raises; `kind` names the rule (and the problem slug)."""


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


class MemberHasLeft(RegistryRuleViolation):
    kind = "member-left"


class InvalidPersonalData(RegistryRuleViolation):
    kind = "invalid-personal-data"
