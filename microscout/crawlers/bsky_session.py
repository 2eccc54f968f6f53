"""Bluesky sessions: log in once, keep the session between runs, refresh it when it expires.

Where each call goes (shared/PLATFORMS.md): a session token is the PDS's, and only the PDS
can verify it. Authenticated calls (searchPosts) therefore go to the user's PDS with the
header ``atproto-proxy: <AppView DID>#bsky_appview``, and the PDS proxies them to the
AppView; public calls go straight to the AppView with no token at all.

createSession is rate-limited per account (a few dozen per 5 minutes, a few hundred a day),
so a session is reused between runs: it is kept in a user-only (0600) JSON file outside the
database, the exports and the logs (``$MICROSCOUT_STATE_DIR`` or
``$XDG_STATE_HOME/microscout``, default ``~/.local/state/microscout``, then
``bluesky/<hash of PDS and handle>.json``; or ``platforms.bluesky.session_file``), written
atomically, refreshed with ``com.atproto.server.refreshSession`` when the access token
expires, and deleted by ``microscout logout bluesky``. Tokens and the password live in
memory and in that file only: never in a log, a message, the database or a request that
Scrapy may write to its job folder.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from microscout.crawlers.credentials import redact, urlopen

APPVIEW_SERVICE = "#bsky_appview"
STATE_DIR_ENV = "MICROSCOUT_STATE_DIR"
EXPIRY_MARGIN = 60.0  # refresh an access token this close to its expiry before using it

# What a login can answer, and what the user should do about it.
LOGIN_REFUSED = {"AuthenticationRequired", "InvalidRequest", "AuthMissing"}
TOKEN_REJECTED = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
ACCOUNT_GONE = {"AccountTakedown", "AccountDeactivated", "AccountSuspended"}


class SessionProblem(Exception):
    """A session that cannot be had: ``exit_code`` 2 when the configuration must change
    (handle, app password, PDS, AppView DID, account), 1 when it may work later."""

    def __init__(self, message: str, exit_code: int = 2, reason: str = "login_refused"):
        super().__init__(message)
        self.exit_code = exit_code
        self.reason = reason


class XrpcError(Exception):
    """An XRPC error answer: HTTP status, the error name and the server's message."""

    def __init__(self, method: str, status: int, name: str, message: str, reset: float | None = None):
        said = f"{status} {name}" if status >= 300 else name  # an error inside a 200 answer has no status to show
        super().__init__(f"{said}: {message}" if message else said)
        self.method, self.status, self.name, self.message, self.reset = method, status, name, message, reset


def error_from(method: str, status: int, body: bytes | str | None, headers=None, secrets=()) -> XrpcError:
    """The {"error", "message"} of an XRPC error body (the server's words, with the ``secrets``
    the call sent, a token or an app password, redacted: a server may repeat the request)."""
    name, message = "", ""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, TypeError, UnicodeDecodeError):
        data = {}
    if isinstance(data, dict):
        name = redact(str(data.get("error") or ""), *secrets)[:80]
        message = redact(str(data.get("message") or ""), *secrets)[:300]
    reset = None
    if headers is not None:
        value = headers.get("RateLimit-Reset") or headers.get("ratelimit-reset")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        try:
            reset = float(value) if value else None
        except ValueError:
            reset = None
        if reset is None:
            # a limit said only by Retry-After (seconds or an HTTP date): when it ends, all the same
            from microscout.crawlers.middlewares import retry_after as wait_of

            after = headers.get("Retry-After") or headers.get("retry-after")
            if isinstance(after, bytes):
                after = after.decode("latin-1")
            now = time.time()
            wait = wait_of(after, now) if isinstance(after, str) else None
            reset = now + wait if wait is not None and wait < 1e10 else None
    return XrpcError(method, status, name or f"HTTP {status}", message, reset)


