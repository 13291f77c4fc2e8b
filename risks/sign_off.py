"""Sign-off of risk reviews: what waits, what each changes, and the decisions.

The same rule as updates' (actionplan.sign_off, docs/sign-off.md): with the strategy's
sign-off setting on, a new review is submitted (RiskReview.needs_sign_off) and counts
nowhere (the register, the dashboard, the board report) until an approver of its
risk's theme, or an administrator, who is not its author approves it; returned with a
reason, it never counts and its owner is told. A decision is a ReviewSignOff row, never
changed. approvals.kinds lists these beside updates in the one queue (risks.apps).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts import access
from actionplan import window
from actionplan.sign_off import AlreadyDecided as _AlreadyDecided
from actionplan.sign_off import Change, decision_checked
from core import clock
from core.quarters import Quarter
from risks import rules
from risks.models import ReviewSignOff, RiskReview

Decision = ReviewSignOff.Decision


class AlreadyDecided(_AlreadyDecided):
    """The review was approved or returned already (the API answers 409)."""

    def __init__(self, review: RiskReview):
        Exception.__init__(self, f"This review was already {review.sign_off.get_decision_display().lower()}.")
        self.update = review


def pending(*, theme_ids: set[int] | None = None, quarter: Quarter | None = None):
    """Reviews awaiting sign-off (rules.pending_q), optionally of some themes or one quarter."""
    reviews = RiskReview.objects.filter(rules.pending_q())
    if theme_ids is not None:
        reviews = reviews.filter(risk__theme_id__in=theme_ids)
    if quarter is not None:
        reviews = reviews.filter(period=quarter.code)
    return reviews


def waiting(user) -> list[RiskReview]:
    """What waits for `user`'s sign-off, for quarters not yet locked, their own included
    (the queue marks those). Two queries: the reviews, and their baselines."""
    reviews = pending(theme_ids=access.approved_theme_ids(user)).select_related(
        "risk__theme", "risk__strategy", "author"
    )
    locked = window.locked_up_to()
    if locked is not None:
        reviews = reviews.filter(period__gt=locked.code)
    return list(reviews.order_by("risk__theme__number", "risk__reference", "period", "created_at", "id"))


def baselines(reviews: list[RiskReview]) -> dict[int, RiskReview | None]:
    """Each submitted review's last counted review of the same risk at its quarter. One query."""
    if not reviews:
        return {}
    histories: dict[int, list] = {}
    counted = RiskReview.objects.filter(rules.counted_q(), risk_id__in={r.risk_id for r in reviews})
    for review in sorted(counted, key=rules.review_key):
        histories.setdefault(review.risk_id, []).append(review)
    return {r.pk: rules.review_at(histories.get(r.risk_id, []), r.period) for r in reviews}


_COMPARED = (
    ("likelihood", "Likelihood", lambda r: rules.likelihood_label(r.likelihood)),
    ("impact", "Impact", lambda r: rules.impact_label(r.impact)),
    ("score", "Score", lambda r: str(r.score)),
    ("control_effectiveness", "Controls", lambda r: r.get_control_effectiveness_display()),
    ("controls", "Controls in place", lambda r: r.controls or "None"),
    ("commentary", "Commentary", lambda r: r.commentary or "None"),
)


def changes(before: RiskReview | None, after: RiskReview) -> list[Change]:
    """What `after` changes against the last counted review (everything, when there is none)."""
    return [
        Change(label, show(before) if before else "Not yet reviewed", show(after))
        for field, label, show in _COMPARED
        if before is None or getattr(before, field) != getattr(after, field)
    ]


def changes_of(review: RiskReview) -> list[Change]:
    return changes(baselines([review]).get(review.pk), review)


