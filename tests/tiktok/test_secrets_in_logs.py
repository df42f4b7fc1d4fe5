"""No secret reaches a log or a stored job failure, even when TikTok's token host cannot be reached.

TikTok's token refresh carries the app secret and the refresh token in its query string; a connection
error prints the URL. The failing job is run by a real RQ worker with every logger at DEBUG, and its
logs and everything in Redis are searched for the secrets.
"""

from __future__ import annotations

import io
import logging
import socket
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from hub.models import TikTokShop
from hub.runtime import install
from hub.security.log_redaction import redact
from tests.conftest import make_runtime
from tests.support.secrets import captured_logs, redis_dump
from tests.tiktok.conftest import APP_KEY, APP_SECRET


@pytest.fixture()
def logs() -> Iterator[io.StringIO]:
    """Everything any logger writes, at DEBUG, formatted with tracebacks as a log file would have it."""
    with captured_logs() as buffer:
        yield buffer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_token_host_puts_no_secret_in_logs_or_redis(tmp_path, redis_url, runtime, merchant_id,  # noqa: ANN001
                                                                   sandbox, logs) -> None:
    with runtime.db.session_scope() as session:
        shop = session.scalar(select(TikTokShop))
        secrets = {"app secret": APP_SECRET, "access token": runtime.secrets.decrypt(shop.access_token_encrypted),
                   "refresh token": runtime.secrets.decrypt(shop.refresh_token_encrypted)}
        shop.access_token_expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)  # must refresh now
    install(None)
    # The same hub (database, Redis) whose token host has gone away.
    broken = make_runtime(tmp_path, redis_url, tiktok_api_base=sandbox.url, tiktok_app_key=APP_KEY,
                          tiktok_app_secret=APP_SECRET, tiktok_auth_base=f"http://127.0.0.1:{_closed_port()}",
                          tiktok_authorize_url=f"{sandbox.url}/open/authorize")
    try:
        queue = Queue("orders", connection=broken.redis)
        job = queue.enqueue("hub.jobs.orders.poll_orders", reschedule=False)
        SimpleWorker([queue], connection=broken.redis).work(burst=True, with_scheduler=False, logging_level="DEBUG")
        job.refresh()
        assert job.is_failed  # the refresh really failed, through the worker's own error handling
        logged, stored = logs.getvalue(), redis_dump(broken.redis)
        assert "No answer from TikTok" in logged and "TOKEN_REFRESH" in logged  # the token call's traceback
        for name, value in secrets.items():
            assert value not in logged, f"the {name} is in the worker's log"
            assert value not in stored, f"the {name} is stored in Redis"
    finally:
        install(None)
        broken.close()


def test_the_safety_net_masks_credentials_any_library_would_log(runtime) -> None:  # noqa: ANN001
    """A log line written by code that is not the hub's (a URL at DEBUG, a header dump, a JSON body)."""
    token = runtime.secrets.decrypt(runtime.secrets.encrypt("ROW_abcdefghijklmnop"))
    lines = [
        f"https://auth.example/api/v2/token/refresh?app_key=k&app_secret=unregistered123&refresh_token={token}",
        "GET /tiktok/oauth/callback?code=TTP_abcdef123456&state=xyz123456789 HTTP/1.1",
        '{"access_token": "TTP_zzzzzzzzzz", "refresh_token": "TTP_yyyyyyyyyy"}',
        "x-tts-access-token: TTP_wwwwwwwwww",
        f"the token is {token} and the app secret is {APP_SECRET}",
    ]
    for line in lines:
        masked = redact(line)
        for secret in ("unregistered123", token, "TTP_abcdef123456", "xyz123456789", "TTP_zzzzzzzzzz",
                       "TTP_yyyyyyyyyy", "TTP_wwwwwwwwww", APP_SECRET):
            assert secret not in masked, (line, masked)
    assert redact("tiktok_code=36009004 code 105002 at line 3") == "tiktok_code=36009004 code 105002 at line 3"


def test_a_logged_exception_carrying_a_secret_is_masked(runtime, logs) -> None:  # noqa: ANN001
    secret = runtime.secrets.decrypt(runtime.secrets.encrypt("store-secret-0123456789abcdef"))
    try:
        raise RuntimeError(f"GET https://x.example/?app_secret={APP_SECRET} failed for {secret}")
    except RuntimeError:
        logging.getLogger("some.library").exception("request failed: %s", secret)
    logged = logs.getvalue()
    assert "request failed" in logged and "RuntimeError" in logged
    assert secret not in logged and APP_SECRET not in logged
