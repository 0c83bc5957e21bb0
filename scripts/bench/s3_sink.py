#!/usr/bin/env python3
"""A loopback S3 sink for benchmarks: it answers the calls of an upload and discards the bodies.

    scripts/bench/s3_sink.py --port-file FILE [--port N]

Used by scripts/bench/pipeline to measure ri's upload pipeline at memory speed (see
shared/reference/test-servers.md: "a loopback sink that answers the few S3 calls of a multipart
upload and discards bodies ... is a fair benchmark fixture; it is not a test of correctness").
It ignores authentication and keeps, per object, only its size, user metadata and a made-up
32-hex ETag, so that HEAD answers what a store would (ri-sandbox checks the size and metadata
of a registered object and takes a 32-hex ETag as its MD5 without reading it back).

Answers: PUT /bucket (create), PUT /bucket/key (single PUT), POST ?uploads (create multipart),
PUT ?partNumber&uploadId (part), POST ?uploadId (complete), DELETE ?uploadId (abort),
HEAD /bucket/key, DELETE /bucket/key. Anything else is 501. Bodies are moved from the socket to
/dev/null with splice(2) through a pipe (never copied to user space; Python 3.10+ on Linux),
else read in 1 MiB readinto() calls and dropped. Writes the port it listens on to --port-file once it is ready.
"""

import argparse
import fcntl
import hashlib
import http.server
import os
import socketserver
import sys
import threading
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

LOCK = threading.Lock()
UPLOADS = {}  # upload id -> {"key", "meta", "parts": {n: size}}
OBJECTS = {}  # key -> {"size", "meta", "etag"}
BUF = 1 << 20
PIPE_BYTES = 1 << 20
SPLICE = hasattr(os, "splice") and hasattr(fcntl, "F_SETPIPE_SZ")
DEVNULL = os.open(os.devnull, os.O_WRONLY)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the benchmark prints what matters
        pass

    def drain(self, md5=None):
        """Reads and drops the request body (through md5 when given); returns its size."""
        total = 0
        buf = bytearray(BUF)
        view = memoryview(buf)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return total
                left = size
                while left:
                    n = self.rfile.readinto(view[: min(left, BUF)])
                    if not n:
                        raise ConnectionError("client closed mid-chunk")
                    left -= n
                total += size
                self.rfile.readline()
        left = int(self.headers.get("Content-Length", "0"))
        if left and SPLICE and md5 is None:
            # What the header parser already buffered, then the rest moved from the socket
            # through a pipe to /dev/null with splice(2): the body is never copied to user space.
            got = len(self.rfile.peek(1)[:left])
            self.rfile.read(got)
            left -= got
            total += got
            pipe_r, pipe_w = self.pipe()
            sock = self.connection.fileno()
            while left:
                n = os.splice(sock, pipe_w, min(left, PIPE_BYTES))
                if not n:
                    raise ConnectionError("client closed mid-body")
                moved = 0
                while moved < n:
                    moved += os.splice(pipe_r, DEVNULL, n - moved)
                left -= n
                total += n
            return total
        while left:
            n = self.rfile.readinto(view[: min(left, BUF)])
            if not n:
                raise ConnectionError("client closed mid-body")
            if md5 is not None:
                md5.update(view[:n])
            left -= n
            total += n
        return total

    def pipe(self):
        """This connection's pipe for splice(2), made once."""
        if not hasattr(self, "_pipe"):
            r, w = os.pipe()
            try:
                fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:
                pass
            self._pipe = (r, w)
        return self._pipe

    def finish(self):
        super().finish()
        for fd in getattr(self, "_pipe", ()):
            os.close(fd)

    def reply(self, status, body=b"", headers=None, head=False):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def target(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path).lstrip("/")
        bucket, _, key = path.partition("/")
        return bucket, key, parse_qs(parts.query, keep_blank_values=True)

    def meta(self):
        return {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-amz-meta-")}

    def do_PUT(self):
        bucket, key, q = self.target()
        part = "partNumber" in q and "uploadId" in q
        # A single PUT is answered with the MD5 of the body, as S3 does (ri checks it); a part
        # with a made-up ETag (its body is spliced away unread).
        md5 = None if part or not key else hashlib.md5()
        size = self.drain(md5)
        if not key:
            return self.reply(200)
        etag = '"%s"' % (md5.hexdigest() if md5 else hashlib.md5(os.urandom(8)).hexdigest())
        if part:
            with LOCK:
                up = UPLOADS.get(q["uploadId"][0])
                if up is None:
                    return self.reply(404, b"<Error><Code>NoSuchUpload</Code></Error>")
                up["parts"][int(q["partNumber"][0])] = size
            return self.reply(200, headers={"ETag": etag})
        with LOCK:
            OBJECTS[key] = {"size": size, "meta": self.meta(), "etag": etag}
        return self.reply(200, headers={"ETag": etag})

    def do_POST(self):
        bucket, key, q = self.target()
        self.drain()
        if "uploads" in q:
            upload_id = uuid.uuid4().hex
            with LOCK:
                UPLOADS[upload_id] = {"key": key, "meta": self.meta(), "parts": {}}
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult>'
                "<Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId>"
                "</InitiateMultipartUploadResult>" % (bucket, key, upload_id)
            ).encode()
            return self.reply(200, body, {"Content-Type": "application/xml"})
        if "uploadId" in q:
            with LOCK:
                up = UPLOADS.pop(q["uploadId"][0], None)
                if up is None:
                    return self.reply(404, b"<Error><Code>NoSuchUpload</Code></Error>")
                etag = '"%s-%d"' % (hashlib.md5(os.urandom(8)).hexdigest(), len(up["parts"]))
                # HEAD answers a 32-hex ETag (as for a single PUT): ri-sandbox then takes it as
                # the object's MD5 instead of reading the object back from this sink.
                OBJECTS[key] = {"size": sum(up["parts"].values()), "meta": up["meta"],
                                "etag": '"%s"' % hashlib.md5(os.urandom(8)).hexdigest()}
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult>'
                "<Bucket>%s</Bucket><Key>%s</Key><ETag>%s</ETag>"
                "</CompleteMultipartUploadResult>" % (bucket, key, etag)
            ).encode()
            return self.reply(200, body, {"Content-Type": "application/xml"})
        return self.reply(501)

    def do_DELETE(self):
        bucket, key, q = self.target()
        self.drain()
        with LOCK:
            if "uploadId" in q:
                UPLOADS.pop(q["uploadId"][0], None)
            else:
                OBJECTS.pop(key, None)
        return self.reply(204)

    def do_HEAD(self):
        bucket, key, q = self.target()
        with LOCK:
            obj = OBJECTS.get(key)
        if obj is None:
            return self.reply(404, head=True, headers={"Content-Length": "0"})
        headers = {"Content-Length": str(obj["size"]), "ETag": obj["etag"],
                   "Last-Modified": self.date_time_string(), "Content-Type": "binary/octet-stream"}
        headers.update(obj["meta"])
        return self.reply(200, head=True, headers=headers)

    def do_GET(self):
        self.drain()
        return self.reply(501)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
