"""Keep the derived state (actionplan.derived) in step with its sources.

Every single save of an action, its partners, its plan, its theme or its updates rebuilds
the rows of the actions concerned (a handful of queries each), so admin edits,
imports, the update form and the API all stay right without remembering to.
Bulk writes send no signals: their callers run derived.refresh.
"""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from actionplan import derived
from actionplan.models import Action, ActionPlan, ProgressUpdate
from themes.models import Theme


def _rebuild(actions) -> None:
    derived.refresh(actions)


@receiver(post_save, sender=Action, dispatch_uid="quarter_states_action")
def action_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _rebuild(Action.objects.filter(pk=instance.pk))


@receiver(post_save, sender=ProgressUpdate, dispatch_uid="quarter_states_update")
def update_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _rebuild(Action.objects.filter(pk=instance.action_id))


@receiver(post_save, sender=ActionPlan, dispatch_uid="quarter_states_plan")
def plan_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:
        _rebuild(Action.objects.filter(plan=instance))


@receiver(post_save, sender=Theme, dispatch_uid="quarter_states_theme")
def theme_saved(sender, instance, created=False, raw=False, **kwargs):
    # The rows copy the theme's number for sorting.
    if not raw and not created:
        _rebuild(Action.objects.filter(theme=instance))


@receiver(m2m_changed, sender=Action.partners.through, dispatch_uid="quarter_states_partners")
def partners_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _rebuild(Action.objects.filter(pk=instance.pk))
    elif pk_set:
        _rebuild(Action.objects.filter(pk__in=pk_set))
    elif action == "post_clear":
        # A partner's actions were all removed: its rows go with the partner's links.
        from actionplan.models import ActionQuarterState

        ActionQuarterState.objects.filter(partner=instance).delete()
