import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actionplan import services
from actionplan.models import Action, ProgressUpdate
from core.quarters import Quarter
from tests.conftest import Q3
from tests.conftest import add_update as add

pytestmark = pytest.mark.django_db


def test_officer_adds_update_and_it_becomes_current(action, officer):
    update = add(action, officer, commentary="Going well")
    action.refresh_from_db()
    assert action.latest_update == update
    assert update.author == officer


def test_officer_cannot_update_anothers_action(action, colleague):
    with pytest.raises(PermissionDenied):
        add(action, colleague)
    assert not ProgressUpdate.objects.exists()


def test_stale_version_is_refused_with_the_newer_update(action, officer, administrator):
    first = add(action, officer)
    with pytest.raises(services.UpdateConflict) as conflict:
        add(action, administrator, seen_update_id=None, percent_complete=60)
    assert conflict.value.newer == first
    assert ProgressUpdate.objects.count() == 1


def test_double_submit_stores_once(action, officer):
    first = add(action, officer, commentary="Same words")
    again = add(action, officer, commentary="Same words")
    assert again == first
    assert ProgressUpdate.objects.count() == 1


def test_locked_quarter_refused(action, officer, administrator):
    services.quarter_lock(quarter=Q3, user=administrator)
    with pytest.raises(ValidationError) as error:
        add(action, officer, quarter=Quarter(2022, 2))
    assert "locked" in str(error.value.message_dict["quarter"])
    add(action, officer, quarter=Quarter(2022, 4))


def test_future_quarter_refused(action, officer):
    with pytest.raises(ValidationError):
        add(action, officer, quarter=Quarter(2023, 1))


def test_commentary_required_for_red_with_a_clear_message(action, officer):
    with pytest.raises(ValidationError) as error:
        add(action, officer, rag="red", commentary="   ")
    assert "commentary" in error.value.message_dict


def test_revised_date_needs_reason(action, officer):
    with pytest.raises(ValidationError) as error:
        add(action, officer, revised_due_date=datetime.date(2023, 9, 30))
    assert "revision_reason" in error.value.message_dict


def test_completed_becomes_blue_and_100(action, officer):
    update = add(action, officer, status="completed", rag="green", percent_complete=80)
    assert (update.rag, update.percent_complete) == ("blue", 100)


def test_partner_update_must_be_for_a_served_partner(action, officer):
    from themes.factories import PartnerFactory

    twbc = PartnerFactory(short_name="TWBC")
    with pytest.raises(ValidationError):
        add(action, officer, partner=twbc)


def test_partner_update_does_not_move_overall_state(action, officer, swale):
    overall = add(action, officer)
    add(action, officer, partner=swale, rag="amber", commentary="Swale behind", seen_update_id=overall.pk)
    assert Action.objects.get(pk=action.pk).latest_update == overall


def test_only_administrators_lock_quarters(officer):
    with pytest.raises(PermissionDenied):
        services.quarter_lock(quarter=Q3, user=officer)
