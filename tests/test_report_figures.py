"""Every figure in the board report equals the database (the dashboard's rules)."""

import io
import re

import pytest
from pypdf import PdfReader

from actionplan.models import Action, ProgressUpdate
from core.quarters import Quarter
from reporting import selectors, services
from reporting.factories import THEME_TITLES, BoardReportFactory, quarter_story
from themes import selectors as themes_selectors
from themes.models import PartnerAuthority

pytestmark = pytest.mark.django_db
Q3 = Quarter(2022, 3)


@pytest.fixture
def story(strategy, officer, colleague, maidstone, swale):
    return quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[maidstone, swale])


def oracle_states(quarter, partner=None):
    """The end-of-quarter rule written out the long way, straight from the rows."""
    states = {}
    for action in Action.objects.filter(plan__year=quarter.year):
        updates = list(ProgressUpdate.objects.filter(action=action, period__lte=quarter.code, partner=None))
        if partner is not None:
            own = list(
                ProgressUpdate.objects.filter(action=action, period__lte=quarter.code, partner=partner)
            )
            updates = own or updates
        latest = max(updates, key=lambda u: (u.period, u.created_at, u.id), default=None)
        states[action.reference] = latest
    return states


# Worst first, written out here rather than taken from actionplan.rules.
WORST_FIRST = ["red", "amber", "green", "not_reported", "blue"]


def oracle_headline_rags(quarter):
    """The headline's RAG of each action: the worst of its councils' own states (PRODUCT.md's
    roll-up), each council's state found the long way by oracle_states."""
    by_council = [oracle_states(quarter, partner) for partner in PartnerAuthority.objects.all()]
    rags = {}
    for action in Action.objects.filter(plan__year=quarter.year).prefetch_related("partners"):
        served = {p.pk for p in action.partners.all()}
        councils = [
            states[action.reference]
            for partner, states in zip(PartnerAuthority.objects.all(), by_council, strict=True)
            if partner.pk in served
        ] or [oracle_states(quarter)[action.reference]]
        ratings = [u.rag if u else "not_reported" for u in councils]
        if all(u and u.status == "completed" for u in councils):
            rags[action.reference] = "blue"
        else:
            rags[action.reference] = min((r for r in ratings if r != "blue"), key=WORST_FIRST.index)
    return rags


def content():
    report = BoardReportFactory(strategy=themes_selectors.active_strategy(), period=Q3.code)
    return report, selectors.content_for(report)


def test_totals_match_the_rows(story):
    _, c = content()
    states = oracle_states(Q3)
    rag = {key: 0 for key in ("red", "amber", "green", "blue", "not_reported")}
    for rating in oracle_headline_rags(Q3).values():
        rag[rating] += 1
    assert c.summary.total == len(states) == 9
    # 6.1 is red at Swale alone: the headline counts it red, at its worst council.
    assert c.summary.rag == rag == {"red": 3, "amber": 2, "green": 2, "blue": 1, "not_reported": 1}
    assert c.completed == sum(1 for u in states.values() if u and u.status == "completed") == 1
    delivering = [u for u in states.values() if not u or u.status not in ("cancelled", "deferred")]
    assert round(c.summary.average_percent) == round(
        sum(u.percent_complete if u else 0 for u in delivering) / 8
    )


def test_the_late_earlier_quarter_update_does_not_override(story):
    _, c = content()
    six = next(s for s in c.themes if s.theme.number == 6)
    # 6.2 is green (its late Q2 update does not override Q3's); 6.1 is red at Swale.
    assert {st.action.reference: st.rag for st in six.states} == {"6.1": "red", "6.2": "green"}


def test_theme_tallies_and_rows(story):
    _, c = content()
    assert [s.theme.title for s in c.themes] == THEME_TITLES
    counts = {s.theme.number: s.summary.total for s in c.themes}
    assert counts == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 2}
    assert sum(len(s.states) for s in c.themes) == c.summary.total


def test_exceptions_overdue_and_slipped(story):
    _, c = content()
    # Reds then ambers; 6.1's problem is one council's, and still reaches the board.
    assert [s.action.reference for s in c.exceptions] == ["1.1", "3.1", "6.1", "2.2", "5.1"]
    assert [s.action.reference for s in c.overdue] == ["4.1"]
    assert [s.action.reference for s in c.slipped] == ["2.2"]
    assert c.summary.overdue == 1


def test_changes_since_last_quarter(story):
    _, c = content()
    assert [ch.state.action.reference for ch in c.changes.new_reds] == ["1.1", "6.1"]
    # 6.2's late Q2 update made it red at the end of Q2; it is green at the end of Q3.
    assert [ch.state.action.reference for ch in c.changes.recoveries] == ["1.2", "6.2"]
    assert [ch.state.action.reference for ch in c.changes.completions] == ["2.1"]
    assert [now.action.reference for now, _ in c.changes.slipped] == ["2.2"]


def test_partner_figures_use_the_partners_own_state(story, maidstone, swale):
    _, c = content()
    by_name = {p.short_name: p.tally for p in c.partners}
    for partner in (maidstone, swale):
        states = oracle_states(Q3, partner)
        serving = {a.reference for a in Action.objects.filter(partners=partner)}
        reds = sum(1 for ref, u in states.items() if ref in serving and u and u.rag == "red")
        assert by_name[partner.short_name].rag["red"] == reds
        assert by_name[partner.short_name].total == len(serving)
    # 6.1 is red for Swale only.
    assert by_name["SBC"].rag["red"] == 3
    assert by_name["MBC"].rag["red"] == 2


def test_the_pdf_prints_the_same_figures(story):
    report, c = content()
    rendered = services.render(services.report_html(report))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "2022/23 Q3" in text
    assert f"has {c.summary.total} actions: 1 completed, 3 red and 2 amber" in text
    assert "1 was overdue at the end of the quarter" in text
    for title in THEME_TITLES:
        assert title in text
    for ref in ("1.1", "3.1"):
        assert f"{ref} Action {ref}" in text
    assert "Supplier failed to deliver" in text and "No budget" in text
