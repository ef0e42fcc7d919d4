"""Flask's signed-cookie sessions, without their set-up cost for anonymous readers.

Most page views carry no session cookie, yet Flask builds the cookie signer (a key
derivation and a serializer) to open every request's session and reads seven cookie
settings to save it, only to find it empty. Here a request without the cookie gets an
empty session at once, and an empty, unchanged session is saved as Flask saves it (only
the ``Vary: Cookie`` header), so the cookies and headers sent are Flask's own.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Request, Response


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
