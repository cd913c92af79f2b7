"""The hours ledger's invariants as properties: every total equals the sum of confirmed entries,
every transfer balances, and no account goes negative."""

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dual_registration.domain.errors import InvalidHours, NegativeBalance, UnbalancedPosting
from dual_registration.domain.ledger import Ledger, Movement, Side, Transfer, account, check_posting, service_transfer

services = st.lists(st.tuples(
    st.sampled_from(["member", "unit"]), st.sampled_from(["a", "b", "c"]),  # provider
    st.sampled_from(["C1", "C2"]),                                          # community
    st.integers(min_value=-30, max_value=24 * 60),                          # minutes as logged (bad ones too)
    st.booleans(),                                                          # confirmed (else rejected)
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(services)
def test_totals_are_sums_of_confirmed_entries(sessions):
    ledger = Ledger()
    confirmed_by_provider: dict[str, int] = defaultdict(int)
    confirmed_by_community: dict[str, int] = defaultdict(int)
    for i, (kind, provider, community, minutes, confirmed) in enumerate(sessions):
        if not confirmed:
            continue  # a rejected session posts nothing
        if minutes <= 0:
            with pytest.raises(InvalidHours):
                service_transfer(f"s{i}", kind, provider, community, minutes)
            continue
        ledger.post(service_transfer(f"s{i}", kind, provider, community, minutes))
        confirmed_by_provider[account(kind, provider)] += minutes
        confirmed_by_community[account("community", community)] += minutes

    for name, total in {**confirmed_by_provider, **confirmed_by_community}.items():
        assert ledger.balance(name) == total == ledger.balances[name]
    assert all(balance >= 0 for balance in ledger.balances.values())
    for transfer in ledger.transfers:
        debits = sum(m.minutes for m in transfer.movements if m.side == Side.DEBIT)
        assert debits == sum(m.minutes for m in transfer.movements if m.side == Side.CREDIT) > 0
    assert sum(confirmed_by_provider.values()) == sum(confirmed_by_community.values())


@given(st.integers(min_value=1, max_value=10_000))
def test_a_service_is_posted_once(minutes):
    ledger = Ledger()
    ledger.post(service_transfer("s1", "member", "m", "C1", minutes))
    with pytest.raises(UnbalancedPosting):
        ledger.post(service_transfer("s1", "member", "m", "C1", minutes))
    assert ledger.balance(account("member", "m")) == minutes


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=500))
def test_unbalanced_or_overdrawing_transfers_are_refused(a, b):
    member, community = account("member", "m"), account("community", "C1")
    if a != b:
        with pytest.raises(UnbalancedPosting):
            check_posting(Transfer("x", (Movement(community, Side.DEBIT, a), Movement(member, Side.CREDIT, b))), {})
    # Taking hours off a member (a reversal) beyond what they have is refused.
    reversal = Transfer("r", (Movement(member, Side.DEBIT, a + b), Movement(community, Side.CREDIT, a + b)))
    with pytest.raises(NegativeBalance):
        check_posting(reversal, {member: a + b - 1, community: a + b - 1})
    assert check_posting(reversal, {member: a + b, community: a + b}) == {member: 0, community: 0}
