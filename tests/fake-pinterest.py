#!/usr/bin/env python3
"""fake-pinterest: a stateful fake of Pinterest API v5 for tests, benchmarks
and the demo.  Python 3 standard library only.

    python3 tests/fake-pinterest.py [--port N] [--port-file FILE] [--verbose]

Binds 127.0.0.1 only (port 0, the default, picks a free port), then prints
exactly one line to stdout:

    fake-pinterest listening on http://127.0.0.1:PORT

and runs until SIGTERM or SIGINT, then exits 0.

    API base URL        http://127.0.0.1:PORT/v5
    token endpoint      POST http://127.0.0.1:PORT/v5/oauth/token
    authorize URL       http://127.0.0.1:PORT/oauth/
    control API         http://127.0.0.1:PORT/_control/...

The authority for paths, status codes, error bodies and JSON shapes is
Pinterest's OpenAPI description of API v5 (see /work/shared/pinterest).
Every response carries an `x-pinterest-rid` header; JSON answers are
`Content-Type: application/json`; errors are {"code": int, "message": str}.

Error codes used (following the description's examples where it has them):
    400 code 1     invalid parameter / body (pins/create, page_size examples)
    401 code 2     "Authentication failed." (oauth/token/revoke example)
    401 code 3     insufficient scope (only with app "enforce_scopes": true)
    403 code 29    "You are not permitted to access that resource."
    404 code 404   "Board not found." on boards/{id}/pins and /sections
                   (the boards/list_pins example)
    404 code 40    "Board not found." on POST /pins (pins/save example)
    404 code 50    "Pin not found."  (pins/save example)
    404 code 2031  "Sorry! We couldn't find this board section." (pins/save)
    429 code 8     rate limit (the description's example message)
    400 code 1     token endpoint: invalid grant, code or refresh token
    415 code 1     wrong Content-Type on POST /pins or /oauth/token
    404/405        unknown path / wrong method: code = the HTTP status

Control API (JSON in and out, no auth; control calls are not logged and
cannot be faulted):
  POST /_control/reset      default app, no users/tokens/pins/faults/limit/log
  GET|POST /_control/app    {client_id, client_secret, redirect_uris,
                             access_expires_in, refresh_expires_in,
                             code_expires_in (60), continuous_refresh_required,
                             scope_separator (" "), enforce_scopes (false)}
  POST /_control/users      {username, id?, account_type? (BUSINESS),
                             business_name?, website_url?, profile_image?,
                             about?, follower_count?, following_count?,
                             monthly_views?, boards?: [{name, privacy?,
                             description?, sections?: [names]}],
                             board_count?: N ("Board 1".."Board N")}
                            an existing username gets the boards added.
                            -> {id, username, boards: [{id, name, privacy,
                                sections: [{id, name}]}]}  (all its boards)
  POST /_control/approver   {"username": U} | {"deny": true} | {"username": null}
  POST /_control/tokens     {username, scope? (string or array; default all
                             board/pin/user_accounts:read scopes),
                             expires_in?, refresh_token_expires_in?}
                            -> a token answer like /oauth/token's
  POST /_control/expire     {access_token} | {refresh_token} |
                            {username, refresh_tokens?: bool} -> {expired: n}
  POST /_control/faults     one fault or an array: {path ("/v5/pins", or a
                             prefix ending in "*"), method?, count? (1),
                             status?, body? (object or string),
                             content_type?, headers?, delay_ms?,
                             action? (close, close_mid_body, malformed,
                             truncated, expire_token), process?}
                            "process": whether the request is really handled
                            (state changes, e.g. the Pin is created) before
                            the fault answers.  Defaults: true for delay-only,
                            close_mid_body, malformed, truncated; false for
                            status, close, expire_token.
  GET|DELETE /_control/faults   pending faults / clear them
  POST /_control/rate_limit {"per_second": 5.0, "spam": false} | {"per_second": null}
  GET /_control/pins        ?username=&board_id=&title=&link=&deleted=true|false
                            -> {count, items: [{id, username, board_id,
                                board_section_id, request, created_at, deleted}]}
  GET|DELETE /_control/requests  ?path= (exact or prefix*) &method=
                            -> {count, items: [{time, rid, method, path,
                                query (raw string), query_params (decoded),
                                content_type, authorization, user, body_form,
                                body_json, body_text?, status, fault?}]}
  GET /_control/state       summary: users, boards, pins, token counts, faults
  GET /_control/ping        {"ok": true}
"""

import argparse
import base64
import binascii
import collections
import email.utils
import functools
import json
import os
import re
import secrets
import signal
import socket
import string
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

VERBOSE = False

DEFAULT_APP = {
    "client_id": "1234567",
    "client_secret": "fake-app-secret",
    "redirect_uris": ["http://localhost:8085/"],
    "continuous_refresh_required": False,
    "access_expires_in": 2592000,       # 30 days
    "refresh_expires_in": 5184000,      # 60 days
    "code_expires_in": 60,              # authorization codes
    "scope_separator": " ",             # how "scope" is joined in token answers
    "enforce_scopes": False,            # check each endpoint's OAuth scopes
}

# The OAuth scopes the description lists (securitySchemes.pinterest_oauth2).
KNOWN_SCOPES = {
    "ads:read", "ads:write", "billing:read", "billing:write",
    "biz_access:read", "biz_access:write", "boards:read",
    "boards:read_secret", "boards:write", "boards:write_secret",
    "catalogs:read", "catalogs:write", "msot:write", "pins:read",
    "pins:read_secret", "pins:write", "pins:write_secret",
    "user_accounts:read", "user_accounts:write",
}
DEFAULT_MINT_SCOPE = ["boards:read", "boards:read_secret", "boards:write",
                      "boards:write_secret", "pins:read", "pins:read_secret",
                      "pins:write", "pins:write_secret", "user_accounts:read"]

# Scopes per endpoint, from each operation's `security` in the description.
SCOPES_READ_USER = ("user_accounts:read",)
SCOPES_READ_BOARDS = ("boards:read",)
SCOPES_READ_PINS = ("boards:read", "pins:read")
SCOPES_WRITE_PINS = ("boards:read", "boards:write", "pins:read", "pins:write")

RATE_LIMIT_MESSAGE = ("This request exceeded a rate limit. This can happen if the "
                      "client exceeds one of the published rate limits within a "
                      "short time window.")
SPAM_MESSAGE = ("Your request was blocked because it looks like spam. "
                "Repeating it will not help.")
AUTH_FAILED = "Authentication failed."
NOT_PERMITTED = "You are not permitted to access that resource."
SCOPE_MESSAGE = ("Your token does not have sufficient permissions to perform this "
                 "operation. Please ensure your token is authorized with the "
                 "correct set of scopes.")
INVALID_URL_MESSAGE = ("Whoops! It looks like you entered an invalid URL. Try "
                       "creating a Pin again with a valid URL.")

REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 302: "Found",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
    413: "Payload Too Large", 415: "Unsupported Media Type",
    429: "Too Many Requests", 500: "Internal Server Error",
    414: "URI Too Long", 431: "Request Header Fields Too Large",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}

DIGITS = re.compile(r"^\d+$")
B64 = re.compile(r"^[a-zA-Z0-9+/=]+$")
MAX_BODY = 64 * 1024 * 1024
TOKEN_ALPHABET = string.ascii_uppercase + string.digits

# A 1x1 PNG, served for every /_media/ URL that Pin and profile media point at.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg==")


def now():
    return time.time()


@functools.lru_cache(maxsize=8192)
def _iso_seconds(sec):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))


def iso(t):
    # Pinterest's own style: UTC, no offset, no fraction ("2024-01-01T20:10:40").
    return _iso_seconds(int(t))


