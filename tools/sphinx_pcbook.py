"""A small Sphinx extension for the offline book.

sphinx-thebe registers its configuration script twice under Jupyter Book 1.x, which makes every
page log "Identifier 'THEBE_JS_URL' has already been declared", and it names a CDN URL. Live code
(thebe) is off in this book, so the extension removes thebe's scripts from every page.
"""
from __future__ import annotations


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
