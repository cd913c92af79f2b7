"""One-time check-in codes: the community issues them for a service event; a registered member
checks in with one (typed or scanned), which logs the session for the community to confirm."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dual_registration.domain import checkin
from dual_registration.domain.claim import TargetKind
from dual_registration.domain.community import community_of
from dual_registration.domain.ids import new_id
from dual_registration.domain.registration import RegistrantKind
from dual_registration.domain.service_log import Window, session_minutes
from dual_registration.store.claims import ClaimRepository, PostRepository
from dual_registration.store.registrations import RegistrationRepository
from dual_registration.store.service_log import CheckinCodeRepository
from dual_registration.use_cases.access import require_decider, rules
from dual_registration.use_cases.posts import area_row
from dual_registration.use_cases.service_log import area_in_community, get_service, record_session
from dual_registration.use_cases.errors import CheckinCodeUsed, InvalidHours, NotEligible
from yizhou.auth import AreaScope, Role, require_role
from yizhou.database import Database
from yizhou.errors import NotFound, RuleViolated, UnknownReference

MAX_CODES = 500
MAX_VALIDITY = timedelta(days=30)


async def issue_codes(db: Database, scope: AreaScope, now: datetime, *, area_code: str, activity: str,
                      category: str | None, starts_at: datetime, ends_at: datetime, expires_at: datetime | None,
                      count: int, post_id: str | None) -> dict[str, Any]:
    expires_at = expires_at or ends_at
    if not (starts_at < ends_at and ends_at - starts_at <= timedelta(hours=24)):
        raise InvalidHours("A service event ends after it starts and lasts at most 24 hours.")
    if not now < expires_at <= now + MAX_VALIDITY:
        raise RuleViolated("Codes expire in the future and within 30 days.",
                      errors=[{"field": "expires_at", "message": "in the past or too far ahead"}])
    async with db.unit_of_work() as uow:
        area = await area_row(uow.session, scope, area_code)
        with rules():
            community = community_of(area.path)
        require_decider(scope, community.path, "issue check-in codes")
        if post_id is not None:
            post = await PostRepository(uow.session).get(post_id)
            if post is None or post.community_code != community.code:
                raise UnknownReference(f"No post '{post_id}' in community '{community.code}'.",
                              errors=[{"field": "post_id", "message": "unknown post"}])
        batch_id = new_id()
        rows = [{"code": checkin.new_code(), "batch_id": batch_id, "community_code": community.code,
                 "community_path": community.path, "area_code": area_code, "activity": activity, "category": category,
                 "post_id": post_id, "starts_at": starts_at, "ends_at": ends_at, "expires_at": expires_at,
                 "issued_by": scope.caller.subject, "issued_at": now} for _ in range(count)]
        await CheckinCodeRepository(uow.session).add_many(rows)
        await uow.commit()
    return {"batch_id": batch_id, "community_code": community.code, "activity": activity, "starts_at": starts_at,
            "ends_at": ends_at, "expires_at": expires_at,
            "codes": [{"code": r["code"], "qr_payload": checkin.qr_payload(r["code"], community.code, expires_at)}
                      for r in rows]}


async def check_in(db: Database, scope: AreaScope, now: datetime, *, code: str | None, qr_payload: str | None) -> dict[str, Any]:
    require_role(scope, {Role.PARTY_MEMBER}, "check in (members check in with their own account)")
    member_id = scope.caller.subject
    with rules():
        typed = checkin.code_from_qr(qr_payload) if qr_payload else checkin.normalize_code(code or "")
    async with db.unit_of_work() as uow:
        codes = CheckinCodeRepository(uow.session)
        issued = await codes.get(typed)
        if issued is None:  # unknown and other communities' codes answer alike
            raise NotFound("No such check-in code.")
        with rules():
            checkin.check_usable(checkin.IssuedCode(issued.code, issued.expires_at, issued.used_at), now)
        registration = await RegistrationRepository(uow.session).approved_of(RegistrantKind.MEMBER, member_id)
        if registration is None or registration.community_code != issued.community_code:
            raise NotEligible("Check-in is for members registered with the community that issued the code.")
        await area_in_community(uow, issued.area_code, registration.community_path)
        window = Window(issued.starts_at, issued.ends_at)
        with rules():  # logged ahead of the end; the community confirms once it is over
            minutes = session_minutes(window, None, max(now, issued.ends_at))
        # A code for a post the member holds an approved claim on logs the service under that claim.
        claims = ClaimRepository(uow.session)
        claim = (await claims.approved_of_registration(registration.id, TargetKind.POST, issued.post_id)
                 if issued.post_id is not None else None)
        row = await record_session(uow, registration, activity=issued.activity, category=issued.category,
                                   area_code=issued.area_code, window=window, minutes=minutes,
                                   claim_id=claim.id if claim is not None else None,
                                   served_resident_ref=None, logged_by=member_id, now=now, checkin_code=issued.code)
        if not await codes.mark_used(issued.code, member_id, row["id"], now):
            raise CheckinCodeUsed(f"Check-in code {issued.code} was just used by someone else.")
        await uow.commit()
    return await get_service(db, scope, row["id"])
