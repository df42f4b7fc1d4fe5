"""E-mail digests of the alerts: one message per merchant per run with what is new, never one per event.

A digest is recorded as sent only after the SMTP server accepted it, so a mail server that is down
delays alerts to the next run rather than losing them. Without SMTP settings nothing is mailed and the
overview still shows every alert.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from hub.merchant_settings import load_settings
from hub.models import AlertSent, Merchant, User
from hub.sync.alerts import Alert, current_alerts

if TYPE_CHECKING:
    from hub.runtime import Runtime

log = logging.getLogger(__name__)
KEEP_SENT = timedelta(days=90)


def recipients(session: Any, merchant: Merchant) -> list[str]:
    """The address set on the Settings page, else every login of the merchant."""
    chosen = (load_settings(merchant.settings).get("alerts") or {}).get("email")
    if chosen:
        return [chosen]
    return list(session.scalars(select(User.email).where(User.merchant_id == merchant.id).order_by(User.email)))


def compose(merchant: Merchant, new: list[Alert], still_open: int, sender: str, to: list[str],
            page_url: str) -> EmailMessage:
    message = EmailMessage()
    noun = "alert" if len(new) == 1 else "alerts"
    message["Subject"] = f"TikTok Shop Sync: {len(new)} new {noun} for {merchant.name}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    parts = [f"{len(new)} new {noun} for {merchant.name}:", ""]
    for number, alert in enumerate(new, 1):
        parts += [f"{number}. {alert.title}", f"   {alert.detail}", f"   What to do: {alert.fix}", ""]
    if still_open:
        parts += [f"{still_open} earlier {'alert is' if still_open == 1 else 'alerts are'} still open "
                  "(listed on the Overview).", ""]
    parts += [f"Settings page: {page_url}", "",
              "You get one message per check with what is new since the last one; change the address on the "
              "Settings page."]
    message.set_content("\n".join(parts))
    return message


def send_digests(runtime: "Runtime", now: datetime | None = None) -> dict[str, int]:
    """Mail each merchant the alerts not mailed before; returns {merchant id: alerts mailed}."""
    settings = runtime.settings
    if not settings.smtp_host:
        return {}
    now = now or datetime.now(timezone.utc)
    mailed: dict[str, int] = {}
    with runtime.db.session_scope() as session:
        session.execute(delete(AlertSent).where(AlertSent.sent_at < now - KEEP_SENT))
        for merchant in session.scalars(select(Merchant).order_by(Merchant.id)):
            alerts = current_alerts(session, merchant.id, now)
            if not alerts:
                continue
            sent = set(session.scalars(select(AlertSent.key).where(AlertSent.merchant_id == merchant.id)))
            new = [alert for alert in alerts if alert.key not in sent]
            to = recipients(session, merchant)
            if not new or not to:
                continue
            message = compose(merchant, new, len(alerts) - len(new), settings.smtp_from, to,
                              settings.public_url + "/")
            try:
                _send(settings, message)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("alert digest for merchant %s not sent (tried again next run): %s", merchant.id, exc)
                continue
            session.add_all(AlertSent(merchant_id=merchant.id, key=alert.key, sent_to=", ".join(to), sent_at=now)
                            for alert in new)
            session.flush()
            mailed[merchant.id] = len(new)
    return mailed


def _send(settings: Any, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
