"""The editor's answer to a form whose sign-in expired: the draft is not lost.

A save posted after the session expired (or after signing in again in another tab) fails
the CSRF check, and "Reload the page" would lose the text. Instead the page says what
happened and offers two ways out: sign in again right there, with the draft carried in the
sign-in form so the editor reopens with it (not saved: the editor presses Save), or copy the
text from read-only boxes.

CSRF protection stays whole: nothing is saved from the expired post, and the draft only
comes back through the sign-in, which needs both a fresh token from this page and the
password. The draft is shown only for a post from this site's own pages (its Origin or
Referer), so another site cannot make this page display text of its choosing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request, session

from explorer.web.security import FormExpired

# Form fields that are not part of the draft (the old token, the button, any password).
NOT_DRAFT = {"csrf_token", "action", "password", "restore"}
# What is shown for copying, in the order of the form.
SHOWN = (("title", "Title"), ("citation_text", "Reference (APA style)"), ("body", "Summary"),
         ("implications", "Practice implications"))


def same_origin() -> bool:
    """Whether the request came from one of this site's pages (Origin, else Referer)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and urlsplit(source).netloc == request.host


def form_expired(exc: FormExpired) -> tuple[str, int]:
    """The page for an editor form that failed the CSRF check."""
    return sign_in_again(error=None), 400


def sign_in_again(error: str | None) -> str:
    """The page offering to sign in with the posted draft (again, after a wrong password:
    a typo must not lose the draft either)."""
    carried = []
    if request.method == "POST" and same_origin():
        carried = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_DRAFT]
    shown = [(label, request.form.get(name, "")) for name, label in SHOWN] if carried else []
    return render_template(
        "editor_expired.html",
        signed_in=bool(session.get("editor")),
        carried=carried,
        shown=[(label, value) for label, value in shown if value.strip()],
        error=error,
    )