def rid():
    return os.urandom(8).hex()


def random_token(prefix, n=88):
    return prefix + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(n))


def split_scope(s):
    if not s:
        return []
    out = []
    for part in re.split(r"[,\s]+", s.strip()):
        if part and part not in out:
            out.append(part)
    return out


_date_cache = [0, ""]


def http_date():
    t = int(time.time())
    if t != _date_cache[0]:
        _date_cache[1] = email.utils.formatdate(t, usegmt=True)
        _date_cache[0] = t
    return _date_cache[1]


class Resp:
    __slots__ = ("status", "obj", "body", "ctype", "headers")

    def __init__(self, status, obj=None, body=None, ctype="application/json",
                 headers=None):
        self.status = status
        self.obj = obj
        self.body = body
        self.ctype = ctype
        self.headers = headers or []

    def encode(self):
        if self.body is None:
            if self.obj is None:
                self.body = b""
            else:
                self.body = json.dumps(self.obj, ensure_ascii=False,
                                       separators=(",", ":")).encode("utf-8")
        return self.body


def jresp(status, obj, headers=None):
    return Resp(status, obj=obj, headers=headers)


def err(status, code, message, headers=None):
    return Resp(status, obj={"code": code, "message": message}, headers=headers)


def auth_failed():
    return err(401, 2, AUTH_FAILED)


def bad(message):
    return err(400, 1, message)


def pattern_error(name, value):
    return bad("'%s' value '%s' must match the pattern: ^\\d+$" % (name, value))


class ApiError(Exception):
    def __init__(self, resp):
        Exception.__init__(self, resp.obj)
        self.resp = resp


class Req:
    """One parsed request, plus what the log wants to know about it."""
    __slots__ = ("method", "path", "query_string", "query", "headers", "body",
                 "ctype", "user", "token", "form", "json", "json_ok")

    def __init__(self, method, path, query_string, headers, body):
        self.method = method
        self.path = path
        self.query_string = query_string
        self.query = dict(parse_qsl(query_string, keep_blank_values=True)) \
            if query_string else {}
        self.headers = headers
        self.body = body
        ct = headers.get("Content-Type")
        self.ctype = ct
        self.user = None
        self.token = None
        self.form = None
        self.json = None
        self.json_ok = False

    def media_type(self):
        if not self.ctype:
            return ""
        return self.ctype.split(";", 1)[0].strip().lower()

    def bearer(self):
        a = self.headers.get("Authorization")
        if not a:
            return None
        parts = a.split(None, 1)
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return parts[1].strip()
        return None

    def auth_kind(self):
        a = self.headers.get("Authorization")
        if not a:
            return None
        s = a.split(None, 1)[0].lower()
        if s in ("basic", "bearer"):
            return s
        return "other"


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------

class State:
    def __init__(self, port):
        self.lock = threading.Lock()
        self.port = port
        # Id counters are never reset, so an id is never reused in a process.
        self.next_user_id = 2783136121146311000
        self.next_board_id = 549755885100
        self.next_section_id = 4947802330000
        self.next_pin_id = 813744226420795000
        self.reset()

    def reset(self):
        self.app = dict(DEFAULT_APP)
        self.app["redirect_uris"] = list(DEFAULT_APP["redirect_uris"])
        self.users = {}          # username -> user dict
        self.boards = {}         # board id -> board dict
        self.sections = {}       # section id -> section dict
        self.pins = {}           # pin id -> live pin dict
        self.pin_log = []        # every pin ever created (with the request)
        self.access = {}         # access token -> info
        self.refresh = {}        # refresh token -> info
        self.codes = {}          # authorization code -> info
        self.approver = None
        self.deny = False
        self.faults = []
        self.rate = None
        self.buckets = {}
        self.requests = collections.deque(maxlen=2000)
        self.counts = collections.Counter()

    def new_id(self, kind):
        attr = "next_%s_id" % kind
        v = getattr(self, attr) + 1
        setattr(self, attr, v)
        return str(v)

    def media_url(self, size, key):
        return "http://127.0.0.1:%d/_media/%s/%s.jpg" % (self.port, size, key)

    # ---- tokens ----------------------------------------------------------

    def issue_tokens(self, username, scope, response_type, client_id,
                     access_expires_in=None, refresh_expires_in=None,
                     with_refresh=True):
        t = now()
        ae = int(self.app["access_expires_in"] if access_expires_in is None
                 else access_expires_in)
        re_ = int(self.app["refresh_expires_in"] if refresh_expires_in is None
                  else refresh_expires_in)
        at = random_token("pina_")
        self.access[at] = {"username": username, "scope": list(scope),
                           "expires_at": t + ae, "client_id": client_id,
                           "issued_at": t}
        self.counts["access_tokens_issued"] += 1
        out = {
            "access_token": at,
            "token_type": "bearer",
            "expires_in": ae,
            "scope": self.app["scope_separator"].join(scope),
            "response_type": response_type,
        }
        if with_refresh:
            rt = random_token("pinr_")
            exp = int(t) + re_
            self.refresh[rt] = {"username": username, "scope": list(scope),
                                "expires_at": exp, "client_id": client_id,
                                "issued_at": t}
            self.counts["refresh_tokens_issued"] += 1
            out["refresh_token"] = rt
            out["refresh_token_expires_in"] = re_
            out["refresh_token_expires_at"] = exp
        return out

    def token_user(self, token):
        """The (user, token info) for a live access token, else (None, None)."""
        if not token:
            return None, None
        info = self.access.get(token)
        if info is None or info["expires_at"] <= now():
            return None, None
        user = self.users.get(info["username"])
        if user is None:
            return None, None
        return user, info

    # ---- users, boards ---------------------------------------------------

    def add_board(self, user, spec):
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(bad("board 'name' must be a non-empty string"))
        privacy = spec.get("privacy", "PUBLIC")
        if privacy not in ("PUBLIC", "PROTECTED", "SECRET"):
            raise ApiError(bad("board 'privacy' must be PUBLIC, PROTECTED or SECRET"))
        desc = spec.get("description", "")
        t = now()
        bid = spec.get("id")
        if bid is not None:
            if not isinstance(bid, str) or not DIGITS.match(bid) or bid in self.boards:
                raise ApiError(bad("board 'id' must be an unused digit string"))
        else:
            bid = self.new_id("board")
        board = {"id": bid, "name": name, "description": desc,
                 "privacy": privacy, "owner": user["username"],
                 "created_at": t, "modified_at": t, "pin_count": 0,
                 "sections": [], "pins": []}
        self.boards[bid] = board
        user["boards"].append(bid)
        for sname in spec.get("sections") or []:
            if not isinstance(sname, str) or not sname:
                raise ApiError(bad("section names must be non-empty strings"))
            sid = self.new_id("section")
            self.sections[sid] = {"id": sid, "name": sname, "board_id": bid}
            board["sections"].append(sid)
        return board

    def board_json(self, b):
        thumbs = []
        for pid in reversed(b["pins"]):
            if pid in self.pins:
                thumbs.append(self.media_url("150x150", pid))
                if len(thumbs) == 4:
                    break
        return {
            "id": b["id"],
            "name": b["name"],
            "description": b["description"],
            "privacy": b["privacy"],
            "owner": {"username": b["owner"]},
            "pin_count": b["pin_count"],
            "follower_count": 0,
            "collaborator_count": 0,
            "is_ads_only": False,
            "created_at": iso(b["created_at"]),
            "board_pins_modified_at": iso(b["modified_at"]),
            "media": {"image_cover_url": thumbs[0] if thumbs else None,
                      "pin_thumbnail_urls": thumbs},
        }

    def user_json(self, u):
        live = sum(self.boards[b]["pin_count"] for b in u["boards"])
        return {
            "username": u["username"],
            "id": u["id"],
            "account_type": u["account_type"],
            "business_name": u["business_name"],
            "profile_image": u["profile_image"] or
            self.media_url("75x75_RS", u["id"]),
            "website_url": u["website_url"],
            "about": u["about"],
            "board_count": len(u["boards"]),
            "pin_count": live,
            "follower_count": u["follower_count"],
            "following_count": u["following_count"],
            "monthly_views": u["monthly_views"],
        }

    def images(self, key):
        return {
            "150x150": {"width": 150, "height": 150,
                        "url": self.media_url("150x150", key)},
            "400x300": {"width": 400, "height": 300,
                        "url": self.media_url("400x300", key)},
            "600x": {"width": 600, "height": 600,
                     "url": self.media_url("600x", key)},
            "1200x": {"width": 1200, "height": 1200,
                      "url": self.media_url("1200x", key)},
        }

    # ---- rate limit and faults ------------------------------------------

    def rate_check(self, username):
        rl = self.rate
        if rl is None:
            return None
        per = rl["per_second"]
        burst = max(1.0, per)
        t = now()
        tokens, last = self.buckets.get(username, (burst, t))
        tokens = min(burst, tokens + (t - last) * per)
        if tokens >= 1.0:
            self.buckets[username] = (tokens - 1.0, t)
            return None
        self.buckets[username] = (tokens, t)
        self.counts["rate_limited"] += 1
        return err(429, 8, SPAM_MESSAGE if rl.get("spam") else RATE_LIMIT_MESSAGE)

    def take_fault(self, method, path):
        for i, f in enumerate(self.faults):
            m = f.get("method")
            if m and m != method:
                continue
            p = f["path"]
            if p.endswith("*"):
                if not path.startswith(p[:-1]):
                    continue
            elif p != path:
                continue
            f["remaining"] -= 1
            if f["remaining"] <= 0:
                del self.faults[i]
            self.counts["faults_fired"] += 1
            return dict(f)
        return None


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------

