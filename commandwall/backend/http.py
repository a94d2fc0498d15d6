"""One HTTP layer for talking to the platform: base URL, timeouts, retries, TLS, and log-safe URLs.

Retries are urllib3's ``Retry`` mounted through ``requests.adapters.HTTPAdapter``: connect errors are retried
for every method (nothing reached the server), read errors and 502/503/504 only for idempotent methods.
POSTs that must reach the server exactly once go through the outbox, which retries them itself with their
``Idempotency-Key``.

Every wait for data is bounded by the read timeout, but a server (or a proxy in front of it) that sends its
answer's headers a byte at a time never lets one wait run out: the adapter here also gives a whole answer's status
line and headers a deadline (:data:`ANSWER_HEADERS_DEADLINE_S`), after which the connection is shut and the request
fails as an aborted connection that says so. Bodies are bounded by their readers (the event stream's keepalives,
the early-warning documents' deadline).
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from commandwall.logs import SECRET_PARAMS, is_secret_param  # noqa: F401  (the one list, kept with the log's redaction)

log = logging.getLogger(__name__)

#: Methods whose read errors and 5xx answers are retried (safe to repeat).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_is_secret_param = is_secret_param
#: ``scheme://`` and what follows up to the last ``@`` before any whitespace: the user information. A password
#: may hold ``/``, ``?``, ``#`` or ``@`` (``rtsp://admin:Se/cret@cam/ch1``), where a URL parser ends the host
#: part early and keeps the password; an ``@`` later in the path is taken for the end of it too (rare in a
#: camera's URL, and then a piece of the path is dropped rather than a password shown).
_USER_INFO = re.compile(r"^(?P<scheme>(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)\S*@")


def has_secret_query(url: str) -> bool:
    """True when ``url``'s query has a parameter :func:`is_secret_param` names (an unparseable URL: True)."""
    try:
        query = urlsplit(str(url)).query
    except ValueError:
        return True
    return any(is_secret_param(k) for k, _ in parse_qsl(query, keep_blank_values=True))


def redact(url: str) -> str:
    """URL safe for logs: drops ``user:pass@`` and query parameters that carry secrets (token, password …).

    The user information is everything from ``scheme://`` to the last ``@`` (a password may hold ``/``, ``?``,
    ``#`` or ``@``).

    >>> redact("rtsp://admin:12345@10.0.0.5:554/ch1?token=abc&channel=2")
    'rtsp://10.0.0.5:554/ch1?channel=2'
    >>> redact("rtsp://admin:Se/cret@10.0.0.5/ch1")
    'rtsp://10.0.0.5/ch1'
    """
    try:
        parts = urlsplit(_USER_INFO.sub(r"\g<scheme>", str(url), count=1))
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_secret_param(k)]
        query = urlencode(kept)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def same_origin(url: str, base_url: str) -> bool:
    """True when ``url`` has the scheme, host and port of ``base_url`` (credentials go nowhere else)."""
    a, b = urlsplit(url), urlsplit(base_url)
    default = {"http": 80, "https": 443}
    try:
        port_a = a.port or default.get(a.scheme)
        port_b = b.port or default.get(b.scheme)
    except ValueError:
        return False
    return (a.scheme, (a.hostname or "").lower(), port_a) == (b.scheme, (b.hostname or "").lower(), port_b)


class PlatformHttp(requests.Session):
    """A ``requests.Session`` bound to one base URL, with a default timeout on every request.

    Relative URLs (``/api/v1/cameras``) are resolved against ``base_url``; absolute URLs are used as they
    are. ``timeout`` is a number or a ``(connect, read)`` tuple and applies unless a call passes its own.
    """

    def __init__(self, base_url: str, *, timeout: float | tuple[float, float] = 5.0) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.default_timeout = timeout

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL for a path relative to the base URL (or the URL itself if already absolute)."""
        return urljoin(self.base_url, path_or_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send a request; fills in the absolute URL, the default timeout and the pool's ``verify``.

        ``verify`` is passed per request because requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``
        override a pool-level CA path or ``False``.
        """
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        if kwargs.get("verify") is None:
            kwargs["verify"] = self.verify
        return super().request(method, self.url_for(url), *args, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """Where a redirect from the platform leads, if it stays at the platform's origin, or only moves the same
        host from http to https (requests follows it then): a platform that redirects elsewhere — another host,
        another port — would have the desk send its password, token and desk id there (a 307 repeats a login's
        body). Not followed: the caller gets the 3xx as an error. Other servers' redirects (GIS services, which
        get no credentials) are followed as requests does."""
        target = super().get_redirect_target(resp)
        platform_host = (urlsplit(self.base_url).hostname or "").lower()
        if target is None or (urlsplit(resp.url).hostname or "").lower() != platform_host:
            return target  # another host's answer (a GIS service): it carried nothing of the desk's
        absolute = urljoin(resp.url, target)
        source, destination = urlsplit(resp.url), urlsplit(absolute)
        try:
            upgrade = (source.scheme == "http" and destination.scheme == "https" and destination.port in (None, 443)
                       and (source.hostname or "").lower() == (destination.hostname or "").lower())  # fmt: skip
        except ValueError:  # a port that is no number
            upgrade = False
        if same_origin(absolute, resp.url) or upgrade:
            return target
        log.warning("%s redirected to %s: not followed (another origin)", redact(resp.url), redact(absolute))
        return None


#: The longest wait a 503's ``Retry-After`` gets before a retry (urllib3's own cap is six hours, three retries of
#: which held a poll — and ``stop()`` — for up to eighteen).
RETRY_AFTER_MAX_S = 10


def make_retry(retries: int, *, backoff_factor: float = 0.3) -> Retry:
    """urllib3 ``Retry``: connect errors on any method; read errors and 502/503/504 on idempotent ones."""
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=(502, 503, 504),
        backoff_factor=backoff_factor,
        backoff_max=10.0,
        raise_on_status=False,  # hand the last 5xx to the caller, who turns it into an error
        respect_retry_after_header=True,
        retry_after_max=RETRY_AFTER_MAX_S,  # a platform asking for hours (urllib3 allows 6 h) is asked again sooner
    )


