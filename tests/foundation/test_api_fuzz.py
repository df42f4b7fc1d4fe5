"""Property-based run of the live API from its own OpenAPI document: no input may cause a 5xx, and
every answer, errors included, is what the document says."""

from __future__ import annotations

import itertools
import os
import time

import requests
from hypothesis import HealthCheck, given, settings

from plugins.hub_client import sign_request
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)


# Examples per operation and mode (valid and invalid requests): a few seconds in the test suite; for a
# longer run: HUB_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/foundation/test_api_fuzz.py
EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "30"))

# Every check of the answer against the document. Not the authentication probes (ignored_auth): the
# session signs whatever request a probe sends, so a probe's "invalid" credentials arrive valid.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


class HubSignature(requests.auth.AuthBase):
    """Signs each prepared request exactly as sent, so fuzzed bodies pass authentication."""

    def __init__(self, key_id: str, secret: str):
        self.key_id, self.secret = key_id, secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        ts = str(int(time.time()))
        request.headers.update({"X-Hub-Key": self.key_id, "X-Hub-Timestamp": ts,
                                "X-Hub-Signature": sign_request(self.secret, ts, request.method, request.path_url, body)})
        return request


def test_no_generated_request_causes_a_server_error_or_an_undocumented_answer(live_hub, store) -> None:  # noqa: ANN001
    """Every answer is checked against the document (schemathesis' checks: no 5xx, documented status
    codes, content types, headers, and the response schema), the error answers included."""
    import schemathesis  # here, not at the top: importing it costs every test process seconds of collection
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_url(f"{live_hub.url}/api/v1/openapi.json")
    session = requests.Session()
    session.auth = HubSignature(store["key_id"], store["secret"])
    checked, failures = [], []
    for result, mode in itertools.product(list(schema.get_all_operations()), GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # noqa: ANN001
            if case.query and "wait" in case.query:
                case.query["wait"] = 0  # a long-poll would only slow the run down
            response = case.call(base_url=live_hub.url, session=session)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as failure:  # noqa: BLE001 - collected: the run goes on to find them all
                failures.append(f"{case.method} {case.path} -> {response.status_code}: {failure}"[:600])
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}

        run()
        checked.append(f"{operation.label} ({mode.value})")
    assert len(checked) >= 10
    assert failures == [], f"{len(failures)} answers do not match the document:\n" + "\n".join(failures[:10])
