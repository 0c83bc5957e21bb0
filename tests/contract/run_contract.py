#!/usr/bin/env python3
"""Contract scenario: drive a platform (ri-sandbox) through a realistic session and check every
response against the examples in tests/contract/examples/ (written from
shared/reference/rescale-platform-api.md, never from the sandbox's code).

Environment:
  RI_SANDBOX_URL            base URL, e.g. http://127.0.0.1:8123
  RI_SANDBOX_KEY            API key of a user
  RI_SANDBOX_KEY_2          API key of a second user, who owns nothing of the first
  RI_SANDBOX_ADMIN_TOKEN    optional: sent as Authorization: Token ... on /_sandbox/ calls
  RI_SANDBOX_S3_ENDPOINT    optional: the S3 endpoint for direct uploads (else RI_S3_ENDPOINT,
                            else defaultStorage.connectionSettings.endpoint/endpointUrl)
  RI_CONTRACT_TIMEOUT       seconds to wait for a job to complete (default 120)
  RI_CONTRACT_VERBOSE=1     print every call

Exit 0 when every call fits its example and every semantic check holds; 1 otherwise, after
printing each failure as: endpoint, JSON path, expected vs got.
"""

import base64
import hashlib
import io
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402

EXAMPLES, DEFS = shapes.load_examples()
VERBOSE = os.environ.get("RI_CONTRACT_VERBOSE") == "1"
SUCCESS_SEQUENCE = ["Pending", "Queued", "Started", "Validated", "Executing", "Completed"]
TERMINAL = {"Completed", "Failed", "Stopped", "Force Stopped", "Terminated"}
RUNNING = {"Started", "Validated", "Executing"}


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self._json = None

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.body.decode("utf-8")) if self.body else None
        return self._json

    def text(self, limit=300):
        t = self.body.decode("utf-8", "replace")
        return t if len(t) <= limit else t[:limit] + "..."


class Abort(Exception):
    """A step cannot go on (its prerequisite failed); the failure is already recorded."""


def rand_alnum(n):
    return "".join(random.choice(string.ascii_letters + string.digits) for _ in range(n))


