"""Re-hosting pictures on TikTok: download, prepare, and upload each distinct picture once.

The key of the cache is the sha256 of the prepared bytes (what TikTok would receive) with the shop and
the `use_case` (TikTok checks sizes per use case), so the same picture linked from a hundred products,
or synced again next week, is one upload. A Redis lock per key makes that hold across workers: the
second worker waits and then finds the first one's row. Downloads and uploads run on a small thread
pool (bounded concurrency) so a product with nine pictures does not take nine round trips in a row.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.models import ImageUpload
from hub.sync.products.errors import ImageError, ProductDataError
from hub.sync.products.images import ImagePipeline, PreparedImage

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.tiktok.client import ShopClient

log = logging.getLogger("hub.sync.products")

MAX_CONCURRENCY = 4
LOCK_SECONDS = 120


@dataclass(frozen=True)
class Hosted:
    uri: str
    url: str
    width: int
    height: int


class ImageUploader:
    def __init__(self, runtime: "Runtime", shop_id: str, client: "ShopClient", *,
                 max_concurrency: int = MAX_CONCURRENCY):
        self.runtime = runtime
        self.shop_id = shop_id
        self.client = client
        self.max_concurrency = max_concurrency
        self.pipeline = ImagePipeline(allow_private=runtime.settings.allow_private_image_hosts)
        self.uploads = 0  # TikTok uploads this uploader made (the rest came from the cache)

    def close(self) -> None:
        self.pipeline.close()

    def __enter__(self) -> "ImageUploader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _map(self, fn, items: list):  # noqa: ANN001, ANN202
        if len(items) <= 1 or self.max_concurrency <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(items))) as pool:
            return list(pool.map(fn, items))

    def prepare_all(self, urls: Iterable[str]) -> dict[str, PreparedImage | ProductDataError]:
        """Each distinct URL downloaded and prepared once; failures are returned, not raised."""
        distinct = list(dict.fromkeys(urls))

        def one(url: str) -> PreparedImage | ProductDataError:
            try:
                return self.pipeline.prepare(url)
            except ProductDataError as error:
                return error
            except Exception as error:  # noqa: BLE001 - a broken picture must not break the product run
                log.exception("Preparing image %s failed", url)
                return ImageError("image_unreadable", f"The image at {url} could not be read ({type(error).__name__}).")

        return dict(zip(distinct, self._map(one, distinct)))

    def host_all(self, items: list[tuple[PreparedImage, str]]) -> list[Hosted]:
        """Upload (or find in the cache) each (prepared image, use case); same order as given."""
        return self._map(lambda pair: self.host(*pair), items)

    def _cached(self, sha256: str, use_case: str) -> Hosted | None:
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(ImageUpload).where(ImageUpload.shop_id == self.shop_id,
                                                           ImageUpload.sha256 == sha256,
                                                           ImageUpload.use_case == use_case))
            return Hosted(row.uri, row.url, row.width, row.height) if row is not None else None

    def host(self, image: PreparedImage, use_case: str) -> Hosted:
        found = self._cached(image.sha256, use_case)
        if found is not None:
            return found
        lock = self.runtime.redis.lock(f"hub:image-upload:{self.shop_id}:{image.sha256}:{use_case}",
                                       timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
        with lock:
            found = self._cached(image.sha256, use_case)
            if found is not None:
                return found
            extension = "png" if image.content_type == "image/png" else "jpg"
            data = self.client.catalog.upload_image(image.data, use_case=use_case,
                                                    filename=f"{image.sha256[:16]}.{extension}")
            self.uploads += 1
            hosted = Hosted(str(data["uri"]), str(data.get("url") or ""), int(data.get("width") or image.width),
                            int(data.get("height") or image.height))
            try:
                with self.runtime.db.session_scope() as session:
                    session.add(ImageUpload(shop_id=self.shop_id, sha256=image.sha256, use_case=use_case,
                                            uri=hosted.uri, url=hosted.url, width=hosted.width, height=hosted.height))
            except IntegrityError:  # stored meanwhile by a holder of an expired lock: theirs is as good
                pass
            return hosted
