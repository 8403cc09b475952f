"""People's names as Zenodo stores them: "Family, Given" for a person (Zenodo splits the
name at its only comma), the name as written for anything else (Zenodo keeps it whole)."""

from __future__ import annotations


def creator_from_display_name(display: str | None, login: str) -> str:
    """A GitHub user as a creator: a display name of exactly two words and no comma
    ("Jane Doe") becomes "Doe, Jane"; any other display name is kept as written, since
    its split cannot be known (particles, several given or family names, a team); a user
    without one is their login."""
    name = " ".join((display or "").split())
    if not name:
        return login
    words = name.split(" ")
    if "," not in name and len(words) == 2:
        return f"{words[1]}, {words[0]}"
    return name
