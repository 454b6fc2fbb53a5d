"""Names that people typed, made safe to put in a message that goes to someone else.

A Business Center, an ad account or a person is called whatever its creator typed,
and that text goes out in the operator's name by email and SMS. Put as it is, a name
like "URGENT: account locked, visit secure-login.com" reads as the message itself and
turns into a link in every mail and SMS app. So a name in a message is:

- quoted, so it reads as a name ("Olivia" invited you to "Brand Co");
- one line of visible text: control, formatting and bidirectional characters (which
  can reverse what follows, or hide text) are removed, line breaks become spaces;
- trimmed to NAME_LIMIT characters with an ellipsis;
- defused: nothing in it looks like a link to an app that looks for links. Web
  addresses, domain names and email addresses keep their letters but have their dots,
  at signs and scheme written as ``[.]``, ``[@]`` and ``[:]//`` (the usual way to
  quote an address without making it clickable): ``secure-login[.]com``.

``quoted`` and ``defused`` are also the template filters of the same names
(``{% load message_names %}``).
"""

from __future__ import annotations

import re
import unicodedata

NAME_LIMIT = 40

# Characters people cannot see, or that change how the rest is shown: control (Cc),
# format (Cf: bidirectional marks and overrides, zero-width joiners and spaces, the
# soft hyphen), surrogates (Cs), private use (Co) and unassigned (Cn).
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACES = re.compile(r"\s+")
# What mail and SMS apps read as a dot in a host name (ASCII, full-width, ideographic,
# and the one-dot leader that looks like one).
_DOT = "[.\uff0e\u3002\uff61\u2024]"
# A dot between a letter or digit and a letter: a domain's labels (example.com,
# www.x.co, xn--bcher-kva.example); "v1.2" and "3.5" stay as they are.
_HOST_DOT = re.compile(rf"(?<=[^\W_]){_DOT}(?=[^\W\d_])")
# A dotted numeric address (10.0.0.1).
_IPV4 = re.compile(rf"\d{{1,3}}(?:{_DOT}\d{{1,3}}){{3}}")
_AT = re.compile(r"(?<=[^\W_])[@\uff20](?=[^\W_])")
# A scheme: https://, ftp://, and the ones without slashes that apps still follow.
_SCHEME = re.compile(r"(?i)\b(https?|ftp|file|mailto|tel|sms|callto|javascript|data)"
                     r"\s*[:\uff1a](//)?")


def _visible(value: object) -> str:
    text = unicodedata.normalize("NFC", str(value if value is not None else ""))
    kept = "".join(" " if ch in "\r\n\t\u2028\u2029" or unicodedata.category(ch) == "Zs"
                   else "" if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    return _SPACES.sub(" ", kept).strip()


def _trimmed(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(1, limit - 1)].rstrip() + "…"


def _defanged(text: str) -> str:
    text = _SCHEME.sub(lambda m: f"{m.group(1)}[:]{m.group(2) or ''}", text)
    text = _IPV4.sub(lambda m: re.sub(_DOT, "[.]", m.group()), text)
    text = _HOST_DOT.sub("[.]", text)
    return _AT.sub("[@]", text)


def defused(value: object, limit: int | None = None) -> str:
    """The text as one line of visible characters, trimmed to ``limit`` (if given), with
    nothing an app would turn into a link; unquoted, for running text such as a
    comment."""
    text = _visible(value)
    return _defanged(_trimmed(text, limit) if limit else text)


def quoted(value: object, limit: int = NAME_LIMIT) -> str:
    """A name as a message shows it: in double quotes, one line, at most ``limit``
    characters, never a link. Double quotes inside become single ones, so a name cannot
    close its quotes and go on as the message's own words."""
    text = _visible(value).replace('"', "'").replace("\u201c", "'").replace("\u201d", "'")
    return f'"{_defanged(_trimmed(text, limit))}"'
