"""People's names as Zenodo stores them: "Family, Given" for a person (Zenodo splits the
name at its only comma), the name as written for anything else (Zenodo keeps it whole)."""

from __future__ import annotations

import re

from zenodo_action.metadata.people import PERSON, Creator

# Words that make a name an organisation or a group, not a person ("zenodo-action
# maintainers", "The tidewatch developers", "LIGO Scientific Collaboration").
_ENTITY_WORDS = re.compile(
    r"\b(?:collaboration|consortium|team|teams|project|group|groups|university|universit\w+|"
    r"institut\w*|foundation|society|association|contributors|developers|maintainers|authors|"
    r"members|staff|community|lab|labs|laborator\w+|cent(?:er|re)|inc|ltd|llc|gmbh|corp|"
    r"corporation|company|organi[sz]ation|council|committee|agency|department|network|"
    r"initiative|alliance|federation|office|ministry|survey|observatory|museum|library|"
    r"school|college|hospital|partners|working|services|board|unit|collective)\b",
    re.IGNORECASE,
)
# Marks no person's name carries: digits, "&", "@", "/", "+", ":", parentheses.
_ENTITY_MARKS = re.compile(r"[0-9&@/+:()]")


def is_entity(name: str) -> bool:
    """A name that is clearly not a person's: nothing in it to split into family and
    given names. Unsure cases count as people (a warning the user can read and dismiss)."""
    words = name.split()
    return bool(
        _ENTITY_WORDS.search(name)
        or _ENTITY_MARKS.search(name)
        or (words and words[0].lower() == "the")
    )


def user_creator(display: str | None, login: str) -> Creator:
    """A GitHub user as a creator: a person, however the name reads."""
    return Creator({"name": creator_from_display_name(display, login)}, PERSON)


def creator_from_display_name(display: str | None, login: str) -> str:
    """A GitHub user as a creator: a display name of exactly two words and no comma
    ("Jane Doe") becomes "Doe, Jane"; any other display name is kept as written, since
    its split cannot be known (particles, several given or family names) or there is none
    (an organisation: "Acme Labs"); a user without one is their login."""
    name = " ".join((display or "").split())
    if not name:
        return login
    words = name.split(" ")
    if "," not in name and len(words) == 2 and not is_entity(name):
        return f"{words[1]}, {words[0]}"
    return name
