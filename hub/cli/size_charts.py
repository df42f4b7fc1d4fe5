"""`hub size-charts`, `hub category size-chart|certificate` and `hub product size-chart|certificate`:
what the settings page's size chart and certificate forms do (hub.sync.products.size_charts).

Each prints one JSON document on stdout; errors go to stderr with a non-zero exit. A save re-sends the
products that failed for the missing size chart or certificate, as the settings page does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click
from sqlalchemy import select

from hub.cli.support import build_runtime, fail, print_json
from hub.errors import HubError


def _with_client(store_id: str, work: Callable[[Any, Any, Any, Any], Any]) -> None:
    """Run `work(runtime, session, store, client)` for the store's connected TikTok shop."""
    from hub.models import Store
    from hub.sync.policy import shop_for_store
    from hub.tiktok.connection import client_for_shop

    runtime = build_runtime()
    try:
        with runtime.db.session_scope() as session:
            store = session.get(Store, store_id)
            if store is None:
                fail(f"There is no store {store_id}.")
            shop = shop_for_store(session, store)
            if shop is None:
                fail("No TikTok shop is connected: connect one first (hub tiktok connect).")
            with client_for_shop(runtime, shop) as client:
                work(runtime, session, store, client)
    except HubError as error:
        fail(error.message)
    finally:
        runtime.close()


def _chart(client: Any, template: str | None, image: Path | None, clear: bool) -> dict[str, Any] | None:
    from hub.sync.products import size_charts

    if sum(bool(x) for x in (template, image, clear)) != 1:
        fail("Give exactly one of --template, --image or --clear.")
    if clear:
        return None
    if image is not None:
        return size_charts.host_size_chart_picture(client, image.read_bytes(), image.name)
    return size_charts.template_choice(client, template or "")


def _certificate(client: Any, certificate_id: str, files: tuple[Path, ...], expires: str | None,
                 clear: bool) -> dict[str, Any] | None:
    from hub.sync.products import size_charts

    if clear == bool(files):
        fail("Give --file (one or more) or --clear.")
    if clear:
        return None
    hosted = size_charts.host_certificate_files(client, [(f.name, f.read_bytes()) for f in files])
    return size_charts.certificate_entry(certificate_id, hosted, size_charts.expiration(expires))


def _resend(runtime: Any, store_id: str, product_ids: list[str]) -> int:
    from hub.sync.products.schedule import enqueue_listings

    return enqueue_listings(runtime, store_id, product_ids) if product_ids else 0


def _failed(session: Any, store_id: str, codes: set[str], product_ids: set[str] | None,
            tiktok_category_id: str | None) -> list[str]:
    """Products of the store not on TikTok yet that failed for one of `codes` (in the category, or listed)."""
    from hub.models import Listing, ProductOverride, ProductSnapshot
    from hub.models.listings import FAILED_TO_SYNC
    from hub.sync.products import categories

    out = []
    for listing in session.scalars(select(Listing).where(Listing.store_id == store_id,
                                                         Listing.status == FAILED_TO_SYNC,
                                                         Listing.tiktok_product_id.is_(None))):
        if not (listing.reason_code in codes or any(isinstance(i, dict) and i.get("code") in codes
                                                    for i in listing.issues or [])):
            continue
        if product_ids is not None and listing.product_id not in product_ids:
            continue
        if tiktok_category_id is not None:
            snapshot = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == store_id,
                                                                    ProductSnapshot.product_id == listing.product_id))
            override = session.scalar(select(ProductOverride).where(
                ProductOverride.store_id == store_id, ProductOverride.product_id == listing.product_id,
                ProductOverride.variant_id == ""))
            resolved = categories.resolve(session, store_id, snapshot.data, override=override) if snapshot else None
            if resolved is None or resolved.category_id != tiktok_category_id:
                continue
        out.append(listing.product_id)
    return out


@click.command("size-charts")
@click.option("--store", "store_id", required=True)
def size_charts_command(store_id: str) -> None:
    """The TikTok shop's size chart templates (made in Seller Center)."""
    from hub.sync.products import size_charts

    _with_client(store_id, lambda runtime, session, store, client: print_json(
        {"store_id": store_id, "size_charts": size_charts.templates(client)}))


def _category_row(session: Any, store_id: str, tiktok_category_id: str) -> Any:
    from hub.models import CategoryDefaults, CategoryMapping

    if not session.scalar(select(CategoryMapping.id).where(CategoryMapping.store_id == store_id,
                                                           CategoryMapping.tiktok_category_id == tiktok_category_id)):
        fail(f"No store category of {store_id} is mapped to the TikTok category {tiktok_category_id}.")
    row = session.scalar(select(CategoryDefaults).where(CategoryDefaults.store_id == store_id,
                                                        CategoryDefaults.tiktok_category_id == tiktok_category_id))
    if row is None:
        row = CategoryDefaults(store_id=store_id, tiktok_category_id=tiktok_category_id, attributes={})
        session.add(row)
    return row


