"""What the client must know about each TikTok endpoint before sending anything.

`shop_cipher` is required on shop-scoped endpoints (`106013` without it) and forbidden on app- or
seller-level ones (`36009004` "Unexpected identifier" with it), so each endpoint carries its rule; the
rate-limit key is the method and path template because TikTok budgets per API, not per product id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

CipherRule = Literal["required", "forbidden", "optional"]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    cipher: CipherRule = "required"
    multipart: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    def path(self, **params: str) -> str:
        path = self.template
        for name, value in params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"Missing path parameter for {self.template}")
        return path
