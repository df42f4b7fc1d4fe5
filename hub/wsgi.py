"""WSGI entry point for gunicorn: `gunicorn --worker-class gthread --threads 32 hub.wsgi:app`.

Use the threaded worker class: a command long-poll holds a thread while it waits. Waiting long-polls
are limited to 2 per store and to `HUB_LONG_POLLS_PER_PROCESS` per process (set it to at most half of
`--threads`; `hub serve --gunicorn` does), so webhooks and pages always find a free thread.
"""

from hub.app import create_app

app = create_app()
