#!/usr/bin/env python3
"""Self-test of tests/fake-pinterest.py: starts it, exercises every endpoint
and every fault over real HTTP, measures keep-alive throughput, stops it.
Not part of the build; run by hand:  python3 tests/fake-pinterest-selftest.py
"""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake-pinterest.py")
CID, SECRET = "1234567", "fake-app-secret"
REDIRECT = "http://localhost:8085/"

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what)


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.lenient = False  # set while fetching deliberately broken JSON

    def req(self, method, path, body=None, headers=None, js=None, form=None,
            token=None, basic=None):
        h = dict(headers or {})
        if js is not None:
            body = json.dumps(js).encode()
            h.setdefault("Content-Type", "application/json")
        if form is not None:
            body = urlencode(form).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if token:
            h["Authorization"] = "Bearer " + token
        if basic:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % basic).encode()).decode()
        if isinstance(body, str):
            body = body.encode()
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        check(r.getheader("x-pinterest-rid"), "x-pinterest-rid on %s %s" % (method, path))
        try:
            obj = json.loads(data) if data else None
        except ValueError:
            obj = None
        if r.getheader("Content-Type") == "application/json" and not self.lenient:
            check(obj is not None or not data, "JSON body on %s %s" % (method, path))
        return r.status, r, obj, data

    def ctl(self, method, name, js=None):
        s, r, obj, _ = self.req(method, "/_control/" + name, js=js)
        return s, obj


def raw_exchange(port, request_bytes, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(request_bytes)
    chunks = []
    while True:
        try:
            c = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not c:
            break
        chunks.append(c)
    s.close()
    return b"".join(chunks)


def raw_get(port, path, token, close=True):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s\r\n"
            % (path, token, "Connection: close\r\n" if close else "")).encode()