def review_decide(*, user, reviews, decision: str, reason: str = "") -> list[ReviewSignOff]:
    """Approve, or return with a reason, one or more submitted reviews: all or none.

    The rules of actionplan.sign_off.update_decide: refused when any one is the user's
    own or outside their themes (PermissionDenied), already decided (AlreadyDecided), or,
    to approve, for a locked quarter (ValidationError). Under the quarter-lock guard.
    A returned review's author is told by e-mail once it commits.
    """
    ids = [r.pk for r in reviews]
    reason = decision_checked(decision=decision, reason=reason, ids=ids, key="reviews", noun="review")
    with transaction.atomic():
        window.lock_guard(exclusive=False)
        chosen = list(
            RiskReview.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("risk", "author")
            .order_by("pk")
        )
        decided = dict(ReviewSignOff.objects.filter(review_id__in=ids).values_list("review_id", "decision"))
        theme_ids = access.approved_theme_ids(user)
        locked = window.locked_up_to()
        for review in chosen:
            name = f"the {review.quarter.label} review of {review.risk.reference}"
            if not review.needs_sign_off:
                raise ValidationError({"reviews": [f"{name.capitalize()} needs no sign-off."]})
            if review.pk in decided:
                review.sign_off = ReviewSignOff(decision=decided[review.pk])
                raise AlreadyDecided(review)
            if not access.can_sign_off_review(user, review, theme_ids=theme_ids):
                whose = "your own" if review.author_id == user.pk else "not in a theme you approve"
                raise PermissionDenied(f"{name.capitalize()} is {whose}: you cannot sign it off.")
            if decision == Decision.APPROVED and locked is not None and review.quarter <= locked:
                locked_now = f"{review.quarter.label} is locked: {name} can no longer count."
                raise ValidationError({"reviews": [f"{locked_now} Return it instead."]})
        now = clock.now()
        rows = bulk_create_with_history(
            [
                ReviewSignOff(review=r, decision=decision, reason=reason, decided_by=user, decided_at=now)
                for r in chosen
            ],
            ReviewSignOff,
            default_user=user,
        )
        if decision == Decision.RETURNED:
            transaction.on_commit(lambda: _tell_authors(chosen, reason, user))
    return rows


def _tell_authors(reviews: list[RiskReview], reason: str, approver) -> None:
    from core import emails

    for review in reviews:
        emails.send(
            "review_returned",
            [emails.address(review.author.display_name, review.author.email)],
            {"review": review, "risk": review.risk, "reason": reason, "approver": approver},
        )


# --- the queue's kind (approvals.kinds), registered by risks.apps ---------------------


def _item(review: RiskReview, changes_: list, user):
    from approvals.kinds import KINDS, Item

    return Item(
        kind=KINDS["review"],
        obj=review,
        theme=review.risk.theme,
        subject=f"{review.risk.reference} {review.risk.title}",
        url=review.risk.get_absolute_url(),
        detail=f"likelihood {review.likelihood}, impact {review.impact}, score {review.score}",
        changes=changes_,
        own=review.author_id == user.pk,
    )


def _waiting(user):
    reviews = waiting(user)
    base = baselines(reviews)
    return [_item(r, changes(base.get(r.pk), r), user) for r in reviews]


def _awaiting(strategy, quarter):
    """The strategy's reviews for `quarter` awaiting sign-off (the send page's list)."""
    from types import SimpleNamespace

    reviews = list(
        pending(quarter=quarter)
        .filter(risk__strategy=strategy)
        .select_related("risk__theme", "author")
        .order_by("risk__theme__number", "risk__reference", "id")
    )
    nobody = SimpleNamespace(pk=None)
    return [_item(r, [], nobody) for r in reviews]


def _get(pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(RiskReview.objects.select_related("risk__theme", "author"), pk=pk)


def _api_data(item) -> dict:
    from risks.serializers import ReviewSerializer

    return {
        "kind": "review",
        "review": ReviewSerializer(item.obj).data,
        "risk_reference": item.obj.risk.reference,
        "theme": item.theme.number,
        "own": item.own,
        "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in item.changes],
    }


def _api_record(pk) -> dict:
    from risks.serializers import ReviewSerializer

    return ReviewSerializer(RiskReview.objects.select_related("author", "sign_off").get(pk=pk)).data


def kind():
    """Risk reviews as a kind of the sign-off queue (approvals.kinds)."""
    from approvals.kinds import Kind

    return Kind(
        key="review",
        noun="risk review",
        plural="risk reviews",
        opens="risk",
        waiting=_waiting,
        fetch=lambda ids: list(RiskReview.objects.filter(pk__in=ids)),
        get=_get,
        decide=lambda *, user, objects, decision, reason="": review_decide(
            user=user, reviews=objects, decision=decision, reason=reason
        ),
        may_decide=lambda user, review: access.can_sign_off_review(user, review),
        describe=lambda review, user: _item(review, changes_of(review), user),
        api_data=_api_data,
        api_record=_api_record,
        awaiting=_awaiting,
    )