def page_params(req):
    q = req.query
    size = 25
    if "page_size" in q:
        s = q["page_size"]
        if not s.isdigit() or not s.isascii():
            raise ApiError(bad("Parameter 'page_size' was not numeric (was %s)" % s))
        size = int(s)
        if size < 1 or size > 250:
            raise ApiError(bad("Parameter 'page_size' must be between 1 and 250 "
                               "(was %d)" % size))
    return size, q.get("bookmark") or None


def paginate(req, ctx, items, key, descending=False):
    """items: list already in answer order, key(item) -> int, increasing
    (or decreasing if descending). The bookmark is an opaque base64 text
    that names the context and the last key returned."""
    size, bm = page_params(req)
    if bm is not None:
        try:
            raw = base64.b64decode(bm.encode("ascii"), validate=True)
            d = json.loads(raw.decode("utf-8"))
            if d.get("c") != ctx or not isinstance(d.get("k"), int):
                raise ValueError("wrong context")
            last = d["k"]
        except (ValueError, UnicodeError, binascii.Error, AttributeError):
            raise ApiError(bad("Invalid bookmark: '%s'" % bm))
        if descending:
            items = [i for i in items if key(i) < last]
        else:
            items = [i for i in items if key(i) > last]
    page = items[:size]
    nxt = None
    if len(items) > size:
        nxt = base64.b64encode(json.dumps(
            {"c": ctx, "k": key(page[-1]), "n": secrets.token_hex(2)},
            separators=(",", ":")).encode()).decode("ascii")
    return page, nxt


# --------------------------------------------------------------------------
# The API (/v5)
# --------------------------------------------------------------------------

