"""TikTok Shop Partner API: signing, the per-shop client, OAuth, webhooks and one module per API area.

Nothing here runs at import time; `hub.tiktok.signing` in particular imports only the standard library,
because scripts outside the repository import it on its own.
"""
