"""python -m sandbox --host 127.0.0.1 --port PORT --app-key KEY --app-secret SECRET
[--webhook-url URL] [--review-delay SECONDS] [--redirect-url URL] [--service-id ID]"""

from __future__ import annotations

import argparse
import logging
import sys


MAX_WEBHOOK_SENDERS = 64


def _senders(value: str) -> int:
    """1 to MAX_WEBHOOK_SENDERS parallel webhook deliveries (each is a thread)."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= count <= MAX_WEBHOOK_SENDERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_WEBHOOK_SENDERS}, not {count}")
    return count


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m sandbox", description="Local TikTok Shop (UK) sandbox.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8950)
    p.add_argument("--app-key", required=True)
    p.add_argument("--app-secret", required=True)
    p.add_argument("--webhook-url", default=None, help="where signed webhooks are POSTed")
    p.add_argument("--review-delay", type=float, default=2.0, help="seconds before the automatic audit decision")
    p.add_argument("--review-mode", choices=("auto", "manual"), default="auto")
    p.add_argument("--redirect-url", default=None, help="authorize-page redirect when the app sends no redirect_uri")
    p.add_argument("--service-id", default=None, help="accept only this service_id on the authorize page")
    p.add_argument("--rate-limit", type=float, default=50.0, help="default requests/second per app+shop+endpoint")
    p.add_argument("--daily-listing-cap", type=int, default=1000)
    p.add_argument("--shops", type=int, default=1, help="how many shops (sellers) the sandbox has")
    p.add_argument("--shop-rate-limit", type=float, default=None,
                   help="requests/second per endpoint of each added shop (default: --rate-limit)")
    p.add_argument("--webhook-senders", type=_senders, default=1,
                   help="webhooks delivered at once (TikTok delivers in parallel, in no promised order)")
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--state-file", default=None, help="keep the sandbox's state in this file across restarts")
    args = p.parse_args(argv)

    from .app import create_app
    from .server import make_sandbox_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(args.app_key, args.app_secret, args.webhook_url, review_delay=args.review_delay,
                     review_mode=args.review_mode, redirect_url=args.redirect_url, service_id=args.service_id,
                     rate_limit=args.rate_limit, daily_listing_cap=args.daily_listing_cap,
                     shops=args.shops, shop_rate_limit=args.shop_rate_limit,
                     webhook_senders=args.webhook_senders)
    saver = None
    if args.state_file:
        from pathlib import Path

        from . import persistence

        persistence.load(app.extensions["tiktok_sandbox"], Path(args.state_file))
        saver = persistence.Saver(app.extensions["tiktok_sandbox"], Path(args.state_file))
        saver.start()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    server = make_sandbox_server(app, args.host, args.port, quiet=args.quiet)
    host, port = server.server_address[:2]
    print(f"TikTok Shop sandbox listening on http://{host}:{port} (control API: /sandbox/)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if saver is not None:
            saver.stop()
        server.server_close()
        app.extensions["tiktok_sandbox"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
