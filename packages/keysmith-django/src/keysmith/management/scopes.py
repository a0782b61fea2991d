"""Scopes named on the command line: ``app_label.codename`` or a bare codename."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.core.management.base import CommandError

from keysmith.core.untrusted import escape


def permissions_named(names: Iterable[str]) -> list[Any]:
    """The permission each name means, or ``CommandError`` naming an unknown or ambiguous one
    with the closest known names."""
    known = list(Permission.objects.select_related("content_type"))
    by_label = {f"{p.content_type.app_label}.{p.codename}": p for p in known}
    chosen = []
    for name in names:
        if name in by_label:
            chosen.append(by_label[name])
            continue
        bare = [label for label in by_label if label.split(".", 1)[1] == name]
        if len(bare) == 1:
            chosen.append(by_label[bare[0]])
            continue
        if bare:
            raise CommandError(
                f"Scope {escape(name)!r} is ambiguous: use one of {', '.join(sorted(bare))}."
            )
        candidates = [*by_label, *{label.split(".", 1)[1] for label in by_label}]
        close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise CommandError(
            f"Unknown scope {escape(name)!r}: give a permission as app_label.codename "
            f"or codename.{hint}"
        )
    return chosen
