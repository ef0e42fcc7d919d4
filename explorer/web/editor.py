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
import hashlib
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

from explorer.apa import apa_text
from explorer.citation import parse_citation
from explorer.citation_check import citation_problems
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
from explorer.web.editor_expired import form_expired, sign_in_again
from explorer.web.state import state

bp = Blueprint("editor", __name__, url_prefix="/editor")
bp.register_error_handler(security.FormExpired, form_expired)
MAX_FIELD = 50_000  # characters in any one field of the form
# Fields with a tighter limit (the form's maxlength says the same to the browser).
FIELD_LIMITS = {"title": 500}
FIELD_LABELS = {
    "title": "Title", "citation_text": "Reference (APA style)", "body": "Summary",
    "implications": "Practice implications", "authors": "Authors", "editors": "Book editors",
    "cit_year": "Year", "cit_title": "Article title", "cit_journal": "Journal (or book)",
    "cit_volume": "Volume", "cit_issue": "Issue", "cit_pages": "Pages", "cit_doi": "DOI",
    "cit_publisher": "Publisher",
}
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
    status: str = ""  # "advance online publication" / "in press": not a form field to edit
    fields_seal: str = ""  # `seal` of the citation fields as the form showed them
    too_long: list[str] = field(default_factory=list)  # over-limit fields, as messages

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> Draft:
        too_long: list[str] = []

        def text(name: str) -> str:
            # Never cut: a text over the limit comes back whole, with a message (validate).
            value = (form.get(name) or "").replace("\r\n", "\n").strip()
            limit = FIELD_LIMITS.get(name, MAX_FIELD)
            if len(value) > limit:
                label = FIELD_LABELS.get(name, name)
                too_long.append(f"{label} is {len(value):,} characters long; the limit is "
                                f"{limit:,}. Shorten it and save again (nothing was cut).")
            return value

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
            status=text("cit_status"),
            fields_seal=text("fields_seal"),
            too_long=too_long,
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
            citation_text=apa_text(c),  # as the summary page shows it
            body=summary.body,
            implications=summary.implications,
            authors="\n".join(c.authors),
            editors="\n".join(c.editors),
            cit={k: getattr(c, k) or "" for k in CITATION_FIELDS},
            parsed_from=apa_text(c),
            topics=list(summary.topics),
            research_type=summary.research_type or "",
            reviewed=True,
            status=c.status or "",
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
            # The APA box does not print "Advance online publication" (APA 7 drops it): a
            # re-read that finds no volume keeps that status rather than losing it unseen.
            online_first = self.status == "advance online publication" and not c.volume
            self.status = c.status or (self.status if online_first else "")
            self.parsed_from = self.citation_text

    def seal(self) -> str:
        """A digest of the citation fields, sent with the form, to tell on save whether
        the editor changed any of them."""
        parts = [self.authors, self.editors, *(self.cit.get(k, "") for k in CITATION_FIELDS)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def reference_box_edit(self) -> str | None:
        """Resolve an edit of the reference box made since its fields were filled in.

        The box and the fields below it ("Reference, as understood") say the same thing
        until one of them is edited; only the fields are saved. When the box changed and
        the fields did not, the box is re-read and what it says is saved: the person edited
        the one place that shows the whole reference, and nothing they typed in the fields
        is overwritten (the summary page then shows what was understood). When both
        changed, neither may silently win: the save is refused with a message (None means
        the draft can be saved)."""
        if not self.has_citation_fields or self.citation_text == self.parsed_from:
            return None
        if self.fields_seal and self.fields_seal == self.seal():
            self.parse_citation_if_changed()
            return None
        return ("You changed both the Reference (APA style) box and the fields under "
                "\u201cReference, as understood\u201d. Press \u201cRe-read the reference\u201d "
                "to fill the fields from the box (this replaces your edits to the fields), "
                "or put the box back as it was, then save again.")

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
            status=self.status or None,
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
    """The saved summary, or the problems, judged exactly as the corpus loader would (and
    the reference's year, DOI and pages, which the loader only warns about)."""
    if draft.too_long:
        return None, list(draft.too_long)
    conflict = draft.reference_box_edit()
    if conflict:
        return None, [conflict]
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
    for message in citation_problems(draft.citation()).values():
        errors.append(f"{message[0].upper()}{message[1:]}.")
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
        "max_field": MAX_FIELD,
        "title_limit": FIELD_LIMITS["title"],
        **extra,
    }


def _analyze(draft: Draft, *, reparse: bool = True) -> tuple[dict | None, str | None]:
    if reparse:
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
        if request.form.get("restore") == "1":
            return sign_in_again(error="That password is not right."), 401
        return render_template("editor_login.html", error="That password is not right."), 401
    limiter.reset(security.client_key())
    session.clear()  # a fresh session (and CSRF token) for the signed-in editor
    session.permanent = True
    session["editor"] = True
    if request.form.get("restore") == "1":
        return _restored_draft()
    return redirect(url_for("editor.home"))


def _restored_draft() -> ResponseReturnValue:
    """The editor with the draft an expired form carried through the sign-in (see
    `editor_expired`): shown as sent, nothing saved, nothing re-read or re-ticked."""
    draft = Draft.from_form(request.form)
    if draft.original_id and state().store.get(draft.original_id) is None:
        abort(404)
    draft.reviewed = draft.reviewed or bool(draft.topics)
    return render_template(
        "editor.html", in_queue=request.form.get("queue") == "1", restored=True,
        **_form_context(draft, suggest=None, why=None, errors=draft.too_long),
    )


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
        # Nor is the reference re-read: the box and its fields come back as they were sent.
        suggest, why = (_analyze(draft, reparse=False) if (draft.title or draft.body)
                        else (None, None))
        return (
            render_template(
                "editor.html", in_queue=in_queue,
                **_form_context(draft, suggest=suggest, why=why, errors=errors)
            ),
            status,
        )
    if action == "reread":
        draft.parsed_from = ""  # re-read the box even if unchanged: the fields follow it
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
    # An over-long field is said at once (Save would refuse it), not only at the save.
    return render_template("editor.html", in_queue=in_queue,
                           **_form_context(draft, suggest=suggest, why=why,
                                           errors=draft.too_long))


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
