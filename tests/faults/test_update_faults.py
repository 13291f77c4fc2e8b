"""Updates under contention and oversized text on the real stack (issue 14's table)."""

from __future__ import annotations

import threading

import pytest

from tests.faults.conftest import use_faults_db
from tests.faults.helpers import Q3, board_story

pytestmark = pytest.mark.faults

CLIENTS, ROUNDS = 20, 10


def _client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def _post_rounds(db, user, action_pk, n, barrier, etags, results):
    """One client: each round, post with the round's If-Match at the same moment as the others."""
    from django.db import connection

    try:
        use_faults_db(db)
        api = _client(user)
        for round_ in range(ROUNDS):
            barrier.wait(timeout=60)
            marker = f"client {n:02d} round {round_}"
            response = api.post(
                f"/api/v1/actions/{action_pk}/updates/",
                {
                    "quarter": Q3.label,
                    "status": "in_progress",
                    "rag": "green",
                    "percent_complete": 50,
                    "commentary": marker,
                },
                format="json",
                HTTP_IF_MATCH=etags[round_],
            )
            body = response.json()
            results.append((round_, marker, response.status_code, body.get("id")))
            barrier.wait(timeout=60)  # every client has its answer; the main thread sets the next ETag
            barrier.wait(timeout=60)
    except threading.BrokenBarrierError:
        pass
    finally:
        connection.close()


def test_twenty_clients_posting_with_one_if_match_for_ten_rounds(stack):
    """Per round exactly one 201 and nineteen 409s (each told the newer update); nothing lost or doubled."""
    from actionplan.models import ProgressUpdate

    story = board_story(1)
    action = story["actions"]["1.2"]
    user = action.lead_officer
    api = _client(user)
    before = set(ProgressUpdate.objects.filter(action=action).values_list("pk", flat=True))
    etags = [api.get(f"/api/v1/actions/{action.pk}/updates/")["ETag"]] + [None] * ROUNDS
    barrier, results = threading.Barrier(CLIENTS + 1), []
    clients = [
        threading.Thread(target=_post_rounds, args=(stack.db, user, action.pk, n, barrier, etags, results))
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        for round_ in range(ROUNDS):
            barrier.wait(timeout=60)  # go
            barrier.wait(timeout=60)  # all answered
            etags[round_ + 1] = api.get(f"/api/v1/actions/{action.pk}/updates/")["ETag"]
            barrier.wait(timeout=60)
    except BaseException:
        barrier.abort()
        raise
    finally:
        for client in clients:
            client.join(timeout=60)

    assert len(results) == CLIENTS * ROUNDS
    for round_ in range(ROUNDS):
        codes = sorted(code for r, _, code, _ in results if r == round_)
        assert codes == [201] + [409] * (CLIENTS - 1), (round_, codes)
    created = {pk: marker for _, marker, code, pk in results if code == 201}
    stored = ProgressUpdate.objects.filter(action=action).exclude(pk__in=before)
    # 0 lost: every 201 is stored with what its client sent; 0 duplicated: nothing else is.
    assert dict(stored.values_list("pk", "commentary")) == created
    assert len(set(created.values())) == ROUNDS
    assert etags[-1] == f'"{max(created)}"'


MEGABYTE = 1024 * 1024
MEMORY_LIMIT = 500 * MEGABYTE  # the worker: 500 MB


def _filler(limit: int, words: str) -> str:
    return (words * (limit // len(words) + 1))[:limit]


def test_a_1_mb_commentary_is_refused_and_the_longest_allowed_report_builds_within_500_mb(stack):
    """The form had no limit: a 1 MB commentary made a report the worker was killed building, without
    end. Now the text is bounded (UPDATE_TEXT_LIMITS), the 1 MB one refused with the reason and nothing
    stored; a quarter whose every update is as long as allowed builds on a worker whose pool processes
    may not hold more than 500 MB, at the first attempt. (A build killed each time, whatever the cause,
    ends failed with the reason and Retry: test_report_faults.test_a_build_killed_every_time_...)"""
    from actionplan import services as plan_services
    from actionplan.models import UPDATE_TEXT_LIMITS, ProgressUpdate
    from actionplan.services import UpdateDraft
    from reporting import services

    story = board_story(1)
    action = story["actions"]["1.1"]
    before = ProgressUpdate.objects.count()
    refused = _client(action.lead_officer).post(
        f"/api/v1/actions/{action.pk}/updates/",
        {
            "quarter": Q3.label,
            "status": "in_progress",
            "rag": "amber",
            "percent_complete": 50,
            "commentary": _filler(MEGABYTE, "Suppliers late again. "),
        },
        format="json",
        HTTP_IF_MATCH=f'"{action.latest_update_id}"',
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["commentary"] == ["Ensure this field has no more than 10000 characters."]
    assert ProgressUpdate.objects.count() == before

    for reference in ("1.1", "1.2", "2.2", "3.1", "4.1", "6.1", "6.2"):
        longest = story["actions"][reference]
        plan_services.update_create(
            action=longest,
            author=longest.lead_officer,
            draft=UpdateDraft(
                quarter=Q3,
                status="in_progress",
                rag="amber",
                percent_complete=55,
                commentary=_filler(
                    UPDATE_TEXT_LIMITS["commentary"], "The supplier has asked for more time. "
                ),
                next_steps=_filler(UPDATE_TEXT_LIMITS["next_steps"], "Meet the supplier and agree dates. "),
            ),
            check_version=False,
        )
    with stack.worker.memory_limit(MEMORY_LIMIT):
        report = services.report_request(quarter=Q3, user=story["admin"])
        stack.wait_for_report(report, "ready", "failed")
    assert report.state == "ready", report.error
    assert report.pdf.size > 0 and report.build_attempts == 1