#: The least time a server gets to send an answer's status line and headers, once asked; twice the read timeout
#: where that is longer. A server that answers sends them at once; one that trickles them a byte at a time kept
#: a request (and everything waiting for it) for ever, each byte inside the read timeout.
ANSWER_HEADERS_DEADLINE_S = 10.0


class _HeadersDeadline:
    """Connection mix-in: the answer's status line and headers within a deadline, or the socket is shut (from a
    timer thread, which wakes the blocked read) and the request fails as an aborted connection (requests'
    ``ConnectionError``; retried like a read error where the method allows)."""

    sock: socket.socket | None
    timeout: Any

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        read_timeout = self.timeout if isinstance(self.timeout, int | float) else 0.0
        deadline_s = max(ANSWER_HEADERS_DEADLINE_S, 2 * read_timeout)
        sock, passed = self.sock, threading.Event()

        def cut() -> None:
            passed.set()
            if sock is not None:
                with contextlib.suppress(OSError):  # closed meanwhile
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(deadline_s, cut)
        timer.daemon = True
        timer.start()
        try:
            answer = super().getresponse(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            if passed.is_set():
                raise _headers_late(deadline_s) from exc
            raise
        finally:
            timer.cancel()
        if passed.is_set():  # the deadline struck as the headers came in: the socket is shut, the body lost
            answer.close()
            raise _headers_late(deadline_s)
        return answer


def _headers_late(deadline_s: float) -> ConnectionAbortedError:
    # not a TimeoutError, which urllib3 would report as "Read timed out. (read timeout=…)", the wrong bound
    return ConnectionAbortedError(f"the answer's headers did not all come within {deadline_s:g} s")


class _DeadlineHTTPConnection(_HeadersDeadline, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_HeadersDeadline, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


# errors name a pool by its class: keep urllib3's names in what the desk shows
_DeadlineHTTPPool.__name__ = HTTPConnectionPool.__name__
_DeadlineHTTPSPool.__name__ = HTTPSConnectionPool.__name__


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections give an answer's headers a deadline (:data:`ANSWER_HEADERS_DEADLINE_S`).
    Requests through a proxy (``HTTPS_PROXY``) go through urllib3's own proxy pools, without it."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


def deadline_session() -> requests.Session:
    """A plain ``requests.Session`` (no base URL, no retries) whose answers' headers have their deadline: for
    servers other than the platform (early-warning feeds)."""
    http = requests.Session()
    adapter = DeadlineAdapter()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def make_http(
    base_url: str,
    *,
    timeout: float | tuple[float, float] = 5.0,
    verify: bool | str = True,
    retries: int = 3,
    backoff_factor: float = 0.3,
) -> PlatformHttp:
    """The HTTP connection pool (a ``requests.Session``) for the platform at ``base_url``.

    ``verify`` is ``True`` (system CAs), ``False`` (no TLS check; only for test rigs) or a CA bundle path
    (a government intranet's own CA). ``retries=0`` disables retrying (used by the event stream, which
    reconnects by itself).
    """
    http = PlatformHttp(base_url, timeout=timeout)
    http.verify = verify
    adapter = DeadlineAdapter(max_retries=make_retry(retries, backoff_factor=backoff_factor))
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.headers["Accept"] = "application/json"
    http.headers["User-Agent"] = "commandwall/0.1"
    return http


def _response_socket(response: requests.Response) -> socket.socket | None:
    """The socket under a streaming response, if it can be found (urllib3 2 / http.client internals)."""
    raw = getattr(response, "raw", None)
    candidates = (
        getattr(getattr(raw, "_connection", None), "sock", None),  # urllib3 connection, if still attached
        getattr(getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None), "_sock", None),
    )
    for candidate in candidates:
        if isinstance(candidate, socket.socket):
            return candidate
    return None


def abort_response(response: requests.Response | None) -> None:
    """Close a (streaming) response from another thread so that a blocked read returns at once.

    Closing alone does not wake a thread blocked in ``recv`` (it waits for the read timeout); shutting
    the socket down does. If the socket cannot be found, the read timeout still bounds the wait.
    """
    if response is None:
        return
    sock = _response_socket(response)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):  # closing a broken stream may raise anything; it is gone anyway
        response.close()
