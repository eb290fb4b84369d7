"""Which titles may be written: none that can spoof or hide text in a session list.

Refused: control characters (C0, DEL and C1: line breaks and terminal escapes included),
the bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069),
which reorder the text shown after them, and titles with no visible character at all
(only format characters, spaces, combining marks or blank fillers). Titles already stored
are read as they are: this guards writes only.
"""

import unicodedata

BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# Characters with a visible category that render as nothing: Hangul and braille blanks.
BLANKS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})


def is_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc"  # C0, DEL and C1


def is_visible(character: str) -> bool:
    return unicodedata.category(character) not in INVISIBLE_CATEGORIES and character not in BLANKS


def title_problem(title: str) -> str | None:
    """Why `title` may not be written, as a message for its ValidationError; None if it may."""
    for at, character in enumerate(title):
        if is_control(character):
            return f"The title may not contain control characters: U+{ord(character):04X} at {at}."
        if character in BIDI_CONTROLS:
            return (
                "The title may not contain bidirectional overrides or isolates: "
                f"U+{ord(character):04X} at {at}."
            )
    if not any(map(is_visible, title)):
        return "The title has no visible character."
    return None