class Contract:
    def __init__(self, base, key1, key2):
        self.base = base.rstrip("/")
        self.origin = urllib.parse.urlsplit(self.base)
        self.key1, self.key2 = key1, key2
        self.failures = []
        self.notes = []
        self.calls = 0
        self.checked = set()
        self.tag = rand_alnum(6)

    # ---- reporting -------------------------------------------------------------------------

    def fail(self, endpoint, path, expected, got):
        line = "FAIL %s: %s: expected %s, got %s" % (endpoint, path, expected, got)
        self.failures.append(line)
        print(line, flush=True)

    def expect(self, cond, endpoint, path, expected, got):
        if not cond:
            self.fail(endpoint, path, expected, got)
        return cond

    def note(self, text):
        self.notes.append(text)
        print("NOTE " + text, flush=True)

    # ---- HTTP ------------------------------------------------------------------------------

    def request(self, method, path, key="1", body=None, data=None, headers=None, retry_429=True):
        url = path if path.startswith("http") else self.base + path
        h = {"Accept": "application/json"}
        if key is not None:
            k = {"1": self.key1, "2": self.key2}.get(key, key)
            h["Authorization"] = ("Bearer " if k.count(".") == 2 and k.startswith("ey") else "Token ") + k
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in range(10):
            req = urllib.request.Request(url, data=data, method=method, headers=h)
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    resp = Resp(r.status, r.headers, r.read())
            except urllib.error.HTTPError as e:
                resp = Resp(e.code, e.headers, e.read())
            self.calls += 1
            if VERBOSE:
                print("  %s %s -> %d" % (method, url, resp.status), flush=True)
            if resp.status == 429 and retry_429 and attempt < 9:
                wait = resp.headers.get("Retry-After", "1")
                time.sleep(min(float(wait) if wait.isdigit() else 2.0, 30.0))
                continue
            return resp
        return resp

    def call(self, example, path, key="1", body=None, data=None, headers=None, status=None, retry_429=True):
        """One call checked against tests/contract/examples/EXAMPLE.json: status and shape."""
        ex = EXAMPLES[example]
        endpoint = "%s %s [%s]" % (ex["method"], path.split("?")[0], example)
        resp = self.request(ex["method"], path, key, body, data, headers, retry_429)
        self.checked.add(example)
        want = status if status is not None else ex["status"]
        if not shapes.status_ok(resp.status, want):
            self.fail(endpoint, "HTTP status", "%s" % want, "%d %s" % (resp.status, resp.text()))
            resp.ok = False
            return resp
        # ok: the status is one the example accepts and the body is usable, so the scenario can go
        # on; fits: the body has the documented shape (a misfit is already reported).
        resp.ok = resp.fits = True
        if ex.get("body") == "bytes" or resp.status == 204:
            return resp
        try:
            value = resp.json
        except ValueError:
            if ex["response"] != "any":
                self.fail(endpoint, "$", "a JSON body", "not JSON: %r" % resp.text())
                resp.ok = False
            return resp
        for m in shapes.check(value, ex["response"], DEFS):
            self.fail(endpoint, m.path, m.expected, m.got)
            resp.fits = False
        self.check_page_links(endpoint, value)
        for name, shape in ex.get("response_headers", {}).items():
            got = resp.headers.get(name)
            if got is None:
                self.fail(endpoint, "header " + name, "present", "absent")
                resp.ok = False
            else:
                for m in shapes.check(got, shape, DEFS, "header " + name):
                    self.fail(endpoint, m.path, m.expected, m.got)
                    resp.fits = False
        return resp

    def check_page_links(self, endpoint, value):
        """A page's next/previous are absolute URLs on the platform's own origin."""
        if not (isinstance(value, dict) and "results" in value and "count" in value):
            return
        for f in ("next", "previous"):
            u = value.get(f)
            if isinstance(u, str):
                p = urllib.parse.urlsplit(u)
                self.expect(p.scheme == self.origin.scheme and p.netloc == self.origin.netloc, endpoint, "$." + f,
                            "an absolute URL on %s://%s" % (self.origin.scheme, self.origin.netloc), u)

    def need(self, resp):
        """resp, when the scenario can use it: right status, and a JSON body when one is documented."""
        if not getattr(resp, "ok", False):
            raise Abort()
        return resp

    def all_pages(self, example, path, key="1", limit=60):
        """Follow absolute next links; return (first page, all results)."""
        first = self.need(self.call(example, path, key))
        page, items, n = first.json, list(first.json["results"]), 1
        while page.get("next") and n < limit:
            nxt = page["next"]
            resp = self.need(self.call(example, nxt, key))
            page = resp.json
            items += page["results"]
            n += 1
        return first.json, items

    # ---- helpers ---------------------------------------------------------------------------

    def multipart(self, filename, content, fields=None):
        boundary = "----ricontract" + rand_alnum(16)
        out = io.BytesIO()
        for k, v in (fields or {}).items():
            out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n" % (boundary, filename)).encode())
        out.write(content)
        out.write(("\r\n--%s--\r\n" % boundary).encode())
        return out.getvalue(), {"Content-Type": "multipart/form-data; boundary=" + boundary}

    def upload_v2(self, filename, content, key="1"):
        data, headers = self.multipart(filename, content, {"type_id": "1"})
        r = self.need(self.call("files_v2_upload", "/api/v2/files/contents/", key, data=data, headers=headers))
        f = r.json
        ep = "POST /api/v2/files/contents/"
        self.expect(f["name"] == filename, ep, "$.name", json.dumps(filename), json.dumps(f["name"]))
        self.expect(f["decryptedSize"] == len(content), ep, "$.decryptedSize", len(content), f["decryptedSize"])
        self.expect(f["isUploaded"] is True, ep, "$.isUploaded", "true", f["isUploaded"])
        return f

    def wait_status(self, job_id, want, timeout):
        """Poll v3 statuses until the newest is in want; return it (or None on timeout)."""
        deadline = time.time() + timeout
        newest = None
        first = True
        while time.time() < deadline:
            if first:  # shape-check the first poll fully; later polls only for their content
                r = self.call("jobs_statuses_v3", "/api/v3/jobs/%s/statuses/" % job_id)
                first = False
            else:
                r = self.request("GET", "/api/v3/jobs/%s/statuses/" % job_id)
            if r.status == 200 and r.json and r.json.get("results"):
                newest = r.json["results"][0].get("status")
                if newest in want:
                    return newest
            time.sleep(0.5)
        return None

    # ---- the scenario ----------------------------------------------------------------------

    def run(self):
        steps = [self.step_user, self.step_v2_files, self.step_v3_files, self.step_folders_trash,
                 self.step_direct_upload, self.step_catalog, self.step_jobs, self.step_job_rules,
                 self.step_errors, self.step_isolation, self.step_pagination, self.step_429]
        for step in steps:
            print("== %s" % step.__name__[5:], flush=True)
            try:
                step()
            except Abort:
                self.note("step %s stopped early: a call it needs failed (see above)" % step.__name__[5:])
            except Exception as e:  # a crash in the runner is a failure too, with where it happened
                self.fail(step.__name__, "-", "no exception", "%s: %s" % (type(e).__name__, e))
        unchecked = sorted(set(EXAMPLES) - self.checked)
        print("\n%d calls; %d examples exercised; %d failures" % (self.calls, len(self.checked), len(self.failures)))
        if unchecked:
            print("examples not exercised: " + ", ".join(unchecked))
        for n in self.notes:
            print("NOTE " + n)
        return 1 if self.failures else 0

    def step_user(self):
        me = self.need(self.call("users_me_v3", "/api/v3/users/me/")).json
        self.me = me
        st = me["defaultStorage"]
        self.storage = st
        self.folders = self.need(self.call("users_me_folders", "/api/v3/users/me/folders/")).json
        ex = "credentials_s3" if st["storageType"] == "S3Storage" else "credentials_azure"
        self.creds = self.need(self.call(ex, "/api/v3/credentials/", body=None, data=b"null",
                                         headers={"Content-Type": "application/json"})).json
        # No body at all is the same request (reference: "Body null (or none)").
        self.call(ex, "/api/v3/credentials/")
        self.me2 = self.need(self.call("users_me_v3", "/api/v3/users/me/", key="2")).json
        self.folders2 = self.need(self.call("users_me_folders", "/api/v3/users/me/folders/", key="2")).json
        self.expect(self.folders2["myLibrary"] != self.folders["myLibrary"], "GET /api/v3/users/me/folders/ (user 2)",
                    "$.myLibrary", "a folder other than user 1's", self.folders2["myLibrary"])

    def step_v2_files(self):
        text = "".join("contract line %d\n" % i for i in range(1, 31)).encode()
        f = self.upload_v2("contract-%s.txt" % self.tag, text)
        self.text_file = f
        fid = f["id"]
        self.call("files_v2_get", "/api/v2/files/%s/" % fid)
        r = self.call("files_v2_contents", "/api/v2/files/%s/contents/" % fid)
        if r.ok:
            self.expect(r.body == text, "GET /api/v2/files/{id}/contents/", "body", "the uploaded plaintext (%d bytes)" % len(text),
                        "%d bytes %r" % (len(r.body), r.body[:40]))
        r = self.call("files_v2_contents_range", "/api/v2/files/%s/contents/" % fid, headers={"Range": "bytes=0-9"})
        if r.ok:
            self.expect(r.body == text[:10], "GET /api/v2/files/{id}/contents/ Range: bytes=0-9", "body", repr(text[:10]), repr(r.body[:40]))
        r = self.call("files_v2_contents_range", "/api/v2/files/%s/contents/" % fid, headers={"Range": "bytes=15-"})
        if r.ok:
            self.expect(r.body == text[15:], "GET /api/v2/files/{id}/contents/ Range: bytes=15-", "body", "%d bytes" % len(text[15:]), "%d bytes" % len(r.body))
        # downloadUrl is absolute and serves the same bytes
        r = self.request("GET", f["downloadUrl"])
        self.expect(r.status == 200 and r.body == text, "GET downloadUrl", "body", "200 with the plaintext",
                    "%d, %d bytes" % (r.status, len(r.body)))
        r = self.call("files_v2_lines", "/api/v2/files/%s/lines/" % fid)
        if r.ok:
            self.expect(r.json["lines"] and r.json["lines"][0].rstrip("\n") == "contract line 1", "GET /api/v2/files/{id}/lines/",
                        "$.lines[0]", "'contract line 1'", json.dumps(r.json["lines"][:1]))
        self.call("files_v2_list", "/api/v2/files/")
        # PATCH, then DELETE a second file
        g = self.upload_v2("contract-%s-patch.txt" % self.tag, b"patch me\n")
        new = "contract-%s-renamed.txt" % self.tag
        if self.call("files_v2_patch", "/api/v2/files/%s/" % g["id"], body={"name": new}).ok:
            r = self.call("files_v2_get", "/api/v2/files/%s/" % g["id"])
            if r.ok:
                self.expect(r.json["name"] == new, "PATCH /api/v2/files/{id}/", "$.name (read back)", json.dumps(new), json.dumps(r.json["name"]))
        if self.call("files_v2_delete", "/api/v2/files/%s/" % g["id"]).ok:
            r = self.request("GET", "/api/v2/files/%s/" % g["id"])
            self.expect(r.status == 404, "GET /api/v2/files/{id}/ after DELETE", "HTTP status", 404, r.status)

    def step_v3_files(self):
        fid = self.text_file["id"]
        self.call("files_v3_get", "/api/v3/files/%s/" % fid)
        r = self.call("files_v3_list", "/api/v3/files/?page_size=25&ordering=-dateUploaded")
        if r.ok:
            dates = [x["dateUploaded"] for x in r.json["results"]]
            self.expect(dates == sorted(dates, reverse=True), "GET /api/v3/files/?ordering=-dateUploaded", "$.results[*].dateUploaded",
                        "newest first", dates[:5])
        self.call("files_v3_list", "/api/v3/files/?limit=5")
        tag = "contract-" + self.tag
        self.call("files_v3_tags_add", "/api/v3/files/%s/tags/" % fid, body={"name": tag})
        r = self.call("files_v3_tags", "/api/v3/files/%s/tags/" % fid)
        if r.ok:
            names = [t["name"] for t in r.json]
            self.expect(tag in names, "GET /api/v3/files/{id}/tags/", "$[*].name", "contains %s" % tag, names)
        self.call("files_v3_tags_remove", "/api/v3/files/%s/tags/" % fid, body={"name": tag})
        r = self.call("files_v3_tags", "/api/v3/files/%s/tags/" % fid)
        if r.ok:
            names = [t["name"] for t in r.json]
            self.expect(tag not in names, "DELETE /api/v3/files/{id}/tags/", "$[*].name (read back)", "without %s" % tag, names)
        # delete a v3 file
        g = self.upload_v2("contract-%s-del.txt" % self.tag, b"delete me\n")
        self.call("files_v3_delete", "/api/v3/files/%s/" % g["id"])

    def step_folders_trash(self):
        lib = self.folders["myLibrary"]
        fol = self.need(self.call("folders_create", "/api/v3/folders/%s/" % lib, body={"name": "contract-" + self.tag})).json["id"]
        self.folder = fol
        sub = self.need(self.call("folders_create", "/api/v3/folders/%s/" % fol, body={"name": "sub"})).json["id"]
        f = self.upload_v2("contract-%s-moved.txt" % self.tag, b"moved\n")
        self.need(self.call("files_v3_move", "/api/v3/files/%s/" % f["id"], body={"currentFolderId": fol}))
        r = self.need(self.call("folders_contents", "/api/v3/folders/%s/contents/?page_size=1000" % fol))
        got = {(x["type"], x["item"]["id"]) for x in r.json["results"]}
        self.expect(("file", f["id"]) in got and ("folder", sub) in got, "GET /api/v3/folders/{id}/contents/", "$.results",
                    "the moved file and the subfolder", sorted(got))
        self.expect(r.json["count"] == 2, "GET /api/v3/folders/{id}/contents/", "$.count", 2, r.json["count"])
        # archive: wrong parent -> 400; right parent -> trash
        self.call("folders_archive_wrong_parent", "/api/v3/folders/%s/contents/archive/" % lib,
                  body={"fileIds": [f["id"]], "folderIds": []})
        self.need(self.call("folders_archive", "/api/v3/folders/%s/contents/archive/" % fol,
                            body={"fileIds": [f["id"]], "folderIds": [sub]}))
        r = self.need(self.call("folders_contents", "/api/v3/folders/%s/contents/?page_size=1000" % fol))
        self.expect(r.json["count"] == 0, "POST /api/v3/folders/{id}/contents/archive/", "folder contents $.count", 0, r.json["count"])
        _, trash = self.all_pages("trash_list", "/api/v3/users/me/folders/trash-bin/")
        tf = [x["item"]["id"] for x in trash if x["type"] == "filesymlink" and x["item"]["name"] == f["name"]]
        td = [x["item"]["id"] for x in trash if x["type"] == "folder" and x["item"]["id"] == sub]
        if not self.expect(tf and td, "GET /api/v3/users/me/folders/trash-bin/", "$.results", "the archived file (filesymlink) and folder",
                           json.dumps(trash)[:300]):
            return
        self.need(self.call("trash_recover", "/api/v3/users/me/folders/trash-bin/recover/",
                            body={"filesymlink_ids": tf, "folderIds": td}))
        r = self.need(self.call("folders_contents", "/api/v3/folders/%s/contents/?page_size=1000" % fol))
        self.expect(r.json["count"] == 2, "POST .../trash-bin/recover/", "folder contents $.count", 2, r.json["count"])
        # all-or-nothing: recovering something not in the trash recovers nothing
        bad = self.request("POST", "/api/v3/users/me/folders/trash-bin/recover/",
                           body={"filesymlink_ids": tf, "folderIds": ["nonexistent" + self.tag]})
        self.expect(400 <= bad.status < 500, "POST .../trash-bin/recover/ (ids not in trash)", "HTTP status", "4xx (all-or-nothing)",
                    bad.status)
        self.need(self.call("folders_archive", "/api/v3/folders/%s/contents/archive/" % fol,
                            body={"fileIds": [f["id"]], "folderIds": [sub]}))
        _, trash = self.all_pages("trash_list", "/api/v3/users/me/folders/trash-bin/")
        tf = [x["item"]["id"] for x in trash if x["type"] == "filesymlink" and x["item"]["name"] == f["name"]]
        self.need(self.call("trash_delete", "/api/v3/users/me/folders/trash-bin/delete/",
                            body={"filesymlink_ids": tf, "folderIds": [sub]}))
        _, trash = self.all_pages("trash_list", "/api/v3/users/me/folders/trash-bin/")
        left = [x for x in trash if x["item"]["id"] in tf + [sub]]
        self.expect(not left, "POST .../trash-bin/delete/", "trash-bin $.results", "without the deleted items", left)
        d = self.need(self.call("folders_create", "/api/v3/folders/%s/" % lib, body={"name": "contract-del-" + self.tag})).json["id"]
        self.call("folders_delete", "/api/v3/folders/%s/" % d)

    def step_direct_upload(self):
        st, creds = self.storage, self.creds
        if st["storageType"] != "S3Storage":
            self.note("default storage is %s: the v3 direct upload is checked only for S3" % st["storageType"])
            return
        cs = st["connectionSettings"]
        endpoint = (os.environ.get("RI_SANDBOX_S3_ENDPOINT") or os.environ.get("RI_S3_ENDPOINT")
                    or cs.get("endpoint") or cs.get("endpointUrl"))
        aws = shutil.which("aws")
        if not aws or not endpoint or not shutil.which("openssl"):
            self.note("v3 direct upload skipped: needs aws cli, openssl and an S3 endpoint (aws=%s endpoint=%s)" % (aws, endpoint))
            return
        plain = ("direct upload %s\n" % self.tag).encode() * 100
        key, iv = os.urandom(32), os.urandom(16)
        cipher = subprocess.run(["openssl", "enc", "-aes-256-cbc", "-K", key.hex(), "-iv", iv.hex()], input=plain,
                                capture_output=True, check=True).stdout
        assert len(cipher) == len(plain) + 16 - len(plain) % 16
        name = "contract-%s-direct.txt" % self.tag
        obj = "%s/%s-%s" % (cs["pathBase"].rstrip("/"), name, rand_alnum(22))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["accessKey"], AWS_SECRET_ACCESS_KEY=creds["secretKey"],
                   AWS_REGION=cs.get("region") or "us-east-1", AWS_DEFAULT_REGION=cs.get("region") or "us-east-1")
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        if creds.get("sessionToken"):
            env["AWS_SESSION_TOKEN"] = creds["sessionToken"]
        with tempfile.NamedTemporaryFile() as tf:
            tf.write(cipher)
            tf.flush()
            p = subprocess.run([aws, "--endpoint-url", endpoint, "s3api", "put-object", "--bucket", cs["container"], "--key", obj,
                                "--body", tf.name, "--metadata", "iv=" + base64.b64encode(iv).decode()],
                               env=env, capture_output=True, text=True)
        if not self.expect(p.returncode == 0, "S3 PUT with the credentials of POST /api/v3/credentials/", "aws s3api put-object",
                           "success", p.stderr.strip()[-300:]):
            return
        body = {"typeId": 1, "name": name, "currentFolderId": self.folders["myLibrary"],
                "encodedEncryptionKey": base64.b64encode(key).decode(),
                "pathParts": {"container": cs["container"], "path": obj},
                "storage": {"id": st["id"], "storageType": "S3Storage", "encryptionType": "default", "connectionSettings": {}},
                "isUploaded": True, "decryptedSize": len(plain),
                "fileChecksums": [{"hashFunction": "sha512", "fileHash": hashlib.sha512(plain).hexdigest()}]}
        r = self.need(self.call("files_v3_register", "/api/v3/files/", body=body))
        f = r.json
        ep = "POST /api/v3/files/"
        self.expect(f["name"] == name, ep, "$.name", name, f["name"])
        self.expect(f["decryptedSize"] == len(plain), ep, "$.decryptedSize", len(plain), f["decryptedSize"])
        self.expect(f["pathParts"] == body["pathParts"], ep, "$.pathParts", body["pathParts"], f["pathParts"])
        self.expect(f["encodedEncryptionKey"] == body["encodedEncryptionKey"], ep, "$.encodedEncryptionKey", "the key sent", "another")
        self.call("files_v3_get", "/api/v3/files/%s/" % f["id"])
        r = self.call("files_v2_contents", "/api/v2/files/%s/contents/" % f["id"])
        if r.ok:
            self.expect(r.body == plain, "GET /api/v2/files/{id}/contents/ of a v3-registered file", "body",
                        "the plaintext (server decrypts with metadata iv)", "%d bytes" % len(r.body))
        self.call("credentials_s3_file", "/api/v3/credentials/",
                  body={"storage": {"id": st["id"], "storageType": "S3Storage"},
                        "paths": [{"pathParts": {"container": cs["container"], "path": obj}}]})
        missing = dict(body, name="contract-%s-missing.txt" % self.tag,
                       pathParts={"container": cs["container"], "path": "%s/never-uploaded-%s" % (cs["pathBase"].rstrip("/"), rand_alnum(22))})
        self.call("files_v3_register_missing", "/api/v3/files/", body=missing)
        wrong_size = dict(body, name="contract-%s-wrongsize.txt" % self.tag, decryptedSize=len(plain) + 1000)
        r = self.request("POST", "/api/v3/files/", body=wrong_size)
        self.expect(400 <= r.status < 500, "POST /api/v3/files/ (decryptedSize disagrees with the object)", "HTTP status",
                    "4xx (issue 4: sizes must agree)", "%d %s" % (r.status, r.text(120)))

    def step_catalog(self):
        _, cts = self.all_pages("coretypes_v3", "/api/v3/coretypes/?isActive=true")
        self.all_pages("coretypes_v2", "/api/v2/coretypes/")
        _, ans = self.all_pages("analyses_v3", "/api/v3/analyses/")
        self.all_pages("analyses_v2", "/api/v2/analyses/")
        self.expect(all(c.get("isActive") is True for c in cts), "GET /api/v3/coretypes/?isActive=true", "$.results[*].isActive",
                    "all true", [c.get("code") for c in cts if c.get("isActive") is not True])
        if not (cts and ans):
            self.fail("catalog", "$.results", "core types and analyses", "%d core types, %d analyses" % (len(cts), len(ans)))
            raise Abort()
        an = next((a for a in ans if a["code"] == "user_included"), ans[0])
        ver = an["versions"][0]
        by_code = {c["code"]: c for c in cts}
        ct = next((by_code[c] for c in ver["allowedCoreTypes"] if c in by_code), cts[0])
        self.job_params = {"analysis": an["code"], "version": ver["versionCode"], "coreType": ct["code"],
                           "coresPerSlot": 4 if 4 in ct["cores"] else ct["cores"][0]}
        print("   job uses analysis %(analysis)s %(version)s on %(coreType)s x %(coresPerSlot)d" % self.job_params)

    def job_body(self, name, command, v2=False, input_id=None):
        p = self.job_params
        body = {"name": name, "isLowPriority": False, "tags": ["a", "b"],
                "jobanalyses": [{"command": command, "analysis": {"code": p["analysis"], "version": p["version"]},
                                 "hardware": {"coreType": p["coreType"] if v2 else {"code": p["coreType"]},
                                              "coresPerSlot": p["coresPerSlot"], "slots": 1, "walltime": 48},
                                 "inputFiles": [{"id": input_id or self.input_id, "decompress": True}], "envVars": {"K": "V"},
                                 "useRescaleLicense": False, "onDemandLicenseSeller": None, "userDefinedLicenseSettings": None}]}
        return body

    def make_input(self):
        script = (b"#!/bin/sh\necho \"contract run K=$K\"\nfor i in 1 2 3; do echo \"step $i\"; done\n"
                  b"echo result > result.txt\n")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for n, data, mode in (("run.sh", script, 0o755), ("data.txt", b"input data\n", 0o644)):
                ti = tarfile.TarInfo(n)
                ti.size, ti.mode, ti.mtime = len(data), mode, int(time.time())
                t.addfile(ti, io.BytesIO(data))
        return buf.getvalue()

    def step_jobs(self):
        if not hasattr(self, "job_params"):
            raise Abort()
        self.input_id = self.upload_v2("contract-%s-input.tar.gz" % self.tag, self.make_input())["id"]
        name = "contract-%s-v3" % self.tag
        r = self.need(self.call("jobs_create_v3", "/api/v3/jobs/", body=self.job_body(name, "./run.sh")))
        job = self.job1 = r.json["id"]
        self.expect(r.json["name"] == name, "POST /api/v3/jobs/", "$.name", name, r.json["name"])
        r = self.call("jobs_get_v3", "/api/v3/jobs/%s/" % job)
        r2 = self.need(self.call("jobs_create_v2", "/api/v2/jobs/", body=self.job_body("contract-%s-v2" % self.tag, "./run.sh", v2=True)))
        self.job2 = r2.json["id"]
        self.call("jobs_get_v2", "/api/v2/jobs/%s/" % self.job2)
        self.call("jobs_get_v2", "/api/v2/jobs/%s/" % job)
        auto = self.job_body("contract-%s-auto" % self.tag, "./run.sh")
        auto["jobAutomations"] = [{"automation": {"id": "contract-" + self.tag}}]
        self.call("jobs_create_automation_without_env", "/api/v3/jobs/", body=auto)
        self.need(self.call("jobs_submit", "/api/v2/jobs/%s/submit/" % job))
        timeout = float(os.environ.get("RI_CONTRACT_TIMEOUT", "120"))
        final = self.wait_status(job, TERMINAL, timeout)
        if not self.expect(final == "Completed", "GET /api/v3/jobs/{id}/statuses/", "$.results[0].status",
                           "Completed within %d s" % timeout, final):
            raise Abort()
        for ex, ver in (("jobs_statuses_v3", "v3"), ("jobs_statuses_v2", "v2")):
            r = self.need(self.call(ex, "/api/%s/jobs/%s/statuses/" % (ver, job)))
            items = r.json["results"]
            ep = "GET /api/%s/jobs/{id}/statuses/" % ver
            dates = [i["statusDate"] for i in items]
            self.expect(dates == sorted(dates, reverse=True), ep, "$.results[*].statusDate", "newest first", dates)
            seq = [i["status"] for i in reversed(items)]
            it = iter(seq)
            self.expect(all(s in it for s in SUCCESS_SEQUENCE), ep, "$.results[*].status (oldest first)",
                        " -> ".join(SUCCESS_SEQUENCE), " -> ".join(seq))
            self.expect(r.json["count"] == len(items), ep, "$.count", len(items), r.json["count"])
        r = self.need(self.call("jobs_list_v3", "/api/v3/jobs/?ordering=-dateInserted"))
        items = {j["id"]: j for j in r.json["results"]}
        dates = [j["dateInserted"] for j in r.json["results"]]
        self.expect(dates == sorted(dates, reverse=True), "GET /api/v3/jobs/?ordering=-dateInserted", "$.results[*].dateInserted",
                    "newest first", dates[:6])
        if self.expect(job in items, "GET /api/v3/jobs/", "$.results", "contains job %s" % job, list(items)[:6]):
            self.expect(items[job]["jobStatus"]["content"] == "Completed", "GET /api/v3/jobs/", "$.results[%s].jobStatus.content" % job,
                        "Completed", items[job]["jobStatus"])
        r = self.need(self.call("jobs_list_v2", "/api/v2/jobs/"))
        for q, inside, outside in (("state=completed", job, self.job2), ("state=not_completed", self.job2, job),
                                   ("job_status=COMPLETED", job, self.job2)):
            _, items = self.all_pages("jobs_list_v2", "/api/v2/jobs/?%s&page_size=100" % q)
            ids = [j["id"] for j in items]
            self.expect(inside in ids and outside not in ids, "GET /api/v2/jobs/?%s" % q, "$.results[*].id",
                        "contains %s, not %s" % (inside, outside), ids[:10])
            if q == "state=completed":
                self.expect(all(j["jobStatus"]["content"] == "Completed" for j in items), "GET /api/v2/jobs/?state=completed",
                            "$.results[*].jobStatus.content", "all Completed", [j["jobStatus"]["content"] for j in items][:10])
        # outputs
        _, outs = self.all_pages("jobs_files_v2", "/api/v2/jobs/%s/files/?search=&page=1&page_size=25" % job)
        if self.expect(outs, "GET /api/v2/jobs/{id}/files/", "$.results", "at least one output file", "none"):
            o = next((x for x in outs if x["name"] == "result.txt"), outs[0])
            r = self.request("GET", o["downloadUrl"])
            ep = "GET downloadUrl of an output file"
            if self.expect(r.status == 200, ep, "HTTP status", 200, r.status):
                self.expect(len(r.body) == o["decryptedSize"], ep, "length", o["decryptedSize"], len(r.body))
                if o.get("fileChecksums"):
                    self.expect(hashlib.sha512(r.body).hexdigest() == o["fileChecksums"][0]["fileHash"], ep, "sha512",
                                "fileChecksums[0].fileHash", "a different hash")
            names = [x["relativePath"] for x in outs]
            self.expect(any(n.endswith("result.txt") for n in names), "GET /api/v2/jobs/{id}/files/", "$.results[*].relativePath",
                        "result.txt (written by run.sh)", names)
        r = self.need(self.call("jobs_runs", "/api/v2/jobs/%s/runs/" % job))
        runs = r.json if isinstance(r.json, list) else r.json["results"]
        if self.expect(runs, "GET /api/v2/jobs/{id}/runs/", "$", "at least one run", runs):
            run = runs[0]["id"]
            r = self.need(self.call("jobs_run_files", "/api/v2/jobs/%s/runs/%s/files/" % (job, run)))
            rf = r.json if isinstance(r.json, list) else r.json["results"]
            paths = [x["relativePath"] for x in rf]
            path = next((p for p in paths if p.endswith("process_output.log")), paths[0] if paths else "process_output.log")
            r = self.call("jobs_tail", "/api/v2/jobs/%s/runs/%s/tail/%s?lines=20" % (job, run, urllib.parse.quote(path)))
            if r.ok and path.endswith("process_output.log"):
                self.expect(any("contract run K=V" in ln for ln in r.json["lines"]), "GET .../tail/process_output.log", "$.lines",
                            "the job's output 'contract run K=V'", r.json["lines"][:5])
        tag = "contract-" + self.tag
        self.call("jobs_tags_add", "/api/v3/jobs/%s/tags/" % job, body={"name": tag})
        r = self.call("jobs_tags", "/api/v3/jobs/%s/tags/" % job)
        if r.ok:
            names = {t["name"] for t in r.json}
            self.expect({"a", "b", tag} <= names, "GET /api/v3/jobs/{id}/tags/", "$[*].name", "a, b (from create) and %s" % tag, sorted(names))
        self.call("jobs_custom_fields", "/api/v3/jobs/%s/custom-fields/" % job)
        self.call("workspace_custom_fields", "/api/v2/organizations/%s/workspaces/%s/custom-fields/" % (
            urllib.parse.quote(self.me["company"]["code"]), urllib.parse.quote(self.me["workspace"]["id"])))
        self.call("automations", "/api/v3/automations/")

    def step_job_rules(self):
        if not hasattr(self, "input_id"):
            raise Abort()
        # a long job: delete while running -> 400; stop -> 202 -> Stopped; then delete -> 204
        r = self.need(self.call("jobs_create_v3", "/api/v3/jobs/", body=self.job_body("contract-%s-long" % self.tag, "sleep 60; ./run.sh")))
        job = r.json["id"]
        self.need(self.call("jobs_submit", "/api/v2/jobs/%s/submit/" % job))
        st = self.wait_status(job, RUNNING | TERMINAL, 60)
        if st in RUNNING:
            self.call("jobs_delete_running", "/api/v3/jobs/%s/" % job)
        else:
            self.note("job %s was never seen running (newest status %s): delete-while-running not checked" % (job, st))
        self.need(self.call("jobs_stop_v3", "/api/v3/jobs/%s/stop/" % job))
        st = self.wait_status(job, TERMINAL, 60)
        self.expect(st == "Stopped", "POST /api/v3/jobs/{id}/stop/", "statuses $.results[0].status", "Stopped", st)
        r = self.need(self.call("jobs_statuses_v3", "/api/v3/jobs/%s/statuses/" % job))
        seq = [i["status"] for i in r.json["results"]]
        self.expect("Stopping" in seq, "POST /api/v3/jobs/{id}/stop/", "statuses", "Stopping before Stopped", seq)
        self.call("jobs_delete", "/api/v3/jobs/%s/" % job)
        r = self.request("GET", "/api/v3/jobs/%s/" % job)
        self.expect(r.status == 404, "GET /api/v3/jobs/{id}/ after DELETE", "HTTP status", 404, r.status)
        # v2 stop and v2 delete
        r = self.need(self.call("jobs_create_v2", "/api/v2/jobs/", body=self.job_body("contract-%s-v2stop" % self.tag, "sleep 60", v2=True)))
        job = r.json["id"]
        self.need(self.call("jobs_submit", "/api/v2/jobs/%s/submit/" % job))
        self.wait_status(job, RUNNING | TERMINAL, 60)
        self.call("jobs_stop_v2", "/api/v2/jobs/%s/stop/" % job)
        self.wait_status(job, TERMINAL, 60)
        self.call("jobs_delete", "/api/v2/jobs/%s/" % job)
        # the draft v2 job deletes too, with the v2 query flag
        self.call("jobs_delete", "/api/v2/jobs/%s/?deleteInputFiles=false" % self.job2)

    def step_errors(self):
        for k in ("not-a-key-" + self.tag, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"):
            self.call("error_401", "/api/v3/users/me/", key=k)
        self.call("error_401", "/api/v3/users/me/", key=None)
        self.call("error_401", "/api/v2/files/", key=None)
        self.call("error_404", "/api/v3/files/doesnotexist%s/" % self.tag)
        self.call("error_404", "/api/v3/jobs/doesnotexist%s/" % self.tag)

    def step_isolation(self):
        fid = self.text_file["id"]
        for p in ("/api/v3/files/%s/" % fid, "/api/v2/files/%s/" % fid, "/api/v2/files/%s/contents/" % fid,
                  "/api/v2/files/%s/lines/" % fid, "/api/v3/files/%s/tags/" % fid):
            self.call("error_404", p, key="2")
        r = self.request("DELETE", "/api/v3/files/%s/" % fid, key="2")
        self.expect(r.status == 404, "DELETE /api/v3/files/{id}/ (another user's)", "HTTP status", 404, r.status)
        r = self.request("GET", "/api/v3/files/%s/" % fid)
        self.expect(r.status == 200, "GET /api/v3/files/{id}/ (owner, after user 2's DELETE)", "HTTP status", 200, r.status)
        r = self.request("PATCH", "/api/v3/files/%s/" % fid, key="2", body={"currentFolderId": self.folders2["myLibrary"]})
        self.expect(r.status == 404, "PATCH /api/v3/files/{id}/ (another user's)", "HTTP status", 404, r.status)
        _, items = self.all_pages("files_v3_list", "/api/v3/files/?page_size=100", key="2")
        self.expect(fid not in [x["id"] for x in items], "GET /api/v3/files/ (user 2)", "$.results", "no file of user 1", fid)
        if hasattr(self, "job1"):
            for p in ("/api/v3/jobs/%s/" % self.job1, "/api/v2/jobs/%s/" % self.job1, "/api/v3/jobs/%s/statuses/" % self.job1,
                      "/api/v2/jobs/%s/files/" % self.job1, "/api/v2/jobs/%s/runs/" % self.job1):
                self.call("error_404", p, key="2")
            r = self.request("POST", "/api/v2/jobs/%s/submit/" % self.job1, key="2")
            self.expect(r.status == 404, "POST /api/v2/jobs/{id}/submit/ (another user's)", "HTTP status", 404, r.status)
            _, items = self.all_pages("jobs_list_v3", "/api/v3/jobs/?page_size=100", key="2")
            self.expect(self.job1 not in [x["id"] for x in items], "GET /api/v3/jobs/ (user 2)", "$.results", "no job of user 1", self.job1)
        if hasattr(self, "folder"):
            r = self.request("GET", "/api/v3/folders/%s/contents/" % self.folder, key="2")
            self.expect(r.status == 404, "GET /api/v3/folders/{id}/contents/ (another user's)", "HTTP status", 404, r.status)

    def step_pagination(self):
        lib = self.folders["myLibrary"]
        fol = self.need(self.call("folders_create", "/api/v3/folders/%s/" % lib, body={"name": "contract-pages-" + self.tag})).json["id"]
        ids = []
        for i in range(5):
            f = self.upload_v2("contract-%s-page%d.txt" % (self.tag, i), b"page %d\n" % i)
            self.need(self.call("files_v3_move", "/api/v3/files/%s/" % f["id"], body={"currentFolderId": fol}))
            ids.append(f["id"])
        first, items = self.all_pages("folders_contents", "/api/v3/folders/%s/contents/?page_size=2" % fol)
        ep = "GET /api/v3/folders/{id}/contents/?page_size=2"
        got = [x["item"]["id"] for x in items]
        self.expect(first["count"] == 5, ep, "$.count", 5, first["count"])
        self.expect(len(first["results"]) == 2, ep, "len($.results) on page 1", 2, len(first["results"]))
        self.expect(sorted(got) == sorted(ids), ep, "all pages' results", "the 5 files, each once", got)
        self.expect(first["next"] is not None and "page_size=2" in first["next"], ep, "$.next", "an absolute URL keeping page_size=2",
                    first["next"])
        if first["next"]:
            r = self.need(self.call("folders_contents", first["next"]))
            self.expect(r.json["previous"] is not None, ep + " page 2", "$.previous", "an absolute URL", r.json["previous"])
        if hasattr(self, "input_id"):  # drafts, so the job lists have more than one page of 2
            for i in range(3):
                self.call("jobs_create_v3", "/api/v3/jobs/", body=self.job_body("contract-%s-page%d" % (self.tag, i), "./run.sh"))
        for ex, path in (("files_v3_list", "/api/v3/files/?page_size=2&ordering=-dateUploaded"), ("files_v2_list", "/api/v2/files/?page_size=2"),
                         ("jobs_list_v3", "/api/v3/jobs/?page_size=2"), ("jobs_list_v2", "/api/v2/jobs/?page_size=2")):
            for attempt in range(3):  # other tests share the user: a count that moved while paging is retried
                first, items = self.all_pages(ex, path, limit=500)
                ids = [x["id"] for x in items]
                if len(ids) == first["count"] and len(ids) == len(set(ids)):
                    break
            ep = "GET " + path
            self.expect(len(ids) == len(set(ids)), ep, "all pages' ids", "each once", "%d ids, %d distinct" % (len(ids), len(set(ids))))
            self.expect(len(ids) == first["count"], ep, "items over all pages", "$.count = %d" % first["count"], len(ids))
            self.expect(first["count"] >= 3, ep, "$.count", ">= 3 (this run made them)", first["count"])

    def step_429(self):
        admin = {}
        if os.environ.get("RI_SANDBOX_ADMIN_TOKEN"):
            admin["Authorization"] = "Token " + os.environ["RI_SANDBOX_ADMIN_TOKEN"]
        fault = {"route": "/api/v3/users/me/", "status": 429, "retryAfter": 2, "count": 1}
        r = self.request("POST", "/_sandbox/faults", key=None, body=fault, headers=admin)
        if not self.expect(200 <= r.status < 300, "POST /_sandbox/faults (admin API, docs/sandbox.md)", "HTTP status", "2xx",
                           "%d %s" % (r.status, r.text(200))):
            return
        r = self.call("error_429", "/api/v3/users/me/", retry_429=False)
        if r.ok:
            ra = r.headers.get("Retry-After")
            self.expect(ra == "2", "GET /api/v3/users/me/ (injected 429)", "header Retry-After", "2 (the injected value)", ra)
        # A client that waits Retry-After gets through (the fault was for one request; a real
        # throttle after this run's burst is waited out by the retry in request()).
        time.sleep(2)
        self.call("users_me_v3", "/api/v3/users/me/")


def main():
    try:
        base = os.environ["RI_SANDBOX_URL"]
        k1, k2 = os.environ["RI_SANDBOX_KEY"], os.environ["RI_SANDBOX_KEY_2"]
    except KeyError as e:
        sys.exit("run_contract.py: %s is not set (RI_SANDBOX_URL, RI_SANDBOX_KEY, RI_SANDBOX_KEY_2 are needed)" % e)
    for v in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(v, None)
    sys.exit(Contract(base, k1, k2).run())


if __name__ == "__main__":
    main()
