"""A minimal hosted connector for a fake store platform ("Fakeshop"), and that platform on loopback.

It exists to prove the connector boundary: everything platform-specific is in this package, and the
hub is driven through its public boundary only (registry, install, webhooks, framed pages, commands).
"""
