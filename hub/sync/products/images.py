"""The product image pipeline: download safely, convert to what TikTok accepts, hash for the upload cache.

One pipeline per sync run shares one HTTP session (connection reuse across a product's pictures) and one
security setting; the parts live in ``image_download`` and ``image_convert`` and are usable alone.
Pictures are downloaded to files in the pipeline's temporary folder and converted in the budgeted child
process of ``image_process``, so a listing job's memory does not grow with its pictures.
The ``sha256`` of the prepared bytes is the upload-cache key (docs/product-rules.md: an identical image is uploaded
once), computed after conversion so that the same picture in two formats is still two uploads, while the
same file linked from two products is one.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path
from types import TracebackType
from typing import Iterable

import requests

from hub.sync.products.errors import ImageError
from hub.sync.products.image_convert import (
    DEFAULT_MAX_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    MIN_SIDE,
    PreparedImage,
    prepare_image,
    register_image_plugins,
)
from hub.sync.products.image_download import (DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, check_url,
                                              download_image, fetch_image, image_session)
from hub.sync.products.image_process import ImageConverter, shared_converter

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "MAX_SIDE",
    "MAX_UPLOAD_BYTES",
    "MIN_SIDE",
    "ImageError",
    "ImagePipeline",
    "PreparedImage",
    "check_url",
    "fetch_image",
    "prepare_image",
    "register_image_plugins",
]


class ImagePipeline:
    """Download-and-prepare with one session and one set of limits."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        allow_private: bool = False,
        allow_networks: Iterable[str] = (),
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        deadline: float = DEFAULT_DEADLINE,
        converter: ImageConverter | None | bool = True,
    ) -> None:
        """`converter`: True (default) converts in the process's budgeted child process, an
        `ImageConverter` in that one, False in this process without a budget (tests of the conversion)."""
        self._own_session = session is None
        self.session = image_session() if session is None else session
        self.allow_private = allow_private
        self.allow_networks = tuple(allow_networks)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_pixels = max_pixels
        self.deadline = deadline
        self.converter = shared_converter() if converter is True else (converter or None)
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._workdir_lock = threading.Lock()

    def fetch(self, url: str) -> bytes:
        return fetch_image(
            url,
            session=self.session,
            allow_private=self.allow_private,
            allow_networks=self.allow_networks,
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            deadline=self.deadline,
        )

    def prepare(self, url: str) -> PreparedImage:
        if self.converter is None:
            return prepare_image(self.fetch(url), source=url, max_pixels=self.max_pixels)
        with self._workdir_lock:  # pictures are prepared from several threads
            if self._workdir is None:
                self._workdir = tempfile.TemporaryDirectory(prefix="hub-images-")
        name = uuid.uuid4().hex
        src, dst = Path(self._workdir.name, f"{name}.in"), Path(self._workdir.name, f"{name}.out")
        try:
            with open(src, "wb") as sink:
                download_image(url, sink, session=self.session, allow_private=self.allow_private,
                               allow_networks=self.allow_networks, max_bytes=self.max_bytes, timeout=self.timeout,
                               deadline=self.deadline)
            meta = self.converter.convert(src, dst, source=url, max_pixels=self.max_pixels)
        finally:
            src.unlink(missing_ok=True)
        return PreparedImage(content_type=meta["content_type"], width=meta["width"], height=meta["height"],
                             sha256=meta["sha256"], converted_from=meta["converted_from"],
                             changes=tuple(meta["changes"]), path=dst)

    def close(self) -> None:
        if self._own_session:
            self.session.close()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> "ImagePipeline":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
