"""The activity log: what happened to which product or order and why, newest first, with filters."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import func

from hub.models import ActivityEntry
from hub.web import scope
from hub.web.db import db
from hub.web.security import web_blueprint

bp = web_blueprint("activity", __name__, url_prefix="/activity")

PAGE_SIZE = 50
LEVELS = ("info", "warning", "error")
SUBJECTS = {"product": "Products", "order": "Orders", "store": "Stores", "shop": "TikTok shop",
            "settings": "Settings"}


@bp.route("/")
def index() -> Any:
    stores = scope.stores()
    query = scope.activity()
    level = request.args.get("level", "")
    subject = request.args.get("subject", "")
    store_id = request.args.get("store", "")
    text = (request.args.get("q") or "").strip()[:200]
    if level in LEVELS:
        query = query.where(ActivityEntry.level == level)
    if subject in SUBJECTS:
        query = query.where(ActivityEntry.subject_type == subject)
    if store_id in {s.id for s in stores}:
        query = query.where(ActivityEntry.store_id == store_id)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(func.lower(ActivityEntry.message).like(like) | (ActivityEntry.subject_id == text))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    entries = list(db().scalars(query.order_by(ActivityEntry.created_at.desc(), ActivityEntry.id.desc())
                                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("activity.html", title="Activity", entries=entries[:PAGE_SIZE],
                           more=len(entries) > PAGE_SIZE, page=page, args=args, stores=stores,
                           store_names={s.id: s.name for s in stores}, levels=LEVELS, subjects=SUBJECTS,
                           level=level, subject=subject, store_id=store_id, text=text)
