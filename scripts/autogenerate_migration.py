"""Write the next Alembic migration from the difference between hub.models and the existing migrations.

Usage: python scripts/autogenerate_migration.py "message" [rev_id]
It upgrades a scratch SQLite database to head first, so only the new changes are generated.
"""

import sys
import tempfile

from alembic import command

from hub.migrations import alembic_config, upgrade

with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{tmp}/scratch.db"
    upgrade(url)
    command.revision(alembic_config(url), message=sys.argv[1], autogenerate=True,
                     rev_id=sys.argv[2] if len(sys.argv) > 2 else None)
