"""Creating merchants, users and store connections (CLI and settings page share these)."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.models import Merchant, Store, User
from hub.security.crypto import SecretBox

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class MerchantError(ValueError):
    pass


def find_or_create_merchant(session: Session, ref: str | None, default_name: str = "My shop") -> Merchant:
    if ref:
        merchant = session.scalar(select(Merchant).where(or_(Merchant.id == ref, Merchant.name == ref)))
        if merchant is None:
            merchant = Merchant(name=ref)
            session.add(merchant)
            session.flush()
        return merchant
    merchant = session.scalar(select(Merchant).order_by(Merchant.created_at).limit(1))
    if merchant is None:
        merchant = Merchant(name=default_name)
        session.add(merchant)
        session.flush()
    return merchant


def create_store(session: Session, box: SecretBox, merchant: Merchant, platform: str, name: str) -> tuple[Store, str]:
    """Returns the store and its secret; the secret is stored encrypted and never shown again."""
    secret = secrets.token_urlsafe(32)
    store = Store(merchant_id=merchant.id, platform=platform, name=name.strip()[:200] or platform,
                  key_id="hk_" + secrets.token_hex(12), secret_encrypted=box.encrypt(secret))
    session.add(store)
    session.flush()
    return store, secret


def create_user(session: Session, merchant: Merchant, email: str, password: str) -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise MerchantError(f"{email!r} is not an email address.")
    if len(password) < 8:
        raise MerchantError("The password must have at least 8 characters.")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise MerchantError(f"A user {email} already exists.")
    user = User(merchant_id=merchant.id, email=email)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