class Api:
    def __init__(self, st):
        self.st = st

    def route(self, req):
        p = req.path
        if p == "/v5/oauth/token":
            return self.methods(req, {"POST": self.token})
        if p == "/v5/user_account":
            return self.methods(req, {"GET": self.authed(SCOPES_READ_USER,
                                                         self.user_account)})
        if p == "/v5/boards":
            return self.methods(req, {"GET": self.authed(SCOPES_READ_BOARDS,
                                                         self.list_boards)})
        if p == "/v5/pins":
            return self.methods(req, {
                "POST": self.authed(SCOPES_WRITE_PINS, self.create_pin),
                "GET": self.authed(SCOPES_READ_PINS, self.list_pins)})
        parts = p.split("/")
        # ['', 'v5', 'boards', ID, ...]
        if len(parts) >= 4 and parts[2] == "boards" and parts[3]:
            bid = parts[3]
            if len(parts) == 4:
                return self.methods(req, {"GET": self.authed(
                    SCOPES_READ_BOARDS, self.get_board, bid)})
            if len(parts) == 5 and parts[4] == "sections":
                return self.methods(req, {"GET": self.authed(
                    SCOPES_READ_BOARDS, self.list_sections, bid)})
            if len(parts) == 5 and parts[4] == "pins":
                return self.methods(req, {"GET": self.authed(
                    SCOPES_READ_PINS, self.board_pins, bid)})
        if len(parts) == 4 and parts[2] == "pins" and parts[3]:
            pid = parts[3]
            return self.methods(req, {
                "GET": self.authed(SCOPES_READ_PINS, self.get_pin, pid),
                "DELETE": self.authed(SCOPES_WRITE_PINS, self.delete_pin, pid)})
        return err(404, 404, "Not found: %s" % p)

    def methods(self, req, table):
        fn = table.get("GET" if req.method == "HEAD" else req.method)
        if fn is None:
            allow = ", ".join(sorted(table))
            return err(405, 405, "Method %s is not allowed on %s (allowed: %s)."
                       % (req.method, req.path, allow),
                       headers=[("Allow", allow)])
        return fn(req)

    def authed(self, scopes, fn, *args):
        def run(req):
            st = self.st
            user, info = st.token_user(req.bearer())
            if user is None:
                return auth_failed()
            req.user = user["username"]
            req.token = req.bearer()
            limited = st.rate_check(user["username"])
            if limited is not None:
                return limited
            if st.app["enforce_scopes"]:
                have = info["scope"]
                if any(s not in have for s in scopes):
                    return err(401, 3, SCOPE_MESSAGE)
            return fn(req, user, info, *args)
        return run

    # ---- OAuth token -----------------------------------------------------

    def token(self, req):
        st = self.st
        app = st.app
        a = req.headers.get("Authorization") or ""
        parts = a.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "basic":
            return auth_failed()
        try:
            cid, _, secret = base64.b64decode(parts[1].strip(), validate=True) \
                .decode("utf-8").partition(":")
        except (ValueError, UnicodeError, binascii.Error):
            return auth_failed()
        if cid != app["client_id"] or secret != app["client_secret"]:
            return auth_failed()
        if req.media_type() != "application/x-www-form-urlencoded":
            return err(415, 1, "Content-Type must be "
                       "application/x-www-form-urlencoded (was %s)." % (req.ctype,))
        form = req.form
        if form is None:
            return bad("Request body is not valid form data.")
        gt = form.get("grant_type")
        if not gt:
            return bad("Missing parameter: grant_type")
        if gt == "authorization_code":
            code = form.get("code")
            ruri = form.get("redirect_uri")
            if not code or ruri is None:
                return bad("Missing parameter: %s" %
                           ("code" if not code else "redirect_uri"))
            info = st.codes.get(code)
            if info is None or info["used"] or info["expires_at"] <= now() \
                    or info["client_id"] != cid:
                return bad("Invalid authorization code.")
            if ruri != info["redirect_uri"]:
                return bad("redirect_uri does not match the one the "
                           "authorization code was issued for.")
            if info["username"] not in st.users:
                return bad("Invalid authorization code.")
            info["used"] = True
            st.counts["codes_redeemed"] += 1
            return jresp(200, st.issue_tokens(info["username"], info["scope"],
                                              "authorization_code", cid))
        if gt == "refresh_token":
            rt = form.get("refresh_token")
            if not rt:
                return bad("Missing parameter: refresh_token")
            info = st.refresh.get(rt)
            if info is None or info["expires_at"] <= now() \
                    or info["client_id"] != cid \
                    or info["username"] not in st.users:
                return bad("Invalid refresh token.")
            if app["continuous_refresh_required"] and \
                    form.get("continuous_refresh") != "true":
                return bad("This app must send continuous_refresh=true.")
            scope = info["scope"]
            if form.get("scope"):
                asked = split_scope(form["scope"])
                extra = [s for s in asked if s not in scope]
                if extra:
                    return bad("Requested scope exceeds the granted scope: %s"
                               % ",".join(extra))
                scope = asked
            # Rotation: the old refresh token stops working now.
            del st.refresh[rt]
            st.counts["refreshes"] += 1
            out = st.issue_tokens(info["username"], scope, "refresh_token", cid)
            # The new refresh token keeps the scope originally granted.
            st.refresh[out["refresh_token"]]["scope"] = list(info["scope"])
            return jresp(200, out)
        if gt == "client_credentials":
            return bad("grant_type client_credentials is not supported by this app.")
        return bad("Invalid grant_type: %s" % gt)

    # ---- user, boards, sections -----------------------------------------

    def user_account(self, req, user, info):
        return jresp(200, self.st.user_json(user))

    def visible_boards(self, user, info):
        bs = [self.st.boards[b] for b in user["boards"]]
        if self.st.app["enforce_scopes"] and "boards:read_secret" not in info["scope"]:
            bs = [b for b in bs if b["privacy"] != "SECRET"]
        return bs

    def list_boards(self, req, user, info):
        privacy = req.query.get("privacy")
        bs = self.visible_boards(user, info)
        if privacy is not None:
            if privacy not in ("ALL", "PUBLIC", "PROTECTED", "SECRET",
                               "PUBLIC_AND_SECRET"):
                return bad("Invalid privacy filter: %s" % privacy)
            if privacy == "PUBLIC_AND_SECRET":
                bs = [b for b in bs if b["privacy"] in ("PUBLIC", "SECRET")]
            elif privacy != "ALL":
                bs = [b for b in bs if b["privacy"] == privacy]
        page, nxt = paginate(req, "boards:%s:%s" % (user["id"], privacy or ""),
                             bs, lambda b: int(b["id"]))
        return jresp(200, {"items": [self.st.board_json(b) for b in page],
                           "bookmark": nxt})

    def own_board(self, user, info, bid):
        if not DIGITS.match(bid):
            raise ApiError(pattern_error("board_id", bid))
        b = self.st.boards.get(bid)
        if b is None or b["owner"] != user["username"] or \
                b not in self.visible_boards(user, info):
            raise ApiError(err(404, 404, "Board not found."))
        return b

    def get_board(self, req, user, info, bid):
        return jresp(200, self.st.board_json(self.own_board(user, info, bid)))

    def list_sections(self, req, user, info, bid):
        b = self.own_board(user, info, bid)
        secs = [self.st.sections[s] for s in b["sections"]]
        page, nxt = paginate(req, "sections:" + bid, secs, lambda s: int(s["id"]))
        return jresp(200, {"items": [{"id": s["id"], "name": s["name"]}
                                     for s in page], "bookmark": nxt})

    def board_pins(self, req, user, info, bid):
        b = self.own_board(user, info, bid)
        pins = [self.st.pins[p] for p in reversed(b["pins"]) if p in self.st.pins]
        page, nxt = paginate(req, "board_pins:" + bid, pins,
                             lambda p: int(p["id"]), descending=True)
        return jresp(200, {"items": [self.pin_json(p) for p in page],
                           "bookmark": nxt})

    def list_pins(self, req, user, info):
        st = self.st
        pins = sorted((p for p in st.pins.values()
                       if p["username"] == user["username"]),
                      key=lambda p: -int(p["id"]))
        page, nxt = paginate(req, "pins:" + user["id"], pins,
                             lambda p: int(p["id"]), descending=True)
        return jresp(200, {"items": [self.pin_json(p) for p in page],
                           "bookmark": nxt})

    # ---- pins ------------------------------------------------------------

    def pin_json(self, p):
        st = self.st
        b = st.boards.get(p["board_id"])
        out = dict(p["public"])
        out["board_owner"] = {"username": p["username"]}
        out["created_at"] = iso(p["created_at"])
        out["is_owner"] = True
        if b is not None:
            out["board_id"] = b["id"]
        return out

    def check_pin_id(self, user, pid):
        if not DIGITS.match(pid):
            raise ApiError(pattern_error("pin_id", pid))
        p = self.st.pins.get(pid)
        if p is None or p["username"] != user["username"]:
            raise ApiError(err(404, 50, "Pin not found."))
        return p

    def get_pin(self, req, user, info, pid):
        return jresp(200, self.pin_json(self.check_pin_id(user, pid)))

    def delete_pin(self, req, user, info, pid):
        st = self.st
        p = self.check_pin_id(user, pid)
        del st.pins[pid]
        b = st.boards.get(p["board_id"])
        if b is not None:
            b["pin_count"] -= 1
            b["modified_at"] = now()
        for rec in st.pin_log:
            if rec["id"] == pid:
                rec["deleted"] = True
        return Resp(204)

    def create_pin(self, req, user, info):
        st = self.st
        if req.media_type() != "application/json":
            return err(415, 1, "Content-Type must be application/json (was %s)."
                       % (req.ctype,))
        if not req.json_ok:
            return bad("Request body is not valid JSON.")
        body = req.json
        if not isinstance(body, dict):
            return bad("Request body must be a JSON object (PinCreate).")
        bid = body.get("board_id")
        if bid is None:
            return bad("'board_id' is required.")
        if not isinstance(bid, str):
            return bad("'board_id' must be a string.")
        if not DIGITS.match(bid):
            return pattern_error("board_id", bid)
        for name in ("board_section_id", "parent_pin_id", "sponsor_id"):
            v = body.get(name)
            if v is None:
                continue
            if not isinstance(v, str):
                return bad("'%s' must be a string or null." % name)
            if not DIGITS.match(v):
                return pattern_error(name, v)
        for name, limit in (("title", 100), ("description", 800),
                            ("alt_text", 500), ("link", 2048),
                            ("dominant_color", None)):
            v = body.get(name)
            if v is None:
                continue
            if not isinstance(v, str):
                return bad("'%s' must be a string or null." % name)
            if limit is not None and len(v) > limit:
                return bad("'%s' is too long: %d characters, the limit is %d."
                           % (name, len(v), limit))
        link = body.get("link")
        if link:
            u = urlsplit(link)
            if u.scheme.lower() not in ("http", "https") or not u.netloc:
                return bad(INVALID_URL_MESSAGE)
        ms = body.get("media_source")
        media, creative = self.check_media(ms)
        if isinstance(media, Resp):
            return media

        b = st.boards.get(bid)
        if b is None:
            return err(404, 40, "Board not found.")
        if b["owner"] != user["username"]:
            return err(403, 29, NOT_PERMITTED)
        if st.app["enforce_scopes"] and b["privacy"] == "SECRET" and \
                "pins:write_secret" not in info["scope"]:
            return err(401, 3, SCOPE_MESSAGE)
        sid = body.get("board_section_id")
        if sid is not None:
            s = st.sections.get(sid)
            if s is None or s["board_id"] != bid:
                return err(404, 2031, "Sorry! We couldn't find this board section.")
        if body.get("parent_pin_id") is not None and \
                body["parent_pin_id"] not in st.pins:
            return err(404, 50, "Pin not found.")

        pid = st.new_id("pin")
        t = now()
        if media["media_type"] == "image":
            media["images"] = st.images(pid)
        else:
            for i, item in enumerate(media["items"]):
                item["images"] = st.images("%s-%d" % (pid, i + 1))
        public = {
            "id": pid,
            "link": link if link is not None else None,
            "title": body.get("title") if body.get("title") is not None else "",
            "description": body.get("description")
            if body.get("description") is not None else "",
            "alt_text": body.get("alt_text"),
            "dominant_color": body.get("dominant_color") or "#6E7874",
            "board_id": bid,
            "board_section_id": sid,
            "parent_pin_id": body.get("parent_pin_id"),
            "media": media,
            "creative_type": creative,
            "has_been_promoted": False,
            "is_standard": True,
            "pin_metrics": None,
        }
        pin = {"id": pid, "username": user["username"], "board_id": bid,
               "created_at": t, "public": public}
        st.pins[pid] = pin
        b["pins"].append(pid)
        b["pin_count"] += 1
        b["modified_at"] = t
        st.pin_log.append({"id": pid, "username": user["username"],
                           "board_id": bid, "board_section_id": sid,
                           "request": body, "created_at": iso(t),
                           "deleted": False})
        st.counts["pins_created"] += 1
        return jresp(201, self.pin_json(pin))

    def check_media(self, ms):
        """(media, creative_type) or (error Resp, None)."""
        if ms is None:
            return bad("'media_source' is required."), None
        if not isinstance(ms, dict):
            return bad("'media_source' must be an object."), None
        stype = ms.get("source_type")
        if stype == "image_url":
            u = ms.get("url")
            r = self.check_url("media_source.url", u)
            if r is not None:
                return r, None
            return {"media_type": "image"}, "REGULAR"
        if stype == "image_base64":
            r = self.check_b64("media_source", ms)
            if r is not None:
                return r, None
            return {"media_type": "image"}, "REGULAR"
        if stype in ("multiple_image_urls", "multiple_image_base64"):
            items = ms.get("items")
            if not isinstance(items, list):
                return bad("'media_source.items' must be an array."), None
            if not 2 <= len(items) <= 5:
                return bad("'media_source.items' must have 2 to 5 items (has %d)."
                           % len(items)), None
            out = []
            for i, it in enumerate(items):
                where = "media_source.items[%d]" % i
                if not isinstance(it, dict):
                    return bad("'%s' must be an object." % where), None
                if stype == "multiple_image_urls":
                    r = self.check_url(where + ".url", it.get("url"))
                else:
                    r = self.check_b64(where, it)
                if r is not None:
                    return r, None
                for k in ("title", "description", "link"):
                    if it.get(k) is not None and not isinstance(it[k], str):
                        return bad("'%s.%s' must be a string." % (where, k)), None
                out.append({"item_type": "image", "title": it.get("title"),
                            "description": it.get("description"),
                            "link": it.get("link")})
            idx = ms.get("index")
            if idx is not None and (not isinstance(idx, int) or
                                    isinstance(idx, bool) or idx < 0):
                return bad("'media_source.index' must be an integer >= 0."), None
            return {"media_type": "multiple_images", "items": out}, "CAROUSEL"
        if stype == "video_id":
            return bad("media_source.source_type 'video_id' is not supported "
                       "(no video Pins here)."), None
        if stype == "pin_url":
            return bad("media_source.source_type 'pin_url' is not available "
                       "to this app."), None
        if stype is None:
            return bad("'media_source.source_type' is required."), None
        return bad("Invalid media_source.source_type: %r" % (stype,)), None

    @staticmethod
    def check_url(where, u):
        if u is None:
            return bad("'%s' is required." % where)
        if not isinstance(u, str):
            return bad("'%s' must be a string." % where)
        p = urlsplit(u)
        if p.scheme.lower() not in ("http", "https") or not p.netloc:
            return bad("'%s': %s" % (where, INVALID_URL_MESSAGE))
        return None

    @staticmethod
    def check_b64(where, d):
        ct = d.get("content_type")
        if ct not in ("image/jpeg", "image/png"):
            return bad("'%s.content_type' must be image/jpeg or image/png (was %r)."
                       % (where, ct))
        data = d.get("data")
        if not isinstance(data, str) or not data:
            return bad("'%s.data' is required (base64 text)." % where)
        if not B64.match(data):
            return bad("'%s.data' must match the pattern: ^[a-zA-Z0-9+/=]+$" % where)
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return bad("'%s.data' is not valid base64." % where)
        if not raw:
            return bad("'%s.data' decodes to nothing." % where)
        return None


