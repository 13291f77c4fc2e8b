# The per-quarter state table in its final shape: one row per action (and per
# partner served) for each quarter of its plan's year, with the figures copied.
# It is derived data, so the old table is dropped and the new one rebuilt.

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    # The rows are derived again, in the table's later shape, by 0005 (derived.refresh
    # writes the columns the model has now, which do not all exist yet here).
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('actionplan', '0002_quarter_state_table'),
        ('themes', '0001_initial'),
    ]

    operations = [
        migrations.DeleteModel(name='ActionQuarterState'),
        migrations.CreateModel(
            name='ActionQuarterState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.PositiveIntegerField()),
                ('update_period', models.PositiveIntegerField(blank=True, null=True)),
                ('status', models.CharField(choices=[('not_started', 'Not started'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('deferred', 'Deferred'), ('cancelled', 'Cancelled')], max_length=12)),
                ('rag', models.CharField(help_text='A RAG rating, or "not_reported".', max_length=12, verbose_name='RAG')),
                ('percent_complete', models.PositiveSmallIntegerField()),
                ('due_date', models.DateField(help_text="The state's due date: its revised date, else the action's.")),
                ('slip_days', models.IntegerField(help_text="Days the due date moved from the action's original date.")),
                ('theme_number', models.PositiveSmallIntegerField()),
                ('reference', models.CharField(max_length=20)),
                ('previous_status', models.CharField(blank=True, help_text='The status at the end of the quarter before (blank: none).', max_length=12)),
                ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quarter_states', to='actionplan.action')),
                ('partner', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='themes.partnerauthority')),
                ('plan', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='actionplan.actionplan')),
                ('theme', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='themes.theme')),
                ('update', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='quarter_states', to='actionplan.progressupdate')),
            ],
            options={
                'indexes': [models.Index(fields=['plan', 'period', 'partner', 'theme', 'status', 'rag', 'due_date', 'slip_days', 'percent_complete', 'action'], name='quarter_state_picture'), models.Index(fields=['partner', 'period', 'rag', 'plan'], name='quarter_state_trend')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('partner__isnull', True)), fields=('action', 'period'), name='one_state_per_quarter'), models.UniqueConstraint(condition=models.Q(('partner__isnull', False)), fields=('action', 'partner', 'period'), name='one_partner_state_per_quarter')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
