"""The editor (``/editor``): sign in, paste a summary, get tags suggested, save.

One HTML form carries the whole draft; "Suggest tags" posts it back with the parsed
citation fields, ranked topic suggestions (ticked when suggested, with scores and the
words behind them), research-type scores and the most similar archived summaries, and
"Save" writes it. Nothing needs JavaScript. The draft is validated exactly as the
corpus loader validates files (it is rendered and parsed back), so what is saved
always loads. Existing summaries are edited through the same form (``/editor/edit/<id>``).
"""

from __future__ import annotations

import datetime as dt
import errno
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import TooManyRequests

from explorer.citation import parse_citation
from explorer.corpus import CorpusError, SummaryExistsError, parse_summary_text, render_summary
from explorer.doi import strip_doi
from explorer.duplicates import Duplicate, find_duplicates
from explorer.records import BLOG_POST, Citation, Summary, slugify
from explorer.search import IndexMissingError, SearchRequest
from explorer.tagger.features import DocFields, fields_of
from explorer.tagger.freshness import describe
from explorer.tagger.recent import merge_recent_similar
from explorer.tagger.trust import suggest_with_trust
from explorer.web import security
from explorer.web.state import state

bp = Blueprint("editor", __name__, url_prefix="/editor")
MAX_FIELD = 50_000
CITATION_FIELDS = ("year", "title", "journal", "volume", "issue", "pages", "doi", "publisher")
SUGGEST_LIMIT = 10


@bp.before_request
def follow_the_corpus() -> None:
    """The editor works on the corpus as it stands on disk. With several server workers,
    the previous save (the last "Save and next", say) may have gone through another
    worker a moment ago; its background follower would see it within the second, too
    late for the page that comes next. Three stats when nothing changed."""
    state().follower.check()


def editor_enabled() -> bool:
    return bool(current_app.config.get("EDITOR_PASSWORD_HASH"))