# --------------------------------------------------------------------------
# The authorization page (/oauth/)
# --------------------------------------------------------------------------

def html_page(status, message):
    body = ("<!doctype html><html><head><meta charset=\"utf-8\">"
            "<title>fake-pinterest</title></head><body><h1>%d %s</h1>"
            "<p>%s</p></body></html>\n" % (
                status, REASONS.get(status, ""),
                message.replace("&", "&amp;").replace("<", "&lt;")))
    return Resp(status, body=body.encode("utf-8"), ctype="text/html; charset=utf-8")


def add_query(uri, params):
    u = urlsplit(uri)
    q = u.query
    extra = urlencode(params)
    q = (q + "&" + extra) if q else extra
    return urlunsplit((u.scheme, u.netloc, u.path, q, ""))


def authorize(st, req):
    if req.method not in ("GET", "HEAD"):
        r = html_page(405, "The authorization page only answers GET.")
        r.headers.append(("Allow", "GET"))
        return r
    q = req.query
    app = st.app
    cid = q.get("client_id")
    if not cid or cid != app["client_id"]:
        return html_page(400, "Unknown client_id: %r." % (cid,))
    ruri = q.get("redirect_uri")
    if not ruri or ruri not in app["redirect_uris"]:
        return html_page(400, "redirect_uri %r is not registered for this app "
                         "(registered: %s)." % (ruri, ", ".join(app["redirect_uris"])))
    state = q.get("state")

    def back(params):
        if state is not None:
            params.append(("state", state))
        return Resp(302, body=b"", ctype="text/plain; charset=utf-8",
                    headers=[("Location", add_query(ruri, params))])

    if q.get("response_type") != "code":
        return back([("error", "unsupported_response_type")])
    scope = split_scope(q.get("scope", ""))
    unknown = [s for s in scope if s not in KNOWN_SCOPES]
    if unknown:
        return back([("error", "invalid_scope")])
    deny = q.get("deny") in ("1", "true") or (st.deny and "approve_as" not in q)
    if deny:
        st.counts["authorizations_denied"] += 1
        return back([("error", "access_denied")])
    who = q.get("approve_as") or st.approver
    if not who:
        return html_page(400, "Nobody is logged in to approve this request: set "
                         "an approver with POST /_control/approver or add "
                         "approve_as=USERNAME to the URL.")
    if who not in st.users:
        return html_page(400, "The approving user %r does not exist." % (who,))
    code = secrets.token_hex(20)
    st.codes[code] = {"client_id": cid, "redirect_uri": ruri, "username": who,
                      "scope": scope, "expires_at": now() + app["code_expires_in"],
                      "used": False}
    st.counts["codes_issued"] += 1
    return back([("code", code)])


# --------------------------------------------------------------------------
# Control API (/_control/)
# --------------------------------------------------------------------------

FAULT_ACTIONS = ("close", "close_mid_body", "malformed", "truncated", "expire_token")
PROCESS_DEFAULT = {None: False, "close": False, "close_mid_body": True,
                   "malformed": True, "truncated": True, "expire_token": False}


