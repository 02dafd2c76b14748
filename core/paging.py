"""Pagination for the pages' lists: which page links to show."""

from __future__ import annotations


def page_links(*, number: int, last: int) -> list[tuple[int, str]]:
    """The pagination's items, (page, "current" | "link" | "gap"): the first and last pages
    and two on each side of the current one, a gap on the second and last-but-one page
    otherwise. Only those pages are looked at, not every page of the book."""
    candidates = {1, 2, last - 1, last, *range(number - 2, number + 3)}
    items = []
    for n in sorted(p for p in candidates if 1 <= p <= last):
        if n == number:
            items.append((n, "current"))
        elif n in (1, last) or n - 2 <= number <= n + 2:
            items.append((n, "link"))
        elif n in (2, last - 1):
            items.append((n, "gap"))
    return items