def _product_row(session: Any, store_id: str, product_id: str) -> Any:
    from hub.models import ProductOverride, ProductSnapshot

    if session.scalar(select(ProductSnapshot.id).where(ProductSnapshot.store_id == store_id,
                                                       ProductSnapshot.product_id == product_id)) is None:
        fail(f"Store {store_id} has no product {product_id}.")
    row = session.scalar(select(ProductOverride).where(ProductOverride.store_id == store_id,
                                                       ProductOverride.product_id == product_id,
                                                       ProductOverride.variant_id == ""))
    if row is None:
        row = ProductOverride(store_id=store_id, product_id=product_id, variant_id="")
        session.add(row)
    return row


def _save(runtime: Any, session: Any, store_id: str, row: Any, column: str, value: Any, codes: set[str],
          *, product_id: str | None = None, tiktok_category_id: str | None = None) -> None:
    from sqlalchemy.orm.attributes import flag_modified

    setattr(row, column, value)
    flag_modified(row, column)
    resend = _failed(session, store_id, codes, {product_id} if product_id else None, tiktok_category_id)
    session.commit()
    print_json({"store_id": store_id, "product_id": product_id, "tiktok_category_id": tiktok_category_id,
                column: value, "resent": _resend(runtime, store_id, resend)})


size_chart_options = [
    click.option("--template", default=None, help="A size chart template id of the shop (hub size-charts)."),
    click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="A picture of the size chart (JPEG, PNG or WEBP; shorter side at least 1024 px)."),
    click.option("--clear", is_flag=True, help="Remove the size chart."),
]
certificate_options = [
    click.option("--certificate", "certificate_id", required=True,
                 help="The certificate id from the category's rules (shown on the settings page)."),
    click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="A PDF or a picture of the certificate; repeat for several."),
    click.option("--expires", default=None, help="Expiry date, YYYY-MM-DD, where TikTok asks for one."),
    click.option("--clear", is_flag=True, help="Remove this certificate."),
]


def _options(options: list[Any]) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn
    return wrap


def register(category: click.Group, product: click.Group) -> None:
    from hub.sync.products.size_charts import CERTIFICATE_CODES, SIZE_CHART_CODES, replace_certificate

    @category.command("size-chart")
    @click.option("--store", "store_id", required=True)
    @click.option("--tiktok-category", "tiktok_category_id", required=True)
    @_options(size_chart_options)
    def category_size_chart(store_id: str, tiktok_category_id: str, template: str | None, image: Path | None,
                            clear: bool) -> None:
        """The size chart of a TikTok category's products (those with none of their own)."""
        def work(runtime: Any, session: Any, store: Any, client: Any) -> None:
            row = _category_row(session, store_id, tiktok_category_id)
            _save(runtime, session, store_id, row, "size_chart", _chart(client, template, image, clear),
                  SIZE_CHART_CODES, tiktok_category_id=tiktok_category_id)
        _with_client(store_id, work)

    @category.command("certificate")
    @click.option("--store", "store_id", required=True)
    @click.option("--tiktok-category", "tiktok_category_id", required=True)
    @_options(certificate_options)
    def category_certificate(store_id: str, tiktok_category_id: str, certificate_id: str, files: tuple[Path, ...],
                             expires: str | None, clear: bool) -> None:
        """One certificate of a TikTok category's products, as PDFs and/or pictures."""
        def work(runtime: Any, session: Any, store: Any, client: Any) -> None:
            row = _category_row(session, store_id, tiktok_category_id)
            entry = _certificate(client, certificate_id, files, expires, clear)
            _save(runtime, session, store_id, row, "certifications",
                  replace_certificate(row.certifications, entry, certificate_id) or None, CERTIFICATE_CODES,
                  tiktok_category_id=tiktok_category_id)
        _with_client(store_id, work)

    @product.command("size-chart")
    @click.option("--store", "store_id", required=True)
    @click.option("--product", "product_id", required=True)
    @_options(size_chart_options)
    def product_size_chart(store_id: str, product_id: str, template: str | None, image: Path | None,
                           clear: bool) -> None:
        """One product's own size chart (wins over the store's and the category's)."""
        def work(runtime: Any, session: Any, store: Any, client: Any) -> None:
            row = _product_row(session, store_id, product_id)
            _save(runtime, session, store_id, row, "size_chart", _chart(client, template, image, clear),
                  SIZE_CHART_CODES, product_id=product_id)
        _with_client(store_id, work)

    @product.command("certificate")
    @click.option("--store", "store_id", required=True)
    @click.option("--product", "product_id", required=True)
    @_options(certificate_options)
    def product_certificate(store_id: str, product_id: str, certificate_id: str, files: tuple[Path, ...],
                            expires: str | None, clear: bool) -> None:
        """One product's own certificate (wins over the store's and the category's)."""
        def work(runtime: Any, session: Any, store: Any, client: Any) -> None:
            row = _product_row(session, store_id, product_id)
            entry = _certificate(client, certificate_id, files, expires, clear)
            _save(runtime, session, store_id, row, "certifications",
                  replace_certificate(row.certifications, entry, certificate_id) or None, CERTIFICATE_CODES,
                  product_id=product_id)
        _with_client(store_id, work)


@click.group("product")
def product_group() -> None:
    """One product's TikTok details that the store does not carry (size chart, certificates)."""