class Control:
    def __init__(self, st):
        self.st = st

    def route(self, req):
        name = req.path[len("/_control/"):]
        table = {
            "reset": {"POST": self.reset},
            "app": {"POST": self.app, "GET": self.get_app},
            "users": {"POST": self.users},
            "approver": {"POST": self.approver},
            "tokens": {"POST": self.tokens},
            "expire": {"POST": self.expire},
            "faults": {"POST": self.add_faults, "GET": self.list_faults,
                       "DELETE": self.clear_faults},
            "rate_limit": {"POST": self.rate_limit},
            "pins": {"GET": self.pins},
            "requests": {"GET": self.list_requests,
                         "DELETE": self.clear_requests},
            "state": {"GET": self.state},
            "ping": {"GET": lambda req, body: jresp(200, {"ok": True})},
        }.get(name)
        if table is None:
            return err(404, 404, "Unknown control endpoint: %s" % req.path)
        fn = table.get("GET" if req.method == "HEAD" else req.method)
        if fn is None:
            allow = ", ".join(sorted(table))
            return err(405, 405, "Method %s is not allowed on %s (allowed: %s)."
                       % (req.method, req.path, allow), headers=[("Allow", allow)])
        body = {}
        if req.method == "POST" and req.body.strip():
            if not req.json_ok:
                return bad("control request body is not valid JSON")
            body = req.json
        if req.method == "POST" and not (isinstance(body, dict) or
                                         (name == "faults" and isinstance(body, list))):
            return bad("control request body must be a JSON object")
        return fn(req, body)

    def reset(self, req, body):
        self.st.reset()
        return jresp(200, {"ok": True})

    def get_app(self, req, body):
        return jresp(200, self.st.app)

    def app(self, req, body):
        app = dict(self.st.app)
        for k, v in body.items():
            if k not in DEFAULT_APP:
                return bad("unknown app setting: %s" % k)
            if k in ("client_id", "client_secret", "scope_separator") and \
                    not isinstance(v, str):
                return bad("%s must be a string" % k)
            if k == "redirect_uris" and (not isinstance(v, list) or
                                         not all(isinstance(x, str) for x in v)):
                return bad("redirect_uris must be an array of strings")
            if k in ("access_expires_in", "refresh_expires_in",
                     "code_expires_in") and \
                    (not isinstance(v, int) or isinstance(v, bool)):
                return bad("%s must be an integer (seconds)" % k)
            if k in ("continuous_refresh_required", "enforce_scopes") and \
                    not isinstance(v, bool):
                return bad("%s must be true or false" % k)
            app[k] = list(v) if isinstance(v, list) else v
        self.st.app = app
        return jresp(200, app)

    def users(self, req, body):
        st = self.st
        if not isinstance(body, dict):
            return bad("body must be an object")
        name = body.get("username")
        if not isinstance(name, str) or not name or DIGITS.match(name):
            return bad("'username' must be a non-empty, non-numeric string")
        u = st.users.get(name)
        if u is None:
            uid = body.get("id")
            if uid is None:
                uid = st.new_id("user")
            elif not isinstance(uid, str) or not DIGITS.match(uid):
                return bad("'id' must be a digit string")
            u = {"username": name, "id": uid, "account_type": "BUSINESS",
                 "business_name": None, "profile_image": None,
                 "website_url": "", "about": "", "follower_count": 0,
                 "following_count": 0, "monthly_views": 0, "boards": []}
            st.users[name] = u
        at = body.get("account_type")
        if at is not None:
            if at not in ("PINNER", "BUSINESS"):
                return bad("'account_type' must be PINNER or BUSINESS")
            u["account_type"] = at
        for k in ("business_name", "profile_image", "website_url", "about"):
            if k in body:
                u[k] = body[k]
        for k in ("follower_count", "following_count", "monthly_views"):
            if k in body:
                u[k] = body[k]
        boards = body.get("boards") or []
        if not isinstance(boards, list):
            return bad("'boards' must be an array")
        for spec in boards:
            if not isinstance(spec, dict):
                return bad("each board must be an object")
            st.add_board(u, spec)
        n = body.get("board_count")
        if n is not None:
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                return bad("'board_count' must be an integer >= 0")
            for i in range(1, n + 1):
                st.add_board(u, {"name": "Board %d" % i})
        return jresp(200, {
            "id": u["id"], "username": name,
            "boards": [{"id": b["id"], "name": b["name"], "privacy": b["privacy"],
                        "sections": [{"id": s, "name": st.sections[s]["name"]}
                                     for s in b["sections"]]}
                       for b in (st.boards[x] for x in u["boards"])]})

    def approver(self, req, body):
        st = self.st
        if body.get("deny"):
            st.deny = True
            st.approver = None
        else:
            name = body.get("username")
            if name is not None and not isinstance(name, str):
                return bad("'username' must be a string or null")
            st.deny = False
            st.approver = name
        return jresp(200, {"username": st.approver, "deny": st.deny})

    def tokens(self, req, body):
        st = self.st
        name = body.get("username")
        if name not in st.users:
            return err(404, 404, "no such user: %r" % (name,))
        scope = body.get("scope")
        if scope is None:
            scope = list(DEFAULT_MINT_SCOPE)
        elif isinstance(scope, str):
            scope = split_scope(scope)
        elif not isinstance(scope, list):
            return bad("'scope' must be a string or an array")
        for k in ("expires_in", "refresh_token_expires_in"):
            if k in body and (not isinstance(body[k], int) or
                              isinstance(body[k], bool)):
                return bad("'%s' must be an integer" % k)
        out = st.issue_tokens(name, scope, "authorization_code",
                              st.app["client_id"],
                              access_expires_in=body.get("expires_in"),
                              refresh_expires_in=body.get("refresh_token_expires_in"))
        return jresp(200, out)

    def expire(self, req, body):
        st = self.st
        past = now() - 1
        n = 0
        if "access_token" in body:
            info = st.access.get(body["access_token"])
            if info is not None:
                info["expires_at"] = past
                n += 1
        if "refresh_token" in body:
            info = st.refresh.get(body["refresh_token"])
            if info is not None:
                info["expires_at"] = past
                n += 1
        if "username" in body:
            for info in st.access.values():
                if info["username"] == body["username"]:
                    info["expires_at"] = past
                    n += 1
            if body.get("refresh_tokens"):
                for info in st.refresh.values():
                    if info["username"] == body["username"]:
                        info["expires_at"] = past
                        n += 1
        if not any(k in body for k in ("access_token", "refresh_token", "username")):
            return bad("give access_token, refresh_token or username")
        return jresp(200, {"expired": n})

    def add_faults(self, req, body):
        specs = body if isinstance(body, list) else [body]
        new = []
        for f in specs:
            if not isinstance(f, dict):
                return bad("a fault must be an object")
            path = f.get("path")
            if not isinstance(path, str) or not path.startswith("/"):
                return bad("fault 'path' must start with /")
            if path.startswith("/_control"):
                return bad("faults cannot target the control API")
            method = f.get("method")
            if method is not None and not isinstance(method, str):
                return bad("fault 'method' must be a string")
            count = f.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                return bad("fault 'count' must be an integer >= 1")
            status = f.get("status")
            if status is not None and (not isinstance(status, int) or
                                       isinstance(status, bool) or
                                       not 200 <= status <= 599):
                return bad("fault 'status' must be an HTTP status")
            delay = f.get("delay_ms")
            if delay is not None and (not isinstance(delay, (int, float)) or
                                      delay < 0 or delay > 600000):
                return bad("fault 'delay_ms' must be 0..600000")
            action = f.get("action")
            if action is not None and action not in FAULT_ACTIONS:
                return bad("fault 'action' must be one of %s" % ", ".join(FAULT_ACTIONS))
            if status is None and delay is None and action is None:
                return bad("a fault needs 'status', 'delay_ms' or 'action'")
            hdrs = f.get("headers") or {}
            if not isinstance(hdrs, dict):
                return bad("fault 'headers' must be an object")
            if "body" in f and not isinstance(f["body"], (dict, list, str)):
                return bad("fault 'body' must be an object or a string")
            process = f.get("process")
            if process is None:
                process = True if (action is None and status is None) \
                    else PROCESS_DEFAULT[action]
            if not isinstance(process, bool):
                return bad("fault 'process' must be true or false")
            fault = {"method": method.upper() if method else None, "path": path,
                     "count": count, "remaining": count, "status": status,
                     "delay_ms": delay, "action": action, "headers": hdrs,
                     "process": process}
            for k in ("body", "content_type"):
                if k in f:
                    fault[k] = f[k]
            new.append(fault)
        self.st.faults.extend(new)
        return jresp(200, {"queued": len(new), "pending": self.st.faults})

    def list_faults(self, req, body):
        return jresp(200, {"items": self.st.faults})

    def clear_faults(self, req, body):
        n = len(self.st.faults)
        self.st.faults = []
        return jresp(200, {"cleared": n})

    def rate_limit(self, req, body):
        st = self.st
        per = body.get("per_second")
        if per is None:
            st.rate = None
        else:
            if not isinstance(per, (int, float)) or isinstance(per, bool) or per <= 0:
                return bad("'per_second' must be a number > 0, or null")
            st.rate = {"per_second": float(per), "spam": bool(body.get("spam"))}
        st.buckets = {}
        return jresp(200, {"rate_limit": st.rate})

    def pins(self, req, body):
        q = req.query
        items = self.st.pin_log
        for k in ("username", "board_id"):
            if k in q:
                items = [r for r in items if r[k] == q[k]]
        for k in ("title", "link"):
            if k in q:
                items = [r for r in items if r["request"].get(k) == q[k]]
        if q.get("deleted") in ("true", "false"):
            want = q["deleted"] == "true"
            items = [r for r in items if r["deleted"] == want]
        return jresp(200, {"count": len(items), "items": items})

    def list_requests(self, req, body):
        items = list(self.st.requests)
        p = req.query.get("path")
        if p:
            if p.endswith("*"):
                items = [r for r in items if r["path"].startswith(p[:-1])]
            else:
                items = [r for r in items if r["path"] == p]
        m = req.query.get("method")
        if m:
            items = [r for r in items if r["method"] == m.upper()]
        return jresp(200, {"count": len(items), "items": items})

    def clear_requests(self, req, body):
        n = len(self.st.requests)
        self.st.requests.clear()
        return jresp(200, {"cleared": n})

    def state(self, req, body):
        st = self.st
        t = now()
        users = []
        for u in st.users.values():
            users.append({"username": u["username"], "id": u["id"],
                          "account_type": u["account_type"],
                          "board_count": len(u["boards"]),
                          "pin_count": sum(st.boards[b]["pin_count"]
                                           for b in u["boards"])})
        c = st.counts
        return jresp(200, {
            "app": st.app,
            "users": users,
            "boards": len(st.boards),
            "pins": {"created": c["pins_created"], "live": len(st.pins)},
            "tokens": {
                "access_issued": c["access_tokens_issued"],
                "refresh_issued": c["refresh_tokens_issued"],
                "refreshed": c["refreshes"],
                "access_live": sum(1 for i in st.access.values()
                                   if i["expires_at"] > t),
                "refresh_live": sum(1 for i in st.refresh.values()
                                    if i["expires_at"] > t),
                "codes_issued": c["codes_issued"],
                "codes_redeemed": c["codes_redeemed"],
            },
            "approver": st.approver, "deny": st.deny,
            "faults_pending": len(st.faults),
            "faults_fired": c["faults_fired"],
            "rate_limit": st.rate,
            "rate_limited": c["rate_limited"],
            "requests_logged": len(st.requests),
        })


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