def main():
    tmp = tempfile.mkdtemp()
    portfile = os.path.join(tmp, "port")
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, FAKE, "--port-file", portfile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stdout.readline().decode()
    startup = time.monotonic() - t0
    print("first line: %r (after %.0f ms)" % (line, startup * 1000))
    check(line.startswith("fake-pinterest listening on http://127.0.0.1:"), "banner")
    port = int(line.strip().rsplit(":", 1)[1])
    check(open(portfile).read().strip() == str(port), "port file")
    check(startup < 1.0, "starts in under a second")
    try:
        run(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(5)
        rest = proc.stdout.read()
        errtext = proc.stderr.read()
        check(rc == 0, "exit 0 on SIGTERM (rc=%s)" % rc)
        check(rest == b"", "nothing more on stdout: %r" % rest)
        check(errtext == b"", "quiet stderr: %r" % errtext[:500])
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def run(port):
    c = Client(port)
    s, o = c.ctl("POST", "reset")
    check(s == 200, "reset")
    s, app = c.ctl("GET", "app")
    check(app["client_id"] == CID and app["redirect_uris"] == [REDIRECT]
          and app["continuous_refresh_required"] is False, "default app")

    s, u = c.ctl("POST", "users", {
        "username": "maison_elise", "business_name": "Maison Élise",
        "boards": [{"name": "Printemps", "sections": ["Robes", "Sacs"]},
                   {"name": "Secret", "privacy": "SECRET", "description": "x"}]})
    check(s == 200 and len(u["boards"]) == 2 and
          len(u["boards"][0]["sections"]) == 2 and u["id"].isdigit(), "create user")
    board, secret_board = u["boards"][0]["id"], u["boards"][1]["id"]
    section = u["boards"][0]["sections"][0]["id"]
    s, u2 = c.ctl("POST", "users", {"username": "northwind", "account_type": "PINNER",
                                    "boards": [{"name": "Kids"}]})
    other_board = u2["boards"][0]["id"]
    other_section = None

    # ---- OAuth authorize page ------------------------------------------
    def authz(**q):
        base = {"client_id": CID, "redirect_uri": REDIRECT, "response_type": "code",
                "scope": "boards:read,pins:read,pins:write,user_accounts:read",
                "state": "st-1"}
        base.update(q)
        base = {k: v for k, v in base.items() if v is not None}
        return c.req("GET", "/oauth/?" + urlencode(base))

    s, r, _, body = authz(client_id="999")
    check(s == 400 and r.getheader("Location") is None and b"client_id" in body,
          "unknown client_id -> 400 page")
    s, r, _, _ = authz(redirect_uri="http://localhost:8086/")
    check(s == 400 and r.getheader("Location") is None, "wrong port redirect -> 400")
    s, r, _, _ = authz(redirect_uri="http://localhost:8085")
    check(s == 400, "redirect without slash -> 400 (exact match)")
    s, r, _, body = authz()
    check(s == 400 and b"approver" in body, "no approver -> 400")
    s, r, _, _ = authz(approve_as="maison_elise")
    loc = urlsplit(r.getheader("Location"))
    q = parse_qs(loc.query)
    check(s == 302 and loc.netloc == "localhost:8085" and q["state"] == ["st-1"]
          and q.get("code"), "approve_as -> 302 with code and state")
    c.ctl("POST", "approver", {"deny": True})
    s, r, _, _ = authz()
    q = parse_qs(urlsplit(r.getheader("Location")).query)
    check(s == 302 and q == {"error": ["access_denied"], "state": ["st-1"]}, "deny")
    c.ctl("POST", "approver", {"username": "maison_elise"})
    s, r, _, _ = authz(deny="1")
    check(s == 302 and "error=access_denied" in r.getheader("Location"), "deny=1")
    s, r, _, _ = authz(response_type="token")
    check(s == 302 and "unsupported_response_type" in r.getheader("Location"),
          "response_type != code")
    # redirect_uri that already has a query
    c.ctl("POST", "app", {"redirect_uris": [REDIRECT, "http://127.0.0.1:9/cb?x=1&y=a+b"]})
    s, r, _, _ = authz(redirect_uri="http://127.0.0.1:9/cb?x=1&y=a+b", state="a b&c")
    loc = urlsplit(r.getheader("Location"))
    q = parse_qs(loc.query)
    check(s == 302 and loc.path == "/cb" and q["x"] == ["1"] and q["y"] == ["a b"]
          and q["state"] == ["a b&c"] and q.get("code"), "query added to redirect")
    s, r, _, _ = authz()
    code = parse_qs(urlsplit(r.getheader("Location")).query)["code"][0]

    # ---- token endpoint ---------------------------------------------------
    tok = "/v5/oauth/token"
    good = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    s, _, o, _ = c.req("POST", tok, form=good)
    check(s == 401 and o == {"code": 2, "message": "Authentication failed."},
          "token without basic -> 401")
    s, _, o, _ = c.req("POST", tok, form=good, basic=(CID, "wrong"))
    check(s == 401 and o["code"] == 2, "wrong secret -> 401")
    s, _, o, _ = c.req("POST", tok, js=good, basic=(CID, SECRET))
    check(s == 415 and o["code"] == 1, "json body -> 415")
    s, _, o, _ = c.req("POST", tok, form={"code": code}, basic=(CID, SECRET))
    check(s == 400 and "grant_type" in o["message"], "missing grant_type")
    s, _, o, _ = c.req("POST", tok, form=dict(good, redirect_uri="http://localhost:8085/x"),
                       basic=(CID, SECRET))
    check(s == 400 and "redirect_uri" in o["message"], "redirect_uri mismatch")
    s, _, t1, _ = c.req("POST", tok, form=good, basic=(CID, SECRET))
    check(s == 200 and t1["access_token"].startswith("pina_") and
          t1["refresh_token"].startswith("pinr_") and t1["token_type"] == "bearer" and
          t1["expires_in"] == 2592000 and t1["refresh_token_expires_in"] == 5184000 and
          abs(t1["refresh_token_expires_at"] - (time.time() + 5184000)) < 5 and
          t1["response_type"] == "authorization_code" and
          t1["scope"] == "boards:read pins:read pins:write user_accounts:read",
          "code exchange: %r" % t1)
    s, _, o, _ = c.req("POST", tok, form=good, basic=(CID, SECRET))
    check(s == 400 and o["code"] == 1, "code reuse refused")
    s, _, o, _ = c.req("GET", tok)
    check(s == 405 and o["code"] == 405, "GET token -> 405")

    # refresh rotation
    ref = {"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]}
    s, _, t2, _ = c.req("POST", tok, form=ref, basic=(CID, SECRET))
    check(s == 200 and t2["response_type"] == "refresh_token" and
          t2["refresh_token"] != t1["refresh_token"] and
          t2["access_token"] != t1["access_token"] and
          "refresh_token_expires_at" in t2, "refresh")
    s, _, o, _ = c.req("POST", tok, form=ref, basic=(CID, SECRET))
    check(s == 400 and o["code"] == 1 and "refresh" in o["message"],
          "old refresh token refused")
    s, _, o, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                           "refresh_token": t2["refresh_token"],
                                           "scope": "boards:write"},
                       basic=(CID, SECRET))
    check(s == 400, "refresh asking for more scope refused")
    s, _, t3, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                            "refresh_token": t2["refresh_token"],
                                            "scope": "boards:read",
                                            "continuous_refresh": "true"},
                        basic=(CID, SECRET))
    check(s == 200 and t3["scope"] == "boards:read", "refresh with narrower scope")
    c.ctl("POST", "app", {"continuous_refresh_required": True, "scope_separator": ","})
    s, _, o, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                           "refresh_token": t3["refresh_token"]},
                       basic=(CID, SECRET))
    check(s == 400, "continuous_refresh required")
    s, _, t4, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                            "refresh_token": t3["refresh_token"],
                                            "continuous_refresh": "true"},
                        basic=(CID, SECRET))
    check(s == 200 and t4["scope"] == "boards:read,pins:read,pins:write,user_accounts:read",
          "continuous refresh ok, new token keeps original scope: %r" % t4.get("scope"))
    c.ctl("POST", "app", {"continuous_refresh_required": False, "scope_separator": " ",
                          "access_expires_in": 100, "refresh_expires_in": 200})
    s, _, t5, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                            "refresh_token": t4["refresh_token"]},
                        basic=(CID, SECRET))
    check(t5["expires_in"] == 100 and t5["refresh_token_expires_in"] == 200,
          "lifetimes configurable")
    c.ctl("POST", "expire", {"refresh_token": t5["refresh_token"]})
    s, _, o, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                           "refresh_token": t5["refresh_token"]},
                       basic=(CID, SECRET))
    check(s == 400, "expired refresh token refused")
    c.ctl("POST", "app", {"access_expires_in": 2592000, "refresh_expires_in": 5184000,
                          "redirect_uris": [REDIRECT]})

    # an expired authorization code
    c.ctl("POST", "app", {"code_expires_in": 0})
    s, r, _, _ = authz()
    old_code = parse_qs(urlsplit(r.getheader("Location")).query)["code"][0]
    c.ctl("POST", "app", {"code_expires_in": 60})
    s, _, o, _ = c.req("POST", tok, form=dict(good, code=old_code), basic=(CID, SECRET))
    check(s == 400 and o["code"] == 1, "expired code refused")

    at = t1["access_token"]
    s, _, me, _ = c.req("GET", "/v5/user_account", token=at)
    check(s == 200 and me["username"] == "maison_elise" and
          me["business_name"] == "Maison Élise" and me["board_count"] == 2 and
          me["account_type"] == "BUSINESS", "user_account via OAuth token")

    # control-minted token
    s, mt = c.ctl("POST", "tokens", {"username": "maison_elise"})
    check(s == 200 and set(mt) >= {"access_token", "token_type", "expires_in", "scope",
                                   "response_type", "refresh_token",
                                   "refresh_token_expires_in",
                                   "refresh_token_expires_at"}, "mint token")
    tk = mt["access_token"]
    s, nt = c.ctl("POST", "tokens", {"username": "northwind"})
    ntk = nt["access_token"]

    # ---- 401s -------------------------------------------------------------
    s, _, o, _ = c.req("GET", "/v5/user_account")
    check(s == 401 and o == {"code": 2, "message": "Authentication failed."}, "no token")
    s, _, o, _ = c.req("GET", "/v5/user_account", token="pina_nope")
    check(s == 401, "unknown token")
    c.ctl("POST", "expire", {"access_token": at})
    s, _, o, _ = c.req("GET", "/v5/user_account", token=at)
    check(s == 401 and o["code"] == 2, "expired token -> 401")
    s, extra = c.ctl("POST", "tokens", {"username": "maison_elise"})
    c.ctl("POST", "expire", {"username": "maison_elise"})
    s, _, _, _ = c.req("GET", "/v5/user_account", token=extra["access_token"])
    s2, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 401 and s2 == 401, "expire by username")
    s, mt = c.ctl("POST", "tokens", {"username": "maison_elise"})
    tk = mt["access_token"]

    # ---- 404 / 405 --------------------------------------------------------
    s, _, o, _ = c.req("GET", "/v5/nope", token=tk)
    check(s == 404 and o["code"] == 404, "unknown path 404")
    s, _, o, _ = c.req("GET", "/v5/boards/", token=tk)
    check(s == 404, "trailing slash 404")
    s, r, o, _ = c.req("PUT", "/v5/pins", token=tk)
    check(s == 405 and "GET" in r.getheader("Allow"), "PUT /v5/pins 405")
    s, _, o, _ = c.req("GET", "/nothing")
    check(s == 404 and o["code"] == 404, "unknown root path")

    # ---- boards, sections, pagination --------------------------------------
    s, _, o, _ = c.req("GET", "/v5/boards", token=tk)
    check(s == 200 and len(o["items"]) == 2 and o["bookmark"] is None and
          o["items"][0]["owner"]["username"] == "maison_elise" and
          o["items"][1]["privacy"] == "SECRET", "boards")
    s, _, o, _ = c.req("GET", "/v5/boards?privacy=SECRET", token=tk)
    check(len(o["items"]) == 1, "privacy filter")
    s, _, o, _ = c.req("GET", "/v5/boards/%s/sections" % board, token=tk)
    check(s == 200 and [x["name"] for x in o["items"]] == ["Robes", "Sacs"] and
          o["bookmark"] is None, "sections")
    s, _, o, _ = c.req("GET", "/v5/boards/%s/sections?page_size=1" % board, token=tk)
    bm = o["bookmark"]
    s, _, o2, _ = c.req("GET", "/v5/boards/%s/sections?page_size=1&%s"
                        % (board, urlencode({"bookmark": bm})), token=tk)
    check(len(o["items"]) == 1 and o2["items"][0]["name"] == "Sacs" and
          o2["bookmark"] is None, "sections pagination")
    s, _, o, _ = c.req("GET", "/v5/boards/%s/sections" % other_board, token=tk)
    check(s == 404 and o == {"code": 404, "message": "Board not found."},
          "other user's board sections 404")
    s, _, o, _ = c.req("GET", "/v5/boards/abc/sections", token=tk)
    check(s == 400 and o["code"] == 1, "non-digit board id 400")

    s, big = c.ctl("POST", "users", {"username": "bigco", "board_count": 600})
    check(len(big["boards"]) == 600 and big["boards"][599]["name"] == "Board 600",
          "many mode")
    s, bt = c.ctl("POST", "tokens", {"username": "bigco"})
    btk = bt["access_token"]
    seen, pages, bm = [], 0, None
    while True:
        path = "/v5/boards?page_size=250" + ("&" + urlencode({"bookmark": bm}) if bm else "")
        s, _, o, _ = c.req("GET", path, token=btk)
        check(s == 200, "boards page")
        pages += 1
        seen += [b["id"] for b in o["items"]]
        bm = o["bookmark"]
        if bm is None or pages > 5:
            break
    check(pages == 3 and len(seen) == 600 and len(set(seen)) == 600 and
          seen == sorted(seen, key=int), "600 boards in 3 pages (%d, %d)" % (pages, len(seen)))
    s, _, o, _ = c.req("GET", "/v5/boards", token=btk)
    check(len(o["items"]) == 25 and o["bookmark"], "default page size 25")
    bm25 = o["bookmark"]
    for bad in ("0", "251", "abc", "-1", ""):
        s, _, o, _ = c.req("GET", "/v5/boards?page_size=" + bad, token=btk)
        check(s == 400 and o["code"] == 1, "page_size=%r -> 400" % bad)
    s, _, o, _ = c.req("GET", "/v5/boards?bookmark=garbage!!", token=btk)
    check(s == 400 and o["code"] == 1, "bad bookmark 400")
    s, _, o, _ = c.req("GET", "/v5/boards?" + urlencode({"bookmark": bm25}), token=tk)
    check(s == 400, "bookmark from another user's listing 400")
    s, _, o, _ = c.req("GET", "/v5/boards?page_size=250&" + urlencode({"bookmark": bm25}),
                       token=btk)
    check(s == 200 and o["items"][0]["name"] == "Board 26", "bookmark resumes")

    # ---- pins -------------------------------------------------------------
    img = {"source_type": "image_url", "url": "https://example.com/a.jpg"}
    pin_req = {"board_id": board, "title": "Robe d'été", "description": "Légère",
               "link": "https://maison-elise.example/robe", "alt_text": "A dress",
               "media_source": img}
    s, r, p1, _ = c.req("POST", "/v5/pins", js=pin_req, token=tk)
    check(s == 201 and p1["id"].isdigit() and p1["board_id"] == board and
          p1["title"] == "Robe d'été" and p1["link"] == pin_req["link"] and
          p1["board_owner"] == {"username": "maison_elise"} and
          p1["media"]["media_type"] == "image" and
          p1["media"]["images"]["150x150"]["width"] == 150 and
          p1["created_at"][:2] == "20" and p1["board_section_id"] is None,
          "create pin: %r" % p1)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    s, _, p2, _ = c.req("POST", "/v5/pins", token=tk, js={
        "board_id": board, "board_section_id": section, "media_source": {
            "source_type": "image_base64", "content_type": "image/png", "data": png}})
    check(s == 201 and p2["board_section_id"] == section, "create pin base64 in section")
    s, _, p3, _ = c.req("POST", "/v5/pins", token=tk, js={
        "board_id": board, "title": "é" * 100, "media_source": {
            "source_type": "multiple_image_urls",
            "items": [{"url": "https://example.com/1.jpg"},
                      {"url": "https://example.com/2.jpg", "title": "two"}]}})
    check(s == 201 and p3["media"]["media_type"] == "multiple_images" and
          len(p3["media"]["items"]) == 2 and p3["creative_type"] == "CAROUSEL",
          "create carousel pin, 100 non-ASCII chars title ok")
    s, _, o, _ = c.req("GET", "/v5/pins/" + p1["id"], token=tk)
    check(s == 200 and o["id"] == p1["id"], "get pin")
    s, _, o, _ = c.req("GET", "/v5/pins/" + p1["id"], token=ntk)
    check(s == 404 and o == {"code": 50, "message": "Pin not found."},
          "other user's pin 404")
    s, _, o, _ = c.req("GET", "/v5/boards/%s/pins" % board, token=tk)
    check(s == 200 and [x["id"] for x in o["items"]] == [p3["id"], p2["id"], p1["id"]],
          "board pins newest first")
    s, _, o, _ = c.req("GET", "/v5/boards/%s/pins?page_size=2" % board, token=tk)
    s, _, o2, _ = c.req("GET", "/v5/boards/%s/pins?page_size=2&%s"
                        % (board, urlencode({"bookmark": o["bookmark"]})), token=tk)
    check([x["id"] for x in o["items"] + o2["items"]] == [p3["id"], p2["id"], p1["id"]]
          and o2["bookmark"] is None, "board pins pagination")
    s, _, o, _ = c.req("GET", "/v5/boards/%s" % board, token=tk)
    check(s == 200 and o["pin_count"] == 3, "board pin_count")
    s, _, o, _ = c.req("GET", "/v5/user_account", token=tk)
    check(o["pin_count"] == 3, "user pin_count")

    # validation
    def bad_pin(body, status, code, words, what, ctype=None, raw=None):
        h = {"Content-Type": ctype} if ctype else None
        if raw is not None:
            s, _, o, _ = c.req("POST", "/v5/pins", body=raw, token=tk,
                               headers=h or {"Content-Type": "application/json"})
        else:
            s, _, o, _ = c.req("POST", "/v5/pins", js=body, token=tk, headers=h)
        ok = s == status and o and o.get("code") == code and \
            all(w in o["message"] for w in words)
        check(ok, "%s -> %s %r" % (what, s, o))

    base = {"board_id": board, "media_source": img}
    bad_pin(dict(base, title="x" * 101), 400, 1, ["title"], "title 101")
    bad_pin(dict(base, title="😀" * 101), 400, 1, ["title"], "title 101 emoji")
    s, _, o, _ = c.req("POST", "/v5/pins", js=dict(base, title="😀" * 100), token=tk)
    check(s == 201, "title of 100 emoji (200 UTF-16 units) accepted")
    bad_pin(dict(base, description="d" * 801), 400, 1, ["description"], "desc 801")
    bad_pin(dict(base, alt_text="a" * 501), 400, 1, ["alt_text"], "alt 501")
    bad_pin(dict(base, link="https://e.example/" + "l" * 2031), 400, 1, ["link"],
            "link 2049")
    bad_pin(dict(base, link="javascript:alert(1)"), 400, 1, ["URL"], "bad link")
    bad_pin({"board_id": board}, 400, 1, ["media_source"], "no media_source")
    bad_pin({"media_source": img}, 400, 1, ["board_id"], "no board_id")
    bad_pin(dict(base, board_id="12a"), 400, 1, ["board_id"], "board_id pattern")
    bad_pin(dict(base, board_id=int(board)), 400, 1, ["board_id"], "board_id number")
    bad_pin(dict(base, board_id="1"), 404, 40, ["Board not found"], "unknown board")
    bad_pin(dict(base, board_id=other_board), 403, 29, ["not permitted"],
            "other user's board")
    bad_pin(dict(base, board_section_id="1"), 404, 2031, ["board section"],
            "unknown section")
    bad_pin(dict(base, media_source={"source_type": "video_id", "media_id": "1"}),
            400, 1, ["video_id"], "video")
    bad_pin(dict(base, media_source={"source_type": "image_base64",
                                     "content_type": "image/gif", "data": png}),
            400, 1, ["content_type"], "gif")
    bad_pin(dict(base, media_source={"source_type": "image_base64",
                                     "content_type": "image/png", "data": "@@@"}),
            400, 1, ["data"], "bad base64 chars")
    bad_pin(dict(base, media_source={"source_type": "image_base64",
                                     "content_type": "image/png", "data": "abc"}),
            400, 1, ["base64"], "bad base64 padding")
    bad_pin(dict(base, media_source={"source_type": "multiple_image_urls",
                                     "items": [{"url": "https://e.example/1"}]}),
            400, 1, ["2 to 5"], "1 image")
    bad_pin(dict(base, media_source={"source_type": "multiple_image_urls",
                                     "items": [{"url": "https://e.example/1"}] * 6}),
            400, 1, ["2 to 5"], "6 images")
    bad_pin(dict(base, media_source={"source_type": "image_url"}), 400, 1, ["url"],
            "image_url without url")
    bad_pin(dict(base, media_source={"source_type": "nope"}), 400, 1, ["source_type"],
            "unknown source_type")
    bad_pin(None, 415, 1, ["Content-Type"], "form body", ctype="text/plain",
            raw=json.dumps(base))
    bad_pin(None, 400, 1, ["JSON"], "invalid JSON", raw="{nope")
    bad_pin(None, 400, 1, ["object"], "JSON array", raw="[]")

    s, o = c.ctl("GET", "pins")
    check(o["count"] == 4 and o["items"][0]["request"] == pin_req and
          o["items"][0]["username"] == "maison_elise", "control pins records requests")
    s, o = c.ctl("GET", "pins?board_id=" + board + "&username=maison_elise")
    check(o["count"] == 4, "control pins filter")
    s, _, o, _ = c.req("GET", "/_control/pins?" + urlencode({"link": pin_req["link"]}))
    check(o["count"] == 1, "control pins filter by link")

    s, r, o, data = c.req("DELETE", "/v5/pins/" + p2["id"], token=tk)
    check(s == 204 and data == b"" and r.getheader("Content-Length") is None,
          "delete pin 204")
    s, _, o, _ = c.req("GET", "/v5/pins/" + p2["id"], token=tk)
    check(s == 404 and o["code"] == 50, "deleted pin 404")
    s, _, o, _ = c.req("DELETE", "/v5/pins/" + p2["id"], token=tk)
    check(s == 404, "delete twice 404")
    s, o = c.ctl("GET", "pins?deleted=true")
    check(o["count"] == 1 and o["items"][0]["id"] == p2["id"], "deleted recorded")

    # ---- faults -----------------------------------------------------------
    s, o = c.ctl("POST", "faults", {"path": "/v5/user_account", "status": 503,
                                    "body": {"code": 4197, "message": "down"},
                                    "headers": {"Retry-After": "1"}, "count": 2})
    check(s == 200 and o["queued"] == 1, "queue fault")
    s, o = c.ctl("GET", "faults")
    check(len(o["items"]) == 1 and o["items"][0]["remaining"] == 2, "list faults")
    for i in range(2):
        s, r, o, _ = c.req("GET", "/v5/user_account", token=tk)
        check(s == 503 and o == {"code": 4197, "message": "down"} and
              r.getheader("Retry-After") == "1", "503 fault #%d" % i)
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 200, "fault consumed after count")
    c.ctl("POST", "faults", {"path": "/v5/*", "method": "POST", "status": 500})
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 200, "method filter skips GET")
    s, _, o, _ = c.req("POST", "/v5/pins", js=base, token=tk)
    check(s == 500 and o["code"] == 500, "prefix fault on POST, default body")
    s, o = c.ctl("GET", "pins")
    check(o["count"] == 4, "status fault does not create the pin")
    c.ctl("POST", "faults", {"path": "/v5/boards", "status": 502,
                             "body": "<html>bad gateway</html>",
                             "content_type": "text/html"})
    s, r, o, data = c.req("GET", "/v5/boards", token=tk)
    check(s == 502 and data == b"<html>bad gateway</html>" and
          r.getheader("Content-Type") == "text/html", "raw string body")
    c.ctl("POST", "faults", {"path": "/v5/boards", "status": 429})
    s, _, o, _ = c.req("GET", "/v5/boards", token=tk)
    check(s == 429 and o["code"] == 8, "429 fault default body")

    c.ctl("POST", "faults", {"path": "/v5/user_account", "delay_ms": 300})
    t0 = time.monotonic()
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    dt = time.monotonic() - t0
    check(s == 200 and dt >= 0.3, "delay %.2fs" % dt)
    c.ctl("POST", "faults", {"path": "/v5/user_account", "delay_ms": 200, "status": 504})
    t0 = time.monotonic()
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 504 and time.monotonic() - t0 >= 0.2, "delay + status")

    # close: no response at all
    c.ctl("POST", "faults", {"path": "/v5/user_account", "action": "close"})
    data = raw_exchange(port, raw_get(port, "/v5/user_account", tk, close=False))
    check(data == b"", "close: no bytes (%r)" % data[:50])
    c2 = Client(port)
    c.ctl("POST", "faults", {"path": "/v5/user_account", "action": "close"})
    try:
        c2.req("GET", "/v5/user_account", token=tk)
        check(False, "close: http.client should fail")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        check(True, "close")
    # close after processing: the pin exists though the client saw nothing
    c.ctl("POST", "faults", {"path": "/v5/pins", "method": "POST", "action": "close",
                             "process": True})
    c3 = Client(port)
    try:
        c3.req("POST", "/v5/pins", js=dict(base, title="lost answer"), token=tk)
        check(False, "close+process should fail")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        pass
    s, o = c.ctl("GET", "pins?title=lost+answer")
    check(o["count"] == 1, "close with process:true still creates the pin")

    # close_mid_body
    c.ctl("POST", "faults", {"path": "/v5/boards", "action": "close_mid_body"})
    data = raw_exchange(port, raw_get(port, "/v5/boards", tk, close=False))
    head, _, body = data.partition(b"\r\n\r\n")
    cl = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
          if l.lower().startswith(b"content-length")]
    check(head.startswith(b"HTTP/1.1 200") and cl and 0 < len(body) < cl[0] and
          b"x-pinterest-rid" in head, "close_mid_body (%d of %s)" % (len(body), cl))
    # malformed
    c.ctl("POST", "faults", {"path": "/v5/boards", "action": "malformed"})
    c.lenient = True
    s, r, o, data = c.req("GET", "/v5/boards", token=tk)
    try:
        json.loads(data)
        parsed = True
    except ValueError:
        parsed = False
    check(s == 200 and not parsed and r.getheader("Content-Type") == "application/json",
          "malformed")
    # truncated: Content-Length matches, JSON invalid, connection stays usable
    c.ctl("POST", "faults", {"path": "/v5/boards", "action": "truncated"})
    s, r, o, data = c.req("GET", "/v5/boards", token=tk)
    try:
        json.loads(data)
        parsed = True
    except ValueError:
        parsed = False
    check(s == 200 and not parsed and int(r.getheader("Content-Length")) == len(data)
          and data.startswith(b'{"items":['), "truncated")
    c.lenient = False
    s, _, _, _ = c.req("GET", "/v5/boards", token=tk)
    check(s == 200, "keep-alive after truncated")
    # expire_token
    s, et = c.ctl("POST", "tokens", {"username": "maison_elise"})
    c.ctl("POST", "faults", {"path": "/v5/user_account", "action": "expire_token"})
    s, _, o, _ = c.req("GET", "/v5/user_account", token=et["access_token"])
    check(s == 401 and o["code"] == 2, "expire_token fault answers 401")
    s, _, o, _ = c.req("GET", "/v5/user_account", token=et["access_token"])
    check(s == 401, "token stays expired")
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 200, "other tokens unaffected")
    # faults on the token endpoint and the authorize page
    c.ctl("POST", "faults", {"path": "/v5/oauth/token", "status": 503})
    s, _, _, _ = c.req("POST", tok, form={"grant_type": "refresh_token",
                                           "refresh_token": "x"}, basic=(CID, SECRET))
    check(s == 503, "fault on token endpoint")
    c.ctl("POST", "faults", [{"path": "/oauth/", "status": 500},
                             {"path": "/v5/boards", "status": 503}])
    s, _, _, _ = authz()
    check(s == 500, "fault on authorize page, array of faults")
    s, o = c.ctl("GET", "faults")
    check(len(o["items"]) == 1, "one pending")
    s, o = c.ctl("DELETE", "faults")
    s, o = c.ctl("GET", "faults")
    check(o["items"] == [], "faults cleared")
    s, o = c.ctl("POST", "faults", {"path": "/v5/x", "action": "explode"})
    check(s == 400, "bad fault rejected")
    s, o = c.ctl("POST", "faults", {"path": "/_control/state", "status": 500})
    check(s == 400, "control API cannot be faulted")

    # ---- rate limit ---------------------------------------------------------
    c.ctl("POST", "rate_limit", {"per_second": 5.0})
    codes = [c.req("GET", "/v5/user_account", token=tk)[0] for _ in range(8)]
    check(codes[:5] == [200] * 5 and 429 in codes[5:], "rate limit %r" % codes)
    s, _, o, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 429 and o["code"] == 8 and "rate limit" in o["message"], "429 body")
    s, _, _, _ = c.req("GET", "/v5/user_account", token=ntk)
    check(s == 200, "rate limit is per user")
    time.sleep(0.25)
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 200, "bucket refills")
    c.ctl("POST", "rate_limit", {"per_second": 1, "spam": True})
    c.req("GET", "/v5/user_account", token=tk)
    s, _, o, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 429 and "spam" in o["message"], "spam 429")
    c.ctl("POST", "rate_limit", {"per_second": None})
    codes = [c.req("GET", "/v5/user_account", token=tk)[0] for _ in range(10)]
    check(codes == [200] * 10, "rate limit off")

    # ---- scopes (opt-in) ----------------------------------------------------
    c.ctl("POST", "app", {"enforce_scopes": True})
    s, rt = c.ctl("POST", "tokens", {"username": "maison_elise",
                                     "scope": "boards:read,pins:read"})
    s, _, o, _ = c.req("GET", "/v5/user_account", token=rt["access_token"])
    check(s == 401 and o["code"] == 3, "missing scope -> 401 code 3")
    s, _, o, _ = c.req("GET", "/v5/boards", token=rt["access_token"])
    check(s == 200 and all(b["privacy"] != "SECRET" for b in o["items"]),
          "secret boards hidden without boards:read_secret")
    c.ctl("POST", "app", {"enforce_scopes": False})

    # ---- requests log -------------------------------------------------------
    s, o = c.ctl("GET", "requests?path=/v5/oauth/token")
    forms = [x["body_form"] for x in o["items"] if x["body_form"]]
    check(forms and all(f.get("code", "<redacted>") == "<redacted>" and
                        f.get("refresh_token", "<redacted>") == "<redacted>"
                        for f in forms), "form values redacted")
    check(all(x["path"] == "/v5/oauth/token" for x in o["items"]) and
          any(x["authorization"] == "basic" for x in o["items"]) and
          any(x["authorization"] is None for x in o["items"]) and
          any(x["status"] == 401 for x in o["items"]), "requests log fields")
    s, o = c.ctl("GET", "requests?path=/v5/pins")
    check(any(x["body_json"] == pin_req and x["authorization"] == "bearer" and
              x["status"] == 201 and x["content_type"] == "application/json"
              for x in o["items"]), "pin request logged with JSON")
    check(any(x.get("fault") == "close" and x["status"] is None for x in o["items"]),
          "closed request logged")
    s, o = c.ctl("GET", "requests?path=/v5/boards")
    check(any("page_size=250" in x["query"] and
              x["query_params"].get("page_size") == "250" for x in o["items"]),
          "query string and params logged")
    s, o = c.ctl("GET", "requests?path=/v5/*")
    check(o["count"] > 50, "prefix filter")
    s, o = c.ctl("GET", "requests")
    check(not any(x["path"].startswith("/_control") for x in o["items"]),
          "control requests not logged")
    c.ctl("DELETE", "requests")
    s, o = c.ctl("GET", "requests")
    check(o["items"] == [], "requests cleared")

    # ---- state ----------------------------------------------------------------
    s, o = c.ctl("GET", "state")
    check(s == 200 and {u["username"] for u in o["users"]} ==
          {"maison_elise", "northwind", "bigco"} and o["pins"]["created"] == 5 and
          o["tokens"]["refreshed"] == 4 and o["tokens"]["codes_redeemed"] == 1,
          "state %r" % {k: o[k] for k in ("pins", "tokens")})

    # ---- keep-alive and Connection: close --------------------------------------
    data = raw_exchange(port, raw_get(port, "/v5/user_account", tk, close=False) +
                        raw_get(port, "/v5/boards", tk, close=True))
    check(data.count(b"HTTP/1.1 200 OK") == 2 and b"Connection: close" in data,
          "pipelined keep-alive then Connection: close")
    data = raw_exchange(port, ("GET /v5/user_account HTTP/1.0\r\nAuthorization: "
                               "Bearer %s\r\n\r\n" % tk).encode())
    check(data.startswith(b"HTTP/1.1 200") and b"Connection: close" in data, "HTTP/1.0")
    # chunked request body and Expect: 100-continue
    body = json.dumps(dict(base, title="chunked")).encode()
    chunked = ("POST /v5/pins HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
               "Connection: close\r\n\r\n" % tk).encode()
    chunked += b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
        10, body[:10], len(body) - 10, body[10:])
    data = raw_exchange(port, chunked)
    check(data.startswith(b"HTTP/1.1 201"), "chunked body: %r" % data[:40])
    sk = socket.create_connection(("127.0.0.1", port), timeout=5)
    sk.sendall(("POST /v5/pins HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\n"
                "Expect: 100-continue\r\nConnection: close\r\n\r\n"
                % (tk, len(body))).encode())
    first = sk.recv(100)
    sk.sendall(body)
    rest = b""
    while True:
        d = sk.recv(65536)
        if not d:
            break
        rest += d
    sk.close()
    check(first.startswith(b"HTTP/1.1 100") and b"HTTP/1.1 201" in first + rest,
          "Expect: 100-continue")
    data = raw_exchange(port, b"NONSENSE\r\n\r\n")
    check(data.startswith(b"HTTP/1.1 400") and b"x-pinterest-rid" in data,
          "malformed request line")
    data = raw_exchange(port, b"GET / HTTP/2.0\r\n\r\n")
    check(data.startswith(b"HTTP/1.1 505"), "HTTP/2.0 refused")
    c.ctl("POST", "approver", {"username": None})

    # concurrent clients: no lost or duplicated pins
    import threading
    c.ctl("DELETE", "requests")
    ids, errors = [], []

    def worker():
        w = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        for i in range(100):
            w.request("POST", "/v5/pins", body=json.dumps(dict(base, title="conc")),
                      headers={"Authorization": "Bearer " + tk,
                               "Content-Type": "application/json"})
            r = w.getresponse()
            d = r.read()
            if r.status != 201:
                errors.append(r.status)
            else:
                ids.append(json.loads(d)["id"])
    ths = [threading.Thread(target=worker) for _ in range(8)]
    t0 = time.monotonic()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    dt = time.monotonic() - t0
    s, o = c.ctl("GET", "pins?title=conc")
    check(not errors and len(ids) == 800 and len(set(ids)) == 800 and o["count"] == 800,
          "8 concurrent clients x 100 pins (%d errors)" % len(errors))
    print("concurrent: 8 keep-alive clients, 800 POST /v5/pins in %.2f s (%.0f req/s)"
          % (dt, 800 / dt))
    s, o = c.ctl("GET", "requests")
    check(o["count"] == 800, "requests log under concurrency")

    # ---- reset ----------------------------------------------------------------
    c.ctl("POST", "faults", {"path": "/v5/boards", "status": 503})
    c.ctl("POST", "rate_limit", {"per_second": 1})
    c.ctl("POST", "reset")
    s, o = c.ctl("GET", "state")
    check(o["users"] == [] and o["faults_pending"] == 0 and o["rate_limit"] is None and
          o["approver"] is None and o["pins"]["created"] == 0, "reset clears")
    s, _, _, _ = c.req("GET", "/v5/user_account", token=tk)
    check(s == 401, "tokens gone after reset")

    bench(port)


