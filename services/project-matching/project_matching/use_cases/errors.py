"""project-matching's own kinds of refusal (projects, matching and the guarantee network), added to
the platform's problem catalogue at import.

Use cases raise these (or `yizhou.errors`' shared ones); the app's problem handlers render them.
Domain refusals that name a kind (`exc.kind`) go through `yizhou.errors.from_rule`.
"""

from __future__ import annotations

from yizhou.errors import ApplicationError, register_problem

register_problem("over-budget", 409, "The spend would exceed the project's budget")


class ProjectNotReady(ApplicationError):
    kind = register_problem("project-not-ready", 409, "The project is not at the step this needs")


class NoLocation(ApplicationError):
    kind = register_problem("no-location", 422, "No location is known for the area")


class BalanceTooLow(ApplicationError):
    kind = register_problem("insufficient-funds", 409, "The spending would take the balance below zero")


class OrganizationDissolved(ApplicationError):
    kind = register_problem("organization-dissolved", 409, "The party organization is dissolved")  # as org-registry


class BookingConflict(ApplicationError):
    kind = register_problem("booking-conflict", 409, "The venue is already booked for part of that time")


class VenueNotOpen(ApplicationError):
    kind = register_problem("venue-closed", 409, "The venue is closed")