REDACT = ("client_secret", "code", "refresh_token")


class Headers(dict):
    """Request headers: names lower-cased, get() case-insensitive."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-pinterest/1"
    sys_version = ""
    disable_nagle_algorithm = True
    request_version = "HTTP/1.1"

    def handle_one_request(self):
        """A lean HTTP/1.x request parser (the stock one goes through the
        email package and costs more than everything else per request)."""
        try:
            line = self.rfile.readline(65537)
            if not line:
                self.close_connection = True
                return
            if line in (b"\r\n", b"\n"):
                return          # tolerate a stray empty line between requests
            if len(line) > 65536:
                return self.fail(414, "Request line too long.")
            self.raw_requestline = line
            self.requestline = line.decode("latin-1").rstrip("\r\n")
            parts = self.requestline.split()
            if len(parts) != 3 or not parts[2].startswith("HTTP/"):
                return self.fail(400, "Malformed request line.")
            self.command, self.path, version = parts
            if version not in ("HTTP/1.1", "HTTP/1.0"):
                return self.fail(505, "Only HTTP/1.0 and HTTP/1.1.")
            self.request_version = version
            headers = Headers()
            n = 0
            while True:
                h = self.rfile.readline(65537)
                if not h:
                    self.close_connection = True
                    return
                if h in (b"\r\n", b"\n"):
                    break
                n += 1
                if n > 200 or len(h) > 65536:
                    return self.fail(431, "Request headers too large.")
                k, sep, v = h.decode("latin-1").partition(":")
                if not sep:
                    return self.fail(400, "Malformed header line.")
                k = k.strip().lower()
                v = v.strip()
                if k in headers:
                    headers[k] = headers[k] + ", " + v
                else:
                    headers[k] = v
            self.headers = headers
            conn = [t.strip() for t in headers.get("connection", "").lower().split(",")]
            if version == "HTTP/1.0":
                self.close_connection = "keep-alive" not in conn
            else:
                self.close_connection = "close" in conn
                if headers.get("expect", "").lower() == "100-continue":
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.dispatch()
        except (socket.timeout, ConnectionError):
            self.close_connection = True

    def fail(self, status, message):
        self.close_connection = True
        self.write_resp(err(status, status, message), rid())

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("fake-pinterest: %s\n" % (fmt % args))

    def log_request(self, code="-", size="-"):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def read_body(self):
        te = self.headers.get("Transfer-Encoding")
        if te and te.strip().lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while True:
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        n = int(cl)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n) if n else b""

    def write_resp(self, r, reqid, head_only=False):
        body = r.encode()
        status = r.status
        lines = ["HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown")),
                 "Server: fake-pinterest/1\r\n",
                 "Date: %s\r\n" % http_date(),
                 "x-pinterest-rid: %s\r\n" % reqid]
        if status != 204 and status != 304 and status >= 200:
            lines.append("Content-Type: %s\r\n" % r.ctype)
            lines.append("Content-Length: %d\r\n" % len(body))
        for k, v in r.headers:
            lines.append("%s: %s\r\n" % (k, v))
        if self.close_connection:
            lines.append("Connection: close\r\n")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        data = "".join(lines).encode("latin-1")
        if not head_only and status != 204 and status != 304:
            data += body
        self.wfile.write(data)

    def abort(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self):
        st = self.server.state
        t0 = time.monotonic()
        reqid = rid()
        method = self.command
        raw = self.path
        if raw.startswith("http://") or raw.startswith("https://"):
            raw = urlsplit(raw)._replace(scheme="", netloc="").geturl() or "/"
        path, _, qs = raw.partition("?")
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.write_resp(bad("Bad request body framing."), reqid)
            return
        req = Req(method, path, qs, self.headers, body)
        mt = req.media_type()
        if body:
            if mt == "application/json" or path.startswith("/_control/"):
                try:
                    req.json = json.loads(body.decode("utf-8"))
                    req.json_ok = True
                except (ValueError, UnicodeError):
                    pass
            elif mt == "application/x-www-form-urlencoded":
                try:
                    req.form = dict(parse_qsl(body.decode("utf-8"),
                                              keep_blank_values=True))
                except (ValueError, UnicodeError):
                    req.form = None
        elif mt == "application/x-www-form-urlencoded":
            req.form = {}
        head = method == "HEAD"

        if path.startswith("/_control/"):
            with st.lock:
                try:
                    r = self.server.control.route(req)
                except ApiError as e:
                    r = e.resp
                except Exception as e:  # a bug here: say so, keep serving
                    r = internal_error(e)
            self.write_resp(r, reqid, head)
            self.trace(req, r.status, t0)
            return
        if path.startswith("/_media/"):
            r = Resp(200, body=PIXEL_PNG, ctype="image/png") if method in \
                ("GET", "HEAD") else err(405, 405, "GET only")
            self.write_resp(r, reqid, head)
            return

        with st.lock:
            fault = st.take_fault(method, path)
        status_out = None
        recorded = False
        fault_name = None
        try:
            if fault is None:
                r = self.handle_normal(req)
                status_out = r.status
                self.record(req, status_out, fault_name, reqid)
                recorded = True
                self.write_resp(r, reqid, head)
                return
            fault_name = fault["action"] or ("status" if fault["status"] else "delay")
            if fault["delay_ms"]:
                time.sleep(fault["delay_ms"] / 1000.0)
            real = self.handle_normal(req) if fault["process"] else None
            action = fault["action"]
            extra = [(str(k), str(v)) for k, v in fault["headers"].items()]
            if action == "close":
                self.abort()
                return
            if action == "expire_token":
                tok = req.bearer()
                with st.lock:
                    info = st.access.get(tok) if tok else None
                    if info is not None:
                        info["expires_at"] = now() - 1
                r = auth_failed()
                r.headers.extend(extra)
                self.write_resp(r, reqid, head)
                status_out = 401
                return
            if action in ("close_mid_body", "malformed", "truncated"):
                if action == "malformed":
                    payload = (b"<html><head><title>502</title></head><body>"
                               b"upstream sent garbage {\"code\": oops</body></html>\n")
                else:
                    payload = real.encode() if real is not None and real.encode() \
                        else json.dumps({
                            "id": "813744226420795884", "title": "fault injected",
                            "description": "this JSON was cut short on purpose",
                            "items": [{"id": "1"}, {"id": "2"}],
                            "bookmark": None}).encode()
                if fault["status"]:
                    code = fault["status"]
                elif action == "close_mid_body" and real is not None and \
                        real.status != 204:
                    code = real.status
                else:
                    code = 200
                lines = ["HTTP/1.1 %d %s\r\n" % (code, REASONS.get(code, "Unknown")),
                         "Server: fake-pinterest/1\r\n",
                         "Date: %s\r\n" % http_date(),
                         "x-pinterest-rid: %s\r\n" % reqid,
                         "Content-Type: application/json\r\n"]
                if action == "truncated":
                    payload = payload[:max(1, len(payload) // 2)]
                    sent = payload
                elif action == "close_mid_body":
                    sent = payload[:max(1, len(payload) // 2)]
                else:
                    sent = payload
                lines.append("Content-Length: %d\r\n" % len(payload))
                for k, v in extra:
                    lines.append("%s: %s\r\n" % (k, v))
                if self.close_connection:
                    lines.append("Connection: close\r\n")
                lines.append("\r\n")
                self.wfile.write("".join(lines).encode("latin-1") + sent)
                status_out = code
                if action == "close_mid_body":
                    self.abort()
                return
            if fault["status"]:
                r = self.status_fault(fault)
                r.headers.extend(extra)
            else:
                r = real if real is not None else self.handle_normal(req)
                r.headers.extend(extra)
            # Logged before the answer leaves: a client that asks the
            # control API right after its answer must find its request.
            status_out = r.status
            self.record(req, status_out, fault_name, reqid)
            recorded = True
            self.write_resp(r, reqid, head)
        finally:
            if not recorded:
                self.record(req, status_out, fault_name, reqid)
            self.trace(req, status_out, t0)

    def status_fault(self, f):
        s = f["status"]
        if "body" in f:
            b = f["body"]
            if isinstance(b, str):
                return Resp(s, body=b.encode("utf-8"),
                            ctype=f.get("content_type", "text/plain; charset=utf-8"))
            r = jresp(s, b)
            if "content_type" in f:
                r.ctype = f["content_type"]
            return r
        if s == 429:
            return err(429, 8, RATE_LIMIT_MESSAGE)
        if s == 401:
            return auth_failed()
        if s == 403:
            return err(403, 29, NOT_PERMITTED)
        return err(s, s, "Injected fault: HTTP %d %s." % (s, REASONS.get(s, "")))

    def handle_normal(self, req):
        st = self.server.state
        with st.lock:
            try:
                if req.path.startswith("/v5/"):
                    return self.server.api.route(req)
                if req.path == "/oauth/" or req.path == "/oauth":
                    return authorize(st, req)
                return err(404, 404, "Not found: %s" % req.path)
            except ApiError as e:
                return e.resp
            except Exception as e:  # a bug here: say so, keep serving
                return internal_error(e)

    def record(self, req, status, fault_name, reqid):
        st = self.server.state
        form = None
        if req.form is not None:
            form = {k: ("<redacted>" if k in REDACT else v)
                    for k, v in req.form.items()}
        entry = {
            "time": round(now(), 3),
            "rid": reqid,
            "method": req.method,
            "path": req.path,
            "query": req.query_string,
            "query_params": req.query,
            "content_type": req.ctype,
            "authorization": req.auth_kind(),
            "user": req.user,
            "body_form": form,
            "body_json": req.json if req.json_ok else None,
            "status": status,
        }
        if req.body and req.form is None and not req.json_ok:
            entry["body_text"] = req.body[:4096].decode("utf-8", "replace")
        if fault_name:
            entry["fault"] = fault_name
        with st.lock:
            st.requests.append(entry)

    def trace(self, req, status, t0):
        if VERBOSE:
            sys.stderr.write("fake-pinterest: %s %s%s -> %s (%.1f ms)\n" % (
                req.method, req.path, "?" + req.query_string if req.query_string
                else "", status if status is not None else "closed",
                (time.monotonic() - t0) * 1000))


def internal_error(e):
    import traceback
    traceback.print_exc(file=sys.stderr)
    return err(500, 500, "fake-pinterest internal error: %s: %s"
               % (type(e).__name__, e))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        if VERBOSE:
            ThreadingHTTPServer.handle_error(self, request, client_address)


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description="Stateful fake of Pinterest API v5.")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose

    try:
        srv = Server(("127.0.0.1", args.port), Handler)
    except OSError as e:
        sys.stderr.write("fake-pinterest: cannot listen on 127.0.0.1:%d: %s\n"
                         % (args.port, e.strerror or e))
        sys.exit(1)
    port = srv.server_address[1]
    srv.state = State(port)
    srv.api = Api(srv.state)
    srv.control = Control(srv.state)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.port_file:
        d = os.path.dirname(os.path.abspath(args.port_file))
        tmp = os.path.join(d, ".%s.%d.tmp" % (os.path.basename(args.port_file),
                                               os.getpid()))
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True)
    t.start()
    sys.stdout.write("fake-pinterest listening on http://127.0.0.1:%d\n" % port)
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.05)
    srv.shutdown()
    srv.server_close()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
