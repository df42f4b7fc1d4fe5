"""A hub process's start-up heap, kept out of the garbage collector's way.

A web or worker process builds its app once: modules, SQLAlchemy's mappers and compiled statements,
marshmallow schemas, the Redis and RQ clients — hundreds of thousands of objects that live as long as
the process. Python's collector walks all of them at every full collection, and one 500-item
Extension API batch allocates enough to set collections off: on PostgreSQL that walk was about a
third of the batch's CPU (docs/performance.md, "CPU per price/stock push"). `gc.freeze()` moves what
exists once start-up is over into a permanent generation that collections skip (the Python
documentation's own advice for long-running and pre-fork servers; gunicorn's workers also keep those
pages shared). Everything made later is collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Call once the process is ready to serve or work, before its first request or job."""
    gc.collect()  # start-up's garbage is freed, not kept for ever
    gc.freeze()
