"""Form posts of the staff pages: run one service change, say how it went, go back."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect

from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.web.i18n import translated_errors


def change_and_return(change: Callable[[], object], done: str | Callable[[object], str],
                      back: str):
    """Run ``change``; flash ``done`` (or ``done(result)``) or the refusal; redirect to
    ``back``. A thing that does not exist (or is out of scope) answers 404."""
    try:
        result = change()
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash(" ".join(translated_errors(exc.errors).values()), "error")
    else:
        flash(done(result) if callable(done) else done)
    return redirect(back)
