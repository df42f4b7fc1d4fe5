"""Price and stock propagation: after a product exists on TikTok, the store's values follow it there.

The store is the source of truth. Desired values live in `VariantStock` (per variant, versioned);
`SkuBinding.pushed_*` records what TikTok confirmed. A job per product compares the two and sends only
the difference, so a burst of changes costs one call per endpoint and TikTok-side edits are
overwritten by the next push or by reconciliation.
"""
