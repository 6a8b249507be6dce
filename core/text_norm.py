"""Normalise names students type so "Tata Consultancy Services Ltd." and "tata consultancy" compare."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9&+#]+")
_SPACES = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces: the key for company names and aliases."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()


def collapse_spaces(text: str) -> str:
    """Trim and collapse runs of whitespace inside one-line answers."""
    return _SPACES.sub(" ", text).strip()


MAX_ID = 2**31 - 1  # the largest id every store can hold (PostgreSQL INTEGER, SQLite's fast path)


def parse_id(text: str) -> int | None:
    """The id a user typed ("12" or "#12"): ASCII digits only, 1..2**31-1; None for anything else.

    Every feature that takes an id (an experience, a discussion, a reply, a page) parses it here, so an
    id that cannot exist (a 20-digit number, "²", "٣") never reaches int() or the database: `str.isdigit`
    is true for superscripts that int() refuses, and int() accepts other scripts' digits and any length.
    """
    text = text.strip().lstrip("#")
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def looks_like_id(text: str) -> bool:
    """Whether `text` is a number the user meant as an id even if `parse_id` refuses it ("99999999999"
    or "²", at most 32 characters so it can be echoed): such input gets the feature's "There is no ...
    #id" answer, not its usage hint."""
    text = text.strip().lstrip("#")
    return 0 < len(text) <= 32 and text.isdigit()


# Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC strings,
# and two-character escapes (ESC + one byte). ECMA-48 section 5.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|$)"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x9c|\x1b\\|$)",
    re.DOTALL,
)
# Control characters other than tab and newline (C0, DEL, C1), lone surrogates (undecodable input or
# a JSON "\ud800"), bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069, which can reorder
# the text around them: "Trojan source"), and the byte-order mark. The bidi *marks* LRM, RLM and ALM
# (U+200E, U+200F, U+061C) are kept: they only affect neighbouring neutral characters and are what
# Arabic/Hebrew keyboards type; zero-width joiners are kept for emoji.
_DROP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_incoming(text: str) -> str:
    """User-typed text made safe to store, show and encode: the one cleaning step for all input.

    Lone surrogates (bytes that were not UTF-8, decoded with 'surrogateescape'; a JSON "\\ud800")
    become U+FFFD, so encoding the text for the database never fails later; terminal escape
    sequences are removed whole; other control characters, bidi embeddings/overrides/isolates and
    BOMs are removed; CRLF and lone CR become LF. Printable text, tabs, newlines, emoji and the bidi
    marks are left unchanged.
    Idempotent: clean_incoming(clean_incoming(t)) == clean_incoming(t).
    """
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to do
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPES.sub("", text)
    return _DROP.sub("", text)


# The core's neutral markup has one token: "**" around bold (core.replies; every adapter renders it).
# Typed text quoted in a reply ('Nothing found for "**x**"') was rendered bold by every adapter
# (issue #14). A WORD JOINER (U+2060: invisible, not a space, not a word character) between the
# asterisks keeps what the student typed on screen, but no renderer can take it for markup.
BOLD_TOKEN = "**"
_BOLD_SPAN = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)  # what the adapters' renderers take for bold
_BOLD_START = re.compile(r"\*(?=\*)")


def inert_markup(text: str) -> str:
    """`text` with every "**" broken by U+2060 when two of them would enclose a bold span, so it shows
    as typed but never as the core's bold; text that could not render bold (a lone "**") is left
    byte-for-byte as typed. Idempotent."""
    if BOLD_TOKEN not in text or _BOLD_SPAN.search(text) is None:
        return text
    return _BOLD_START.sub("*\u2060", text)


def clean_typed(text: str) -> str:
    """What users type, as the core takes it: `clean_incoming`, then `inert_markup` (so a reply that
    quotes it never renders the student's asterisks as bold). Used where events are made
    (core.events); `clean_incoming` alone is for text printed on a terminal, which keeps our bold."""
    return inert_markup(clean_incoming(text))


ANON_WORDS = ("anon", "anonymous")
_ANON_TRIM = "()[]:.,!"


def split_anon(text: str) -> tuple[bool, str]:
    """Whether `text` asks to post anonymously, and the text without that request.

    "anon" or "anonymous" as the first word, or "anon" as the last word ("(anon)", "anon." too),
    is the request, as the help says ("add anon to hide your name"). A trailing "anonymous" is
    not: "Is the feedback form anonymous" is a question, not a request. Returns (False, text
    stripped) when nothing asks for anonymity.
    """
    words = text.split()
    if words and words[0].lower().strip(_ANON_TRIM) in ANON_WORDS:
        return True, text.strip()[len(words[0]) :].strip()
    if words and words[-1].lower().strip(_ANON_TRIM) == "anon":
        return True, text.strip()[: -len(words[-1])].strip()
    return False, text.strip()


def mentions_anon(text: str) -> bool:
    """Whether any word of `text` is "anon"/"anonymous": adapters answer such a command privately
    before the core has parsed it (a public "<member> used /ask" would name the anonymous author)."""
    return any(word.lower().strip(_ANON_TRIM) in ANON_WORDS for word in text.split())


# Words that say what kind of legal entity or which country's arm a company is, not which company:
# "Acme Motors India Pvt Ltd", "Acme Motors Private Limited" and "Acme Motors" are one employer to a
# student. Dropped from the end of a normalised name only (never the first word, never after a
# connector: "Bank of India" and "Bain & Company" keep theirs).
FOLD_WORDS = frozenset(
    {
        "ltd",
        "limited",
        "pvt",
        "private",
        "pte",
        "inc",
        "incorporated",
        "llp",
        "llc",
        "plc",
        "gmbh",
        "corp",
        "corporation",
        "co",
        "company",
        "technologies",
        "technology",
        "india",
        "usa",
    }
)
_CONNECTORS = frozenset({"of", "and", "&", "for", "the", "de"})


def fold_words(key: str) -> str:
    """Drop trailing FOLD_WORDS from an already normalised name ("infosys ltd" -> "infosys")."""
    words = key.split()
    while len(words) > 1 and words[-1] in FOLD_WORDS and words[-2] not in _CONNECTORS:
        words.pop()
    return " ".join(words)


def fold_name(text: str) -> str:
    """The key that folds a company's variants together: normalise_name without legal/country suffixes.

    "Acme Motors India Private Limited" -> "acme motors"; "Microsoft India" -> "microsoft";
    "Bank of India" -> "bank of india" (a suffix after a connector is part of the name).
    """
    return fold_words(normalise_name(text))
