"""login throttle: failed console sign-ins per client IP, (account, IP) pair and account

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_login_throttle_expires_at'), 'login_throttle', ['expires_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_throttle_expires_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