def bench(port):
    c = Client(port)
    c.ctl("POST", "reset")
    s, u = c.ctl("POST", "users", {"username": "bench", "board_count": 30})
    s, t = c.ctl("POST", "tokens", {"username": "bench"})
    tk = t["access_token"]
    board = u["boards"][0]["id"]
    h = {"Authorization": "Bearer " + tk}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for name, method, path, body, hh in (
            ("GET /v5/user_account", "GET", "/v5/user_account", None, h),
            ("GET /v5/boards (25 items)", "GET", "/v5/boards", None, h),
            ("POST /v5/pins", "POST", "/v5/pins", json.dumps(
                {"board_id": board, "title": "t", "link": "https://e.example/",
                 "media_source": {"source_type": "image_url",
                                  "url": "https://e.example/i.jpg"}}).encode(),
             dict(h, **{"Content-Type": "application/json"}))):
        n = 3000
        t0 = time.perf_counter()
        for _ in range(n):
            conn.request(method, path, body=body, headers=hh)
            r = conn.getresponse()
            r.read()
            if r.status >= 300:
                check(False, "bench status %d" % r.status)
                break
        dt = time.perf_counter() - t0
        print("throughput %-26s %6.0f req/s (%d requests, one keep-alive client)"
              % (name, n / dt, n))
    s, o = c.ctl("GET", "pins")
    check(o["count"] == 3000, "3000 pins recorded")
    c.ctl("POST", "reset")


if __name__ == "__main__":
    main()
