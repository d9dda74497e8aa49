"""URLs without their secrets, for everything a batch shows or stores.

A clone URL may carry a token (`https://x-access-token:TOKEN@github.com/o/r`,
`?private_token=...`), and git's `url.<base>.insteadOf` puts one into every
URL git reports (a CI recipe injects its token exactly that way). Only the
clone itself gets the URL as given; the ledger, the table, JSON lines, the
pull request command and every message get it through here.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# A URL inside any text: the scheme up to the first blank or quote.
_URL = re.compile(r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s'"<>]+""")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")
_QUERY_VALUE = re.compile(r"([?&][^=&#]*=)[^&#]*")
# Schemes where a user name alone is a login, never a secret (git@host).
_NAMED_USERS = ("ssh", "git+ssh", "ssh+git")
HIDDEN = "***"
# Secrets seen in URLs this process was given: git may echo them in another
# form (a path after an `insteadOf` rewrite, a URL it decoded), so every
# message also loses them verbatim.
_KNOWN: set[str] = set()
_SHORTEST = 6  # shorter "secrets" (a user name like git) would mangle ordinary words


def url(text: str) -> str:
    """`text` (one URL) without a password, a token as user name, or query
    values; ssh's user name (git@) stays, it is not a secret."""
    def userinfo(match: re.Match) -> str:
        scheme, info = match.group(1), match.group(2)
        if scheme[:-3].lower() in _NAMED_USERS and ":" not in info:
            return match.group(0)
        return scheme
    return _QUERY_VALUE.sub(lambda m: m.group(1) + HIDDEN, _USERINFO.sub(userinfo, text))


def text(message: str) -> str:
    """Every URL in a message (git's own words, a path, a note) redacted,
    and every secret remembered."""
    message = _URL.sub(lambda m: url(m.group(0)), message)
    for secret in sorted(_KNOWN, key=len, reverse=True):
        message = message.replace(secret, HIDDEN)
    return message


def remember(text: str) -> None:
    """Keep the secrets of the URLs in `text` to scrub them from messages."""
    for found in _URL.finditer(text):
        parts = urlsplit(found.group(0))
        secrets = [parts.password, parts.username if parts.password is None else None]
        secrets += [v for pair in parts.query.split("&") for v in pair.split("=", 1)[1:]]
        kept = [s for s in secrets if s and len(s) >= _SHORTEST and url(found.group(0)) != found.group(0)]
        _KNOWN.update(kept + [quote(s, safe="") for s in kept])  # (git may print a URL percent-encoded)


def gh_repository(location: str) -> str | None:
    """The repository as `gh --repo` takes it: OWNER/NAME on github.com,
    HOST/OWNER/NAME on another host; None when the URL names no owner."""
    scp = re.match(r"^[^/@:]+@([^/:]+):(.*)$", location)
    if scp:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(location)
        host, path = parts.hostname or "", parts.path
    words = [w for w in path.strip("/").removesuffix(".git").split("/") if w]
    if len(words) < 2:
        return None
    owner_name = "/".join(words[-2:])
    return owner_name if host in ("", "github.com", "www.github.com") else f"{host}/{owner_name}"