def editor_required(
    view: Callable[..., ResponseReturnValue],
) -> Callable[..., ResponseReturnValue]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not editor_enabled():
            return render_template("editor_off.html"), 403
        if not session.get("editor"):
            if request.method == "GET":
                return redirect(url_for("editor.home"))
            abort(403, description="Sign in as the editor first.")
        return view(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- the draft


@dataclass
class Draft:
    """Everything the editor form holds, as text, plus what the server worked out."""

    original_id: str = ""
    origin: str = BLOG_POST  # the editor's choice; a blog post by default
    added: str = ""  # month added to the archive (kept when editing an added summary)
    published: str = ""
    title: str = ""
    citation_text: str = ""
    body: str = ""
    implications: str = ""
    authors: str = ""  # one per line
    editors: str = ""  # one per line (book chapters)
    cit: dict[str, str] = field(default_factory=dict)
    parsed_from: str = ""  # the citation text the fields were parsed from
    topics: list[str] = field(default_factory=list)
    research_type: str = ""
    reviewed: bool = False  # the editor has seen suggestions: keep their ticks

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> Draft:
        def text(name: str) -> str:
            return (form.get(name) or "")[:MAX_FIELD].replace("\r\n", "\n").strip()

        return cls(
            original_id=text("original_id"),
            origin=text("origin") or BLOG_POST,
            added=text("added"),
            published=text("published"),
            title=" ".join(text("title").split()),
            citation_text=" ".join(text("citation_text").split()),
            body=text("body"),
            implications=text("implications"),
            authors=text("authors"),
            editors=text("editors"),
            cit={k: " ".join(text(f"cit_{k}").split()) for k in CITATION_FIELDS},
            parsed_from=" ".join(text("parsed_from").split()),
            topics=[t for t in form.getlist("topic") if t.strip()],
            research_type=text("research_type"),
            reviewed=form.get("reviewed") == "1",
        )

    @classmethod
    def from_summary(cls, summary: Summary) -> Draft:
        c = summary.citation
        return cls(
            original_id=summary.id,
            origin=summary.origin,
            added=summary.added or "",
            published=summary.published,
            title=summary.title,
            citation_text=c.formatted(),
            body=summary.body,
            implications=summary.implications,
            authors="\n".join(c.authors),
            editors="\n".join(c.editors),
            cit={k: getattr(c, k) or "" for k in CITATION_FIELDS},
            parsed_from=c.formatted(),
            topics=list(summary.topics),
            research_type=summary.research_type or "",
            reviewed=True,
        )

    @property
    def has_citation_fields(self) -> bool:
        return bool(self.parsed_from)

    def parse_citation_if_changed(self) -> None:
        """(Re)fill the citation fields when the pasted reference is new or was changed."""
        if self.citation_text and self.citation_text != self.parsed_from:
            c = parse_citation(self.citation_text)
            self.authors = "\n".join(c.authors)
            self.editors = "\n".join(c.editors)
            self.cit = {k: getattr(c, k) or "" for k in CITATION_FIELDS}
            self.parsed_from = self.citation_text

    def citation(self) -> Citation:
        if not self.has_citation_fields:
            return parse_citation(self.citation_text)
        return Citation(
            authors=_lines(self.authors),
            editors=_lines(self.editors),
            year=self.cit.get("year") or None,
            title=self.cit.get("title") or None,
            journal=self.cit.get("journal") or None,
            volume=self.cit.get("volume") or None,
            issue=self.cit.get("issue") or None,
            pages=self.cit.get("pages") or None,
            doi=strip_doi(self.cit.get("doi")),
            publisher=self.cit.get("publisher") or None,
        )

    def posted(self) -> bool:
        """Whether the chosen origin is a blog post (unknown choices count as posts, so the
        month is asked for and the loader names the bad origin)."""
        origin = state().taxonomy.origin(self.origin)
        return origin is None or origin.posted

    def new_id(self) -> str:
        slug = slugify(self.title, max_length=60)
        # only a blog post's id starts with its month: an added summary has no posting month
        return f"{self.published}-{slug}" if self.posted() else slug

    def to_summary(self) -> Summary:
        posted = self.posted()
        return Summary(
            id=self.original_id or self.new_id(),
            origin=self.origin,
            added=None if posted else (self.added or dt.date.today().strftime("%Y-%m")),
            published=self.published if posted else "",
            title=self.title,
            body=self.body,
            implications=self.implications,
            citation=self.citation(),
            topics=list(self.topics),
            research_type=self.research_type or None,
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n;]", text) if line.strip()]


def validate(draft: Draft) -> tuple[Summary | None, list[str]]:
    """The saved summary, or the problems, judged exactly as the corpus loader would."""
    errors = []
    if not draft.title:
        errors.append("Give the summary a title.")
    if not draft.body:
        errors.append("Paste the summary text.")
    if draft.posted() and not re.match(r"^\d{4}-\d{2}$", draft.published):
        errors.append("Give the month the blog posted it as YYYY-MM "
                      "(or choose “Added to this archive”).")
    if not draft.topics:
        errors.append("Tick at least one topic.")
    if errors:
        return None, errors
    written = draft.to_summary()
    taxonomy = state().taxonomy
    summary, problems = parse_summary_text(render_summary(written), f"{written.id}.md", taxonomy)
    errors = [p.message for p in problems if p.severity == "error"]
    if summary is None:
        return None, errors or ["This summary could not be saved."]
    return summary, []


# --------------------------------------------------------------------------- suggestions


def suggestions(draft: Draft) -> tuple[dict | None, str | None]:
    """The model's suggestions for a draft, or (None, why there are none)."""
    model, why = state().model()
    if model is None:
        return None, why
    fields = draft_fields(draft)
    summary = draft.to_summary()
    try:
        # Dated like an archived summary in training (post month, else month added): an old
        # summary opened for editing is not a draft written today (the residual label).
        result = suggest_with_trust(model, fields, limit=SUGGEST_LIMIT,
                                    exclude_id=draft.original_id or None,
                                    published=summary.published or summary.added or None)
    except ValueError as exc:
        return None, str(exc)
    st = state()
    corpus = st.store.all()
    result["trained_on"] = st.models.trained_on(corpus, st.store.version)
    result["similar"] = merge_recent_similar(
        model, fields, result["similar"], corpus,
        exclude_id=draft.original_id or None)
    return result, None


def draft_fields(draft: Draft) -> DocFields:
    """The tagger's view of a draft, as of an archived summary (`features.fields_of`): the
    heading and the cited title (which often names the design: "a randomized trial")."""
    return fields_of(draft.to_summary())


def duplicates(draft: Draft) -> list[Duplicate]:
    """Archived summaries of the same study (DOI, cited title and year) or the same file
    (month and title of a new draft), from the live store: saves of a second ago count."""
    if not (draft.title or draft.citation_text or draft.parsed_from):
        return []
    store = state().store
    # A new draft has no id yet: an archived summary under its would-be id is a duplicate.
    candidate = replace(draft.to_summary(), id=draft.original_id)
    found = find_duplicates(candidate, store.all())
    if not draft.original_id and draft.published and draft.title:
        same_file = store.get(draft.new_id())
        if same_file is not None and all(d.summary.id != same_file.id for d in found):
            found.insert(0, Duplicate(same_file, "id"))
    return found


def _form_context(draft: Draft, *, suggest: dict | None, why: str | None, **extra: Any) -> dict:
    taxonomy = state().taxonomy
    suggested_topics = (suggest or {}).get("topics", [])
    listed = {s["topic"] for s in suggested_topics}
    type_scores = {r["type"]: r["score"] for r in (suggest or {}).get("research_type", [])}
    return {
        "draft": draft,
        "suggest": suggest,
        "why_no_suggestions": why,
        "suggested_topics": suggested_topics,
        "other_topics": [t for t in taxonomy.topics if t not in listed],
        "research_types": taxonomy.research_types,
        "origins": taxonomy.origins,
        "type_scores": type_scores,
        "similar": (suggest or {}).get("similar", []),
        "model_age": describe(suggest["trained_on"]) if suggest and suggest.get("trained_on")
        else "",
        "duplicates": duplicates(draft),
        "errors": extra.pop("errors", []),
        **extra,
    }


def _analyze(draft: Draft) -> tuple[dict | None, str | None]:
    draft.parse_citation_if_changed()
    suggest, why = suggestions(draft)
    if suggest and not draft.reviewed and not suggest.get("notice"):
        draft.topics = [s["topic"] for s in suggest["topics"] if s["suggested"]]
        types = suggest.get("research_type") or []
        if types and not draft.research_type:
            draft.research_type = types[0]["type"]
    # Nothing was ticked for a text too short to trust: a longer one may tick next time,
    # unless the editor has ticked something by hand meanwhile.
    trusted = suggest is not None and not suggest.get("notice")
    draft.reviewed = draft.reviewed or trusted or bool(draft.topics)
    return suggest, why


# --------------------------------------------------------------------------- routes


@bp.get("")
def home() -> ResponseReturnValue:
    if not editor_enabled():
        return render_template("editor_off.html")
    if not session.get("editor"):
        return render_template("editor_login.html")
    find = (request.args.get("find") or "").strip()
    found = []
    if find:
        try:
            found = state().index().search(SearchRequest(q=find, per_page=20)).hits
        except IndexMissingError:
            found = []
    draft = Draft(published=dt.date.today().strftime("%Y-%m"))
    return render_template(
        "editor.html", find=find, found=found, **_form_context(draft, suggest=None, why=None)
    )


@bp.post("/login")
def login() -> ResponseReturnValue:
    if not editor_enabled():
        return render_template("editor_off.html"), 403
    limiter: security.RateLimiter = current_app.extensions["pprnet_login_limiter"]
    wait = limiter.hit(security.client_key())
    if wait:
        raise TooManyRequests(
            description=f"Too many sign-in attempts. Try again in {int(wait) + 1} seconds.",
            retry_after=int(wait) + 1,
        )
    password = request.form.get("password", "")
    if not security.password_matches(current_app.config["EDITOR_PASSWORD_HASH"], password):
        return render_template("editor_login.html", error="That password is not right."), 401
    limiter.reset(security.client_key())
    session.clear()  # a fresh session (and CSRF token) for the signed-in editor
    session.permanent = True
    session["editor"] = True
    return redirect(url_for("editor.home"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    flash("Signed out.")
    return redirect(url_for("search.search_page"))


@bp.get("/edit/<summary_id>")
@editor_required
def edit(summary_id: str) -> ResponseReturnValue:
    summary = state().store.get(summary_id)
    if summary is None:
        abort(404)
    draft = Draft.from_summary(summary)
    in_queue = request.args.get("queue") == "1"
    if in_queue and not summary.topics:
        draft.reviewed = False  # an untagged summary from the queue: tick the suggestions
    suggest, why = _analyze(draft)
    if in_queue and suggest and not suggest.get("notice") and not draft.research_type:
        types = suggest.get("research_type") or []
        draft.research_type = types[0]["type"] if types else ""
    return render_template("editor.html", in_queue=in_queue,
                           **_form_context(draft, suggest=suggest, why=why))


@bp.post("/draft")
@editor_required
def draft_action() -> ResponseReturnValue:
    draft = Draft.from_form(request.form)
    if draft.original_id and state().store.get(draft.original_id) is None:
        abort(404)
    action = request.form.get("action", "suggest")
    in_queue = request.form.get("queue") == "1"
    if action in ("save", "save_next"):
        summary, errors = validate(draft)
        status = 422
        if summary is not None and not draft.original_id and \
                request.form.get("not_duplicate") != "1" and duplicates(draft):
            errors = ["This study is already in the archive (see the warning above): open "
                      "that summary to edit it, or tick \"This is a different summary\" and "
                      "save again."]
            summary = None
        if summary is not None:
            try:
                result = state().save(summary, overwrite=bool(draft.original_id))
            except SummaryExistsError:
                errors = [_clash_message(summary.id)]
            except CorpusError as exc:
                errors = [str(exc)]
            except OSError as exc:  # full disk, read-only folder: nothing was written
                current_app.logger.error("saving %s failed: %s", summary.id, exc)
                errors, status = [_storage_message(exc)], _storage_status(exc)
            else:
                if result.index_error:
                    flash(f"Saved, but the search index could not be updated: {result.index_error}")
                else:
                    flash(
                        {"created": "Saved a new summary.", "updated": "Saved your changes."}.get(
                            result.status, "Nothing changed."
                        )
                    )
                if action == "save_next":
                    return redirect(url_for("queue.queue_next", after=summary.id))
                return redirect(url_for("summary.summary_page", summary_id=summary.id))
        # A failed save must give back the form as sent: ticked topics are the editor's
        # choice, not to be replaced by suggestions.
        draft.reviewed = draft.reviewed or bool(draft.topics)
        suggest, why = _analyze(draft) if (draft.title or draft.body) else (None, None)
        return (
            render_template(
                "editor.html", in_queue=in_queue,
                **_form_context(draft, suggest=suggest, why=why, errors=errors)
            ),
            status,
        )
    if not (draft.title or draft.body):
        return (
            render_template(
                "editor.html",
                **_form_context(
                    draft, suggest=None, why=None, errors=["Paste a title or summary text first."]
                ),
            ),
            422,
        )
    suggest, why = _analyze(draft)
    return render_template("editor.html", in_queue=in_queue,
                           **_form_context(draft, suggest=suggest, why=why))


_FULL = (errno.ENOSPC, errno.EDQUOT)


def _storage_status(exc: OSError) -> int:
    return 507 if exc.errno in _FULL else 503


def _storage_message(exc: OSError) -> str:
    """Why a save could not be written, in the editor's words (no server paths)."""
    if exc.errno in _FULL:
        why = "the disk holding the archive is full"
    elif exc.errno == errno.EROFS:
        why = "the archive folder is read-only"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "the server has no permission to write to the archive folder"
    else:
        why = f"the archive folder could not be written ({exc.strerror or exc})"
    return (
        f"Could not save: {why}. Nothing was changed and your text is still in the form "
        "below: ask the site administrator to fix this, then save again."
    )


def _clash_message(summary_id: str) -> str:
    return (
        f"A different summary with the id {summary_id!r} is already in the archive "
        "(same month and title). Open it from the warning above, or change the title."
    )
