"""Data and checks shared by the fault tests."""

from __future__ import annotations

from collections import defaultdict

from core.quarters import Quarter

Q3 = Quarter(2022, 3)


def board_story(recipients: int = 24, *, names=None):
    """The Q3 story of reporting.factories, an administrator and a board of `recipients`."""
    from accounts import roles
    from accounts.factories import UserFactory
    from reporting.factories import RecipientFactory, quarter_story
    from themes.factories import PartnerFactory, StrategyFactory

    strategy = StrategyFactory(title="ICT Strategy 2019-2024")
    partners = [PartnerFactory(short_name="MBC"), PartnerFactory(short_name="SBC")]
    officer = UserFactory(username="priya", role=roles.OFFICER)
    colleague = UserFactory(username="gareth", role=roles.OFFICER)
    actions = quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=partners)
    names = names or [f"Board Member {n:02d}" for n in range(recipients)]
    board = [
        RecipientFactory(name=name, email=f"member{n:02d}@board.example.org") for n, name in enumerate(names)
    ]
    admin = UserFactory(username="head-of-ict", role=roles.ADMINISTRATOR)
    return {
        "strategy": strategy,
        "admin": admin,
        "board": [r.email for r in board],
        "officer": officer,
        "actions": actions,
    }


def request_and_send(stack, admin):
    """Request the Q3 report, wait until it is ready, and confirm the send (as the page does)."""
    from reporting import services

    report = services.report_request(quarter=Q3, user=admin)
    stack.wait_for_report(report, "ready", "failed")
    assert report.state == "ready", report.error
    services.report_send_request(report=report, user=admin, confirmed=True)
    return report


def retry(stack, report, admin):
    from reporting import services

    report.refresh_from_db()
    assert report.state == "failed"
    services.report_retry(report=report, user=admin)
    return stack.wait_for_report(report, "sent", "failed")


def outcome(smtp, addresses) -> dict:
    """received (recipients with at least one copy), messages, duplicates, Message-IDs per recipient."""
    ids = defaultdict(list)
    for rcpts, message in smtp.messages:
        for rcpt in rcpts:
            ids[rcpt].append(message["Message-ID"])
    return {
        "received": sum(1 for a in addresses if ids[a]),
        "messages": sum(len(ids[a]) for a in addresses),
        "duplicates": sum(len(ids[a]) - 1 for a in addresses if ids[a]),
        "ids": ids,
    }


def assert_each_once(smtp, addresses, *, resends_allowed=False):
    """Every recipient got the report; exactly once, or (where a resend after an
    accepted but unacknowledged message is the documented choice) every copy with
    the same Message-ID, a different one for each recipient."""
    seen = outcome(smtp, addresses)
    assert seen["received"] == len(addresses), seen
    if not resends_allowed:
        assert seen["duplicates"] == 0, seen
    for address in addresses:
        assert len(set(seen["ids"][address])) == 1, (address, seen["ids"][address])
    assert len({ids[0] for ids in seen["ids"].values()}) == len(addresses)
    return seen


def delivery_states(report):
    return sorted(set(report.deliveries.values_list("state", flat=True)))
