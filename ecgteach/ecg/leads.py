"""Lead names, normalised once: every entry point accepts ``"II"``, ``"ii"`` or ``" aVR "``.

ecgteach spells leads in lower case, as LUDB does (``"ii"``, ``"avr"``, ``"v1"``).

>>> lead_name(" aVR ")
'avr'
>>> lead_names("II")
('ii',)
>>> lead_names("all") == STANDARD_LEADS
True
>>> lead_names(["ii", "V7"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: unknown lead(s) ['v7']; choose from i, ii, iii, avr, avl, avf, v1, ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: The 12 standard leads, in the usual order (LUDB records all of them).
STANDARD_LEADS: tuple[str, ...] = (
    "i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
)


def lead_name(name: str) -> str:
    """One lead name in ecgteach's spelling (stripped, lower case).

    >>> lead_name("MLII")
    'mlii'
    """
    if not isinstance(name, str):
        raise ValueError(f"a lead name must be a string such as 'ii', got {name!r}")
    return name.strip().lower()


def lead_names(leads: str | Iterable[str] | None,
               available: Sequence[str] = STANDARD_LEADS) -> tuple[str, ...]:
    """Normalised lead names, checked against ``available`` (in ecgteach's spelling).

    ``None`` or ``"all"`` means every available lead; a single name or a list
    gives those leads, in the order given.

    >>> lead_names(["V1", "ii"])
    ('v1', 'ii')
    """
    if leads is None or (isinstance(leads, str) and lead_name(leads) == "all"):
        return tuple(available)
    chosen = (lead_name(leads),) if isinstance(leads, str) else tuple(lead_name(x) for x in leads)
    unknown = [lead for lead in chosen if lead not in available]
    if unknown or not chosen:
        raise ValueError(f"unknown lead(s) {unknown or list(chosen)}; choose from "
                         f"{', '.join(available)} (or \"all\")")
    return chosen
