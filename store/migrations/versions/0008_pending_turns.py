"""pending turns: WeChat messages kept until their turn is saved; need.source_key

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pending_turn',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_pending_turn_user_id'), 'pending_turn', ['user_id'], unique=False)
    op.add_column('need', sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=200),
                                    nullable=True))
    op.create_index(op.f('ix_need_source_key'), 'need', ['source_key'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_need_source_key'), table_name='need')
    with op.batch_alter_table('need') as batch:
        batch.drop_column('source_key')
    op.drop_index(op.f('ix_pending_turn_user_id'), table_name='pending_turn')
    op.drop_table('pending_turn')
