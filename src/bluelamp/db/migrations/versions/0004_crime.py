"""crime and victims: crimes, plans, reviews, alerts, bureau tasks; victims, Right 6 clocks, DASH, MARAC

Revision ID: 0004_crime
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "0004_crime"
down_revision = "0002_response"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crime',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('offence', sa.String(length=64), nullable=False),
    sa.Column('offence_group', sa.String(length=64), nullable=False),
    sa.Column('most_serious', sa.Boolean(), nullable=False),
    sa.Column('domestic', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reported_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('record_due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=True),
    sa.Column('oic', sa.String(length=120), nullable=False),
    sa.Column('risk', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('next_review_due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_review_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('plan_score', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=True),
    sa.Column('outcome_evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('closure_requested_by', sa.String(length=120), nullable=True),
    sa.Column('closure_requested_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('policy_version', sa.String(length=16), nullable=False),
    sa.Column('created_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_crime_contact_id_contact')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_crime_incident_id_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crime'))
    )
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crime_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crime_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_crime_oic', ['oic', 'status'], unique=False)
        batch_op.create_index('ix_crime_recording_due', ['record_due_at'], unique=False, postgresql_where=sa.text('recorded_at IS NULL'), sqlite_where=sa.text('recorded_at IS NULL'))
        batch_op.create_index('ix_crime_review_due', ['next_review_due_at'], unique=False, postgresql_where=sa.text("status <> 'closed'"), sqlite_where=sa.text("status <> 'closed'"))
        batch_op.create_index('ix_crime_status', ['status', 'reported_at'], unique=False)

    op.create_table('bureau_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=True),
    sa.Column('victim_id', sa.Integer(), nullable=True),
    sa.Column('clock_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assigned_to', sa.String(length=120), nullable=True),
    sa.Column('created_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=120), nullable=True),
    sa.Column('minutes_saved', sa.Float(), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_bureau_task_crime_id_crime'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bureau_task')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_bureau_task_dedupe_key'))
    )
    with op.batch_alter_table('bureau_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bureau_task_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_bureau_task_queue', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_bureau_task_saved', ['status', 'kind', 'minutes_saved'], unique=False)
        batch_op.create_index('ix_bureau_task_victim', ['victim_id', 'kind'], unique=False)

    op.create_table('crime_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('raised_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_crime_alert_crime_id_crime'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crime_alert')),
    sa.UniqueConstraint('kind', 'subject_id', 'due_at', 'level', name='uq_crime_alert_subject')
    )
    with op.batch_alter_table('crime_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crime_alert_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_crime_alert_open', ['resolved_at', 'role', 'raised_at'], unique=False)

    op.create_table('crime_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('name_key', sa.String(length=200), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_crime_party_crime_id_crime'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_crime_party_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crime_party'))
    )
    with op.batch_alter_table('crime_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crime_party_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_crime_party_name', ['name_key', 'dob'], unique=False)
        batch_op.create_index(batch_op.f('ix_crime_party_person_id'), ['person_id'], unique=False)

    op.create_table('investigation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('element', sa.String(length=48), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=120), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_investigation_action_crime_id_crime'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigation_action'))
    )
    with op.batch_alter_table('investigation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investigation_action_crime_id'), ['crime_id'], unique=False)

    op.create_table('investigation_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('elements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('policy_version', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_investigation_plan_crime_id_crime'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigation_plan')),
    sa.UniqueConstraint('crime_id', name=op.f('uq_investigation_plan_crime_id'))
    )
    op.create_table('supervisory_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('reviewer', sa.String(length=120), nullable=False),
    sa.Column('reviewed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('direction', sa.Text(), nullable=False),
    sa.Column('risk', sa.String(length=8), nullable=False),
    sa.Column('plan_score', sa.Integer(), nullable=True),
    sa.Column('was_due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_supervisory_review_crime_id_crime'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisory_review'))
    )
    with op.batch_alter_table('supervisory_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisory_review_crime_id'), ['crime_id'], unique=False)

    op.create_table('victim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('enhanced', sa.Boolean(), nullable=False),
    sa.Column('enhanced_reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('rights', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('needs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('needs_assessed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('contact_method', sa.String(length=16), nullable=True),
    sa.Column('contact_every_days', sa.Integer(), nullable=True),
    sa.Column('contact_agreed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_update_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_update_due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vps_offered_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vps_accepted', sa.Boolean(), nullable=True),
    sa.Column('created_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_victim_crime_id_crime'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['crime_party.id'], name=op.f('fk_victim_party_id_crime_party'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim'))
    )
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_victim_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_victim_update_due', ['next_update_due_at'], unique=False, postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))

    op.create_table('dash_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('dash_version', sa.String(length=40), nullable=False),
    sa.Column('policy_version', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('yes_count', sa.Integer(), nullable=False),
    sa.Column('actuarial', sa.String(length=12), nullable=False),
    sa.Column('judgement', sa.String(length=12), nullable=True),
    sa.Column('judgement_reason', sa.Text(), nullable=True),
    sa.Column('incidents_in_window', sa.Integer(), nullable=False),
    sa.Column('escalation', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('marac', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('assessed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_dash_assessment_crime_id_crime'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['victim_id'], ['victim.id'], name=op.f('fk_dash_assessment_victim_id_victim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dash_assessment'))
    )
    with op.batch_alter_table('dash_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dash_assessment_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dash_assessment_victim_id'), ['victim_id'], unique=False)

    op.create_table('right6_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('event_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enhanced', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('due_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('warned_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('missed_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('met_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_right6_clock_crime_id_crime'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['victim_id'], ['victim.id'], name=op.f('fk_right6_clock_victim_id_victim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_right6_clock'))
    )
    with op.batch_alter_table('right6_clock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_right6_clock_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_right6_clock_due', ['due_at'], unique=False, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.create_index(batch_op.f('ix_right6_clock_victim_id'), ['victim_id'], unique=False)
        batch_op.create_index('ix_right6_clock_warn', ['warn_at'], unique=False, postgresql_where=sa.text("status = 'open' AND warned_at IS NULL"), sqlite_where=sa.text("status = 'open' AND warned_at IS NULL"))

    op.create_table('victim_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('referred_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['victim_id'], ['victim.id'], name=op.f('fk_victim_referral_victim_id_victim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_referral'))
    )
    with op.batch_alter_table('victim_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_victim_referral_victim_id'), ['victim_id'], unique=False)

    op.create_table('victim_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=False),
    sa.Column('at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('clocks_met', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['victim_id'], ['victim.id'], name=op.f('fk_victim_update_victim_id_victim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_update'))
    )
    with op.batch_alter_table('victim_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_victim_update_victim_id'), ['victim_id'], unique=False)

    op.create_table('marac_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dash_id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('referred_at', bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('meeting_date', bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dash_id'], ['dash_assessment.id'], name=op.f('fk_marac_referral_dash_id_dash_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['victim_id'], ['victim.id'], name=op.f('fk_marac_referral_victim_id_victim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marac_referral')),
    sa.UniqueConstraint('dash_id', name=op.f('uq_marac_referral_dash_id'))
    )
    with op.batch_alter_table('marac_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_marac_referral_victim_id'), ['victim_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('marac_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_marac_referral_victim_id'))

    op.drop_table('marac_referral')
    with op.batch_alter_table('victim_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_victim_update_victim_id'))

    op.drop_table('victim_update')
    with op.batch_alter_table('victim_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_victim_referral_victim_id'))

    op.drop_table('victim_referral')
    with op.batch_alter_table('right6_clock', schema=None) as batch_op:
        batch_op.drop_index('ix_right6_clock_warn', postgresql_where=sa.text("status = 'open' AND warned_at IS NULL"), sqlite_where=sa.text("status = 'open' AND warned_at IS NULL"))
        batch_op.drop_index(batch_op.f('ix_right6_clock_victim_id'))
        batch_op.drop_index('ix_right6_clock_due', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_right6_clock_crime_id'))

    op.drop_table('right6_clock')
    with op.batch_alter_table('dash_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dash_assessment_victim_id'))
        batch_op.drop_index(batch_op.f('ix_dash_assessment_crime_id'))

    op.drop_table('dash_assessment')
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.drop_index('ix_victim_update_due', postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
        batch_op.drop_index(batch_op.f('ix_victim_crime_id'))

    op.drop_table('victim')
    with op.batch_alter_table('supervisory_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisory_review_crime_id'))

    op.drop_table('supervisory_review')
    op.drop_table('investigation_plan')
    with op.batch_alter_table('investigation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investigation_action_crime_id'))

    op.drop_table('investigation_action')
    with op.batch_alter_table('crime_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crime_party_person_id'))
        batch_op.drop_index('ix_crime_party_name')
        batch_op.drop_index(batch_op.f('ix_crime_party_crime_id'))

    op.drop_table('crime_party')
    with op.batch_alter_table('crime_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_crime_alert_open')
        batch_op.drop_index(batch_op.f('ix_crime_alert_crime_id'))

    op.drop_table('crime_alert')
    with op.batch_alter_table('bureau_task', schema=None) as batch_op:
        batch_op.drop_index('ix_bureau_task_victim')
        batch_op.drop_index('ix_bureau_task_saved')
        batch_op.drop_index('ix_bureau_task_queue')
        batch_op.drop_index(batch_op.f('ix_bureau_task_crime_id'))

    op.drop_table('bureau_task')
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.drop_index('ix_crime_status')
        batch_op.drop_index('ix_crime_review_due', postgresql_where=sa.text("status <> 'closed'"), sqlite_where=sa.text("status <> 'closed'"))
        batch_op.drop_index('ix_crime_recording_due', postgresql_where=sa.text('recorded_at IS NULL'), sqlite_where=sa.text('recorded_at IS NULL'))
        batch_op.drop_index('ix_crime_oic')
        batch_op.drop_index(batch_op.f('ix_crime_incident_id'))
        batch_op.drop_index(batch_op.f('ix_crime_contact_id'))

    op.drop_table('crime')
