"""Reminding and escalating risk reviews like progress updates, on the same calendar.

The reminders app's calendar decides which step falls today for each strategy and
quarter not yet locked (reminders.services.due_steps): the first reminder, the due-day
reminder and the escalation to administrators. A risk owes a review for a quarter when
it is on that quarter's register and its review frequency falls in the quarter
(rules.review_due); it is received by a review for exactly that quarter that is
submitted or counted, not returned. Each e-mail is claimed (a ReviewReminder row,
unique per strategy, person, quarter and step) before it is sent, so a job run twice
sends nothing twice; a failed send is retried by the next run, and one left "sending"
by a dead worker is failed by the sweep and resent with the same Message-ID.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from core import clock, emails
from core.persist import persist
from core.quarters import Quarter
from reminders import selectors as reminder_selectors
from reminders import services as reminder_services
from reminders.models import Reminder
from risks import rules
from risks.models import ReviewReminder, Risk, RiskReview
from risks.selectors import in_register_q

State = ReviewReminder.State
Step = Reminder.Step


def missing_reviews(strategy, quarter: Quarter, *, risks=None) -> list[Risk]:
    """The strategy's risks that owe a review for `quarter` and have none (submitted or counted)."""
    received = RiskReview.objects.filter(risk=OuterRef("pk"), period=quarter.code).exclude(
        sign_off__decision="returned"
    )
    candidates = (risks if risks is not None else Risk.objects.filter(strategy=strategy)).filter(
        in_register_q(quarter)
    )
    candidates = candidates.annotate(received=Exists(received)).filter(received=False).select_related("owner")
    return [r for r in candidates.order_by("reference") if rules.review_due(r.review_frequency, quarter)]


@dataclass
class Planned:
    recipient: object
    risks: list
    outcome: str = "would send"


def recipients_for(strategy, quarter: Quarter, step: str) -> list[Planned]:
    """Each owner with the reviews they owe; for the escalation, the administrators with all of them."""
    missing = missing_reviews(strategy, quarter)
    if step == Step.ESCALATION:
        return [Planned(admin, missing) for admin in reminder_selectors.administrators()] if missing else []
    owners: dict[int, Planned] = {}
    for risk in missing:
        owners.setdefault(risk.owner_id, Planned(risk.owner, [])).risks.append(risk)
    return list(owners.values())


def review_reminders_run_due_steps() -> list[tuple[str, list[Planned]]]:
    """Send today's step (reminders.services.due_steps) for risk reviews. Returns what happened."""
    runs = []
    for strategy, quarter, step in reminder_services.due_steps():
        planned = recipients_for(strategy, quarter, step)
        for plan in planned:
            if not plan.recipient.is_active:
                plan.outcome = "account inactive"
            elif not plan.recipient.email:
                plan.outcome = "no e-mail address"
            elif (reminder := _claim(strategy, quarter, step, plan.recipient, plan.risks)) is None:
                plan.outcome = "already sent"
            else:
                plan.outcome = review_reminder_deliver(reminder_id=reminder.pk)
        runs.append((f"{strategy.pk}:{quarter.code}:{step}", planned))
    return runs


def _claim(strategy, quarter, step, recipient, risks) -> ReviewReminder | None:
    try:
        with transaction.atomic():
            reminder = ReviewReminder.objects.create(
                strategy=strategy, period=quarter.code, step=step, recipient=recipient, email=recipient.email
            )
            reminder.risks.set(risks)
        return reminder
    except IntegrityError:
        existing = ReviewReminder.objects.get(
            strategy=strategy, period=quarter.code, step=step, recipient=recipient
        )
        if existing.state not in (State.FAILED, State.PENDING):
            return None
        existing.risks.set(risks)
        return existing


def review_reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder if it is waiting or failed; return its new state."""
    taken = ReviewReminder.objects.filter(pk=reminder_id, state__in=[State.PENDING, State.FAILED]).update(
        state=State.SENDING, attempts=F("attempts") + 1, claimed_at=clock.now()
    )
    reminder = ReviewReminder.objects.select_related("strategy", "recipient").get(pk=reminder_id)
    if not taken:
        return reminder.state
    quarter = Quarter.from_code(reminder.period)
    # Only what is still missing now: a review may have come in since the claim.
    risks = missing_reviews(reminder.strategy, quarter, risks=reminder.risks.all())
    if not risks:
        return _finish(reminder, State.SKIPPED)
    try:
        emails.send(
            "review_escalation" if reminder.step == Step.ESCALATION else "review_reminder",
            [reminder.email],
            {
                "recipient": reminder.recipient,
                "step": reminder.step,
                "strategy": reminder.strategy,
                "quarter": quarter,
                "dates": reminder_selectors.dates_for(reminder.strategy, quarter),
                "risks": risks,
            },
            message_id=emails.message_id("review-reminder", reminder.pk),
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        logging.getLogger(__name__).warning("Review reminder %s failed: %s", reminder.pk, exc)
        return _finish(reminder, State.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
    return _finish(reminder, State.SENT)


def _finish(reminder: ReviewReminder, state: str, *, error: str = "") -> str:
    sent_at = clock.now() if state == State.SENT else None
    persist(
        lambda: ReviewReminder.objects.filter(pk=reminder.pk, state=State.SENDING).update(
            state=state, error=error, sent_at=sent_at
        )
    )
    return state


def review_reminders_sweep() -> int:
    """Fail reminders claimed longer ago than the stale-claim time (their sender died)."""
    cutoff = clock.now() - datetime.timedelta(seconds=settings.BOARD_REPORT_STALE_CLAIM_SECONDS)
    return ReviewReminder.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).update(
        state=State.FAILED, error=reminder_services.INTERRUPTED
    )
