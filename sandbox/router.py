"""Path-template routing with TikTok's routing errors (36009009 / 36009010 / 36009014)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .errors import ApiError

_PARAM = re.compile(r"\{([a-z_]+)\}")
_VERSIONED = re.compile(r"^/([a-z_]+)/([^/]+)(/.*)?$")


@dataclass
class Route:
    method: str
    template: str
    handler: Callable
    shop_cipher: str = "required"      # required | forbidden | optional
    scope: str | None = None
    multipart: bool = False
    regex: re.Pattern = field(init=False)
    key: str = field(init=False)

    def __post_init__(self):
        pattern = "^" + _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(self.template)
                                   .replace(r"\{", "{").replace(r"\}", "}")) + "$"
        self.regex = re.compile(pattern)
        self.key = f"{self.method} {self.template}"


class Router:
    def __init__(self):
        self.routes: list[Route] = []

    def add(self, method: str, templates, handler, **kw):
        if isinstance(templates, str):
            templates = [templates]
        for template in templates:
            self.routes.append(Route(method, template, handler, **kw))

    def match(self, method: str, path: str) -> tuple[Route, dict]:
        same_path = []
        for route in self.routes:
            m = route.regex.match(path)
            if m:
                if route.method == method:
                    return route, m.groupdict()
                same_path.append(route)
        if same_path:
            raise ApiError(36009010)
        # Same resource under another version?  -> invalid API version.
        vm = _VERSIONED.match(path)
        if vm:
            category, _version, rest = vm.group(1), vm.group(2), vm.group(3) or ""
            for route in self.routes:
                rm = _VERSIONED.match(route.template)
                if not rm or rm.group(1) != category:
                    continue
                probe = f"/{category}/{rm.group(2)}{rest}"
                if route.regex.match(probe):
                    raise ApiError(36009014)
        raise ApiError(36009009)
