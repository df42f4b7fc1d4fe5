"""Values computed by Shopify's own Node library, `@shopify/shopify-api` (npm, installed by
`scripts/setup --test` into .venv/npm/node), run with the machine's Node at test time.

One Node process per call handles a list of operations:
- `query_hmac` / `validate_query`: the library's admin-query HMAC (`generateLocalHmac`, `validateHmac`);
- `webhook_hmac`: its test helper `getHmac` (base64 HMAC-SHA256 of the body);
- `session_token` / `decode_session_token`: its test helper `getJwt` (jose, HS256) and the library's
  own `session.decodeSessionToken`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from plugins.shopify.fake_admin.schema import npm_dir

SCRIPT = r"""
const { shopifyApi, ApiVersion } = require('@shopify/shopify-api');
require('@shopify/shopify-api/adapters/node');
const helpers = require('@shopify/shopify-api/test-helpers');
const path = require('path');
const { generateLocalHmac } = require(path.join(path.dirname(require.resolve('@shopify/shopify-api')), 'utils', 'hmac-validator.js'));
(async () => {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const out = [];
  for (const op of input) {
    const config = { apiKey: op.client_id, apiSecretKey: op.secret, apiVersion: ApiVersion.July26 || '2026-07',
                     isEmbeddedApp: true, hostName: 'hub.example.com', logger: { level: 0 } };
    const shopify = shopifyApi(config);
    try {
      if (op.op === 'query_hmac') out.push(await generateLocalHmac(config)(op.params));
      else if (op.op === 'validate_query') out.push(await shopify.utils.validateHmac(op.params));
      else if (op.op === 'webhook_hmac') out.push(helpers.getHmac(op.body, op.secret));
      else if (op.op === 'session_token')
        out.push((await helpers.getJwt(op.shop, op.client_id, op.secret, op.overrides || {})).token);
      else if (op.op === 'decode_session_token') out.push(await shopify.session.decodeSessionToken(op.token));
      else out.push({ error: 'unknown op ' + op.op });
    } catch (e) { out.push({ error: String(e.message || e) }); }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def node_modules() -> Path:
    return npm_dir() / "node" / "node_modules"


def run(*operations: dict[str, Any]) -> list[Any]:
    node = shutil.which("node")
    assert node, "Node is needed for the Shopify signature tests (a fresh machine has it)"
    assert (node_modules() / "@shopify" / "shopify-api").exists(), "run scripts/setup --test (npm packages)"
    done = subprocess.run([node, "-e", SCRIPT], input=json.dumps(list(operations)), capture_output=True, text=True,
                          timeout=60, env={**os.environ, "NODE_PATH": str(node_modules())},
                          cwd=str(node_modules().parent))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