def proxy_header(appview_did: str) -> str:
    """The atproto-proxy value: the AppView's DID and its service id (#bsky_appview unless given)."""
    return appview_did if "#" in appview_did else f"{appview_did}{APPVIEW_SERVICE}"


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` of a JWT's payload, read without verifying it (only to skip a doomed call)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(data["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def when(reset: float | None) -> str:
    if not reset:
        return "a while (the server did not say when)"
    stamp = datetime.fromtimestamp(reset, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    minutes = max(0, round((reset - time.time()) / 60))
    return f"{stamp} (in about {minutes} min)"


# -- what to tell the user ---------------------------------------------------------------

def explain_login(err: XrpcError, pds: str, handle: str, login_help: str) -> SessionProblem:
    """createSession (or a refresh that fell back to it) was refused."""
    if err.name == "AccountTakedown":
        return SessionProblem(f"The Bluesky account {handle} on {pds} has been taken down ({err}): it cannot "
                              "log in; crawl with another account", 2, "account_unavailable")
    if err.name in ACCOUNT_GONE:
        return SessionProblem(f"The Bluesky account {handle} on {pds} is not active ({err}): reactivate it by "
                              "logging in on its app, or crawl with another account", 2, "account_unavailable")
    if err.name == "AuthFactorTokenRequired":
        return SessionProblem(f"Bluesky login at {pds} asks for a sign-in code sent by email ({err}): log in "
                              "with an app password (Settings > Privacy and security > App passwords), not the "
                              "account password", 2)
    if err.status == 429 or err.name == "RateLimitExceeded":
        method = err.method.rpartition(".")[2] or "createSession"
        limited = ("createSession is limited per account" if method == "createSession" else
                   f"{method} (checking the saved session) answered that the PDS limits this account's calls")
        return SessionProblem(f"Bluesky login at {pds} is rate limited for {handle} ({err}): {limited}; try again "
                              f"after {when(err.reset)}", 1, "rate_limited")
    if err.status in (400, 401, 403) and (err.name in LOGIN_REFUSED or err.status == 401):
        return SessionProblem(f"Bluesky login at {pds} was refused ({err}): check the handle and app password; "
                              f"{login_help}", 2)
    if 300 <= err.status < 400:
        # not a passing fault: asking again later is sent to the same other server
        return SessionProblem(f"Bluesky login at {pds} was answered with {err.message or 'a redirect'}: the app "
                              f"password was not sent on; if the PDS moved, set --pds (or platforms.bluesky.pds in "
                              f"the config) to its address", 2)
    return SessionProblem(f"Bluesky login at {pds} failed ({err}); try again later", 1, "session_lost")


def explain_proxied(err: XrpcError, pds: str, appview_did: str, handle: str, method: str) -> SessionProblem | None:
    """An authenticated call proxied by the PDS to the AppView was refused; None when the
    answer is not about the session or the proxying (a bad parameter, say)."""
    proxy = proxy_header(appview_did)
    if err.name in ACCOUNT_GONE:
        return explain_login(err, pds, handle, "")
    if err.name == "InvalidRequest" and "proxy" in err.message.lower():
        return SessionProblem(f"The PDS {pds} could not reach the AppView {proxy} for {method} ({err}): the AppView "
                              "DID may be wrong; set platforms.bluesky.appview_did or --appview-did to the DID of "
                              "the AppView (did:web:api.bsky.app for Bluesky's)", 2, "appview_refused")
    if err.name in TOKEN_REJECTED or err.name.startswith("BadJwt") or err.status == 401:
        return SessionProblem(f"Bluesky refused {method} ({err}) sent through the PDS {pds} to the AppView {proxy}: "
                              "the AppView does not accept this PDS's session; the AppView DID "
                              "(platforms.bluesky.appview_did, --appview-did) or the PDS (platforms.bluesky.pds, "
                              "--pds: the one the account lives on) may be wrong", 2, "appview_refused")
    if err.status == 403:
        return SessionProblem(f"Bluesky refused {method} ({err}) for {handle}: the account may not be allowed to "
                              "search; check the handle and app password (MICROSCOUT_BSKY_HANDLE, "
                              "MICROSCOUT_BSKY_APP_PASSWORD) or create a new app password", 2)
    return None


# -- the session and its file --------------------------------------------------------------

@dataclass
class Session:
    pds: str
    handle: str      # as configured (the login identifier)
    did: str
    access_jwt: str
    refresh_jwt: str
    saved_at: float = 0.0

    def __repr__(self) -> str:  # never show the tokens, even in a traceback
        return f"Session(pds={self.pds!r}, handle={self.handle!r}, did={self.did!r})"

    __str__ = __repr__


def state_dir() -> Path:
    explicit = os.environ.get(STATE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "state"
    return base / "microscout"


def sessions_dir() -> Path:
    return state_dir() / "bluesky"


def session_path(pds: str, handle: str, configured: str | Path | None = None) -> Path:
    if configured:
        return Path(configured).expanduser()
    key = hashlib.sha256(f"{pds.rstrip('/')}\n{handle.lower()}".encode()).hexdigest()[:24]
    return sessions_dir() / f"{key}.json"


class SessionFile:
    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self, pds: str, handle: str) -> Session | None:
        """The saved session for this PDS and handle; None when there is none, it is
        unreadable, or it belongs to another PDS or handle."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            session = Session(**{k: data[k] for k in ("pds", "handle", "did", "access_jwt", "refresh_jwt")},
                              saved_at=float(data.get("saved_at") or 0))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if session.pds.rstrip("/") != pds.rstrip("/") or session.handle.lower() != handle.lower():
            return None
        if not (isinstance(session.access_jwt, str) and isinstance(session.refresh_jwt, str)):
            return None
        return session

    def save(self, session: Session) -> None:
        """Atomically replace the file with the session, readable by this user only."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        session.saved_at = time.time()
        data = json.dumps(asdict(session), indent=1).encode()
        fd, tmp = tempfile.mkstemp(prefix=".session-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


# -- XRPC calls outside Scrapy (before the crawl starts, and for logout) -------------------

def xrpc_call(base: str, method: str, *, body: dict | None = None, token: str | None = None,
              user_agent: str = "microscout", timeout: float = 30, attempts: int = 3) -> dict:
    """One XRPC call with urllib (POST for procedures); the answer's JSON, or XrpcError.
    A 5xx, a dropped connection or a garbled answer is tried again (``attempts`` in all);
    network failures then raise SessionProblem (exit 1)."""
    url = f"{base.rstrip('/')}/xrpc/{method}"
    headers = {"Accept": "application/json", "User-Agent": user_agent}
    data = b"" if method in POST_METHODS else None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="GET" if data is None else "POST")
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            with urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 and not last:
                time.sleep(0.5 * 2 ** attempt)
                continue
            if 300 <= exc.code < 400:  # to another server: not followed (credentials.urlopen)
                raise XrpcError(method, exc.code, "Redirect", str(exc.reason)[:300]) from None
            wait = retry_after(exc.headers) if exc.code == 429 and not last else None
            if wait is not None and wait <= MAX_RETRY_AFTER:
                # a brief limit (the PDS says when to come back): waited out, as the crawl does
                time.sleep(wait)
                continue
            raise error_from(method, exc.code, exc.read(), exc.headers,
                             secrets=(token or "", (body or {}).get("password") or "")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            if not last and not isinstance(reason, ConnectionRefusedError):
                time.sleep(0.5 * 2 ** attempt)
                continue
            raise SessionProblem(f"Bluesky {method} at {base} failed: {reason}; check the PDS (--pds or "
                                 "platforms.bluesky.pds) and that the server is up", 1, "session_lost") from None
        except ValueError:
            if not last:
                time.sleep(0.5 * 2 ** attempt)
                continue
            raise SessionProblem(f"Bluesky {method} at {base} answered something that is not JSON", 1,
                                 "session_lost") from None
        return answer if isinstance(answer, dict) else {}
    raise AssertionError("unreachable")


# The longest Retry-After a session call waits out before trying again (a longer limit is said).
MAX_RETRY_AFTER = 30.0


def retry_after(headers) -> float | None:
    """Retry-After in seconds (a number; an HTTP date is not waited for), else None."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < float("inf") else None


POST_METHODS = {"com.atproto.server.createSession", "com.atproto.server.refreshSession",
                "com.atproto.server.deleteSession"}


def session_from(answer: dict, pds: str, handle: str, method: str) -> Session:
    """A Session from createSession's or refreshSession's answer (AccountTakedown & co. when
    the PDS says the account is not active)."""
    access, refresh = answer.get("accessJwt"), answer.get("refreshJwt")
    if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
        raise SessionProblem(f"Bluesky {method} at {pds} answered without a session", 1, "session_lost")
    if answer.get("active") is False:
        status = str(answer.get("status") or "deactivated")
        name = {"takendown": "AccountTakedown", "suspended": "AccountSuspended"}.get(status, "AccountDeactivated")
        raise XrpcError(method, 200, name, f"the PDS says the account is {status}")
    return Session(pds=pds.rstrip("/"), handle=handle, did=str(answer.get("did") or ""),
                   access_jwt=access, refresh_jwt=refresh)


class Login:
    """The configured account's session: loaded, checked, refreshed or created, and saved.

    ``start()`` runs before the crawl (plain urllib: no reactor yet); during the crawl the
    session middleware refreshes through Scrapy and calls ``replace()``.
    """

    def __init__(self, pds: str, handle: str, password: str, *, user_agent: str, store: SessionFile,
                 login_help: str = "", timeout: float = 30):
        self.pds = pds.rstrip("/")
        self.handle = handle
        self._password = password
        self.user_agent = user_agent
        self.store = store
        self.login_help = login_help
        self.timeout = timeout
        self.session: Session | None = None

    def __repr__(self) -> str:
        return f"Login(pds={self.pds!r}, handle={self.handle!r})"

    # in memory only: the crawl's session middleware builds its login request from these
    def credentials(self) -> dict:
        return {"identifier": self.handle, "password": self._password}

    def _call(self, method: str, **kw) -> dict:
        return xrpc_call(self.pds, method, user_agent=self.user_agent, timeout=self.timeout, **kw)

    def create(self) -> Session:
        try:
            answer = self._call("com.atproto.server.createSession", body=self.credentials())
            session = session_from(answer, self.pds, self.handle, "createSession")
        except XrpcError as err:
            raise explain_login(err, self.pds, self.handle, self.login_help) from None
        self.replace(session)
        return session

    def refresh(self, session: Session) -> Session:
        """refreshSession; XrpcError when the PDS refuses the refresh token."""
        answer = self._call("com.atproto.server.refreshSession", token=session.refresh_jwt)
        try:
            fresh = session_from(answer, self.pds, self.handle, "refreshSession")
        except XrpcError as err:
            raise explain_login(err, self.pds, self.handle, self.login_help) from None
        self.replace(fresh)
        return fresh

    def replace(self, session: Session) -> None:
        """Use this session from now on and keep it for the next run."""
        self.session = session
        try:
            self.store.save(session)
        except OSError as exc:
            raise SessionProblem(f"cannot save the Bluesky session to {self.store.path}: {exc.strerror or exc}; "
                                 f"set platforms.bluesky.session_file or {STATE_DIR_ENV} to a writable place",
                                 2) from None

    def start(self) -> Session:
        """The saved session when the PDS still takes it (getSession), else a refreshed one,
        else (the refresh refused) one new login."""
        saved = self.store.load(self.pds, self.handle)
        if saved is None:
            return self.create()
        expiry = jwt_expiry(saved.access_jwt)
        try:
            if expiry is not None and expiry - EXPIRY_MARGIN <= time.time():
                return self.refresh(saved)
            try:
                answer = self._call("com.atproto.server.getSession", token=saved.access_jwt)
            except XrpcError as err:
                if err.name in ACCOUNT_GONE:
                    raise explain_login(err, self.pds, self.handle, self.login_help) from None
                if err.name not in TOKEN_REJECTED and err.status not in (400, 401):
                    raise explain_login(err, self.pds, self.handle, self.login_help) from None
                return self.refresh(saved)
            if answer.get("active") is False:
                session_from({**answer, "accessJwt": "-", "refreshJwt": "-"}, self.pds, self.handle, "getSession")
            self.session = saved
            return saved
        except XrpcError as err:  # the refresh was refused
            if err.name in ACCOUNT_GONE or err.status == 429 or err.status >= 500:
                raise explain_login(err, self.pds, self.handle, self.login_help) from None
            return self.create()
