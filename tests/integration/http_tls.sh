#!/usr/bin/env bash
# services: none
# TLS is always verified: a server whose certificate the client does not trust is refused at
# once (a TLS failure, never retried), the same server is accepted when its certificate is
# given as the CA bundle, and a certificate for another name is refused even then.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin http_probe
ri_setup
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
SRC=${RI_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# cert NAME SAN: a self-signed certificate and key in $T/NAME.{pem,key}.
cert() {
  /usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ri-test" \
    -addext "subjectAltName=$2" -keyout "$T/$1.key" -out "$T/$1.pem" 2>"$T/openssl.err" ||
    fail "openssl could not make a certificate: $(cat "$T/openssl.err")"
}
cert good IP:127.0.0.1
cert other DNS:elsewhere.example

# serve NAME: an HTTPS fault server with certificate NAME, stopped at exit; its port is in $T/NAME.port.
serve() {
  python3 "$SRC/tests/fixtures/http_fault_server.py" --port-file "$T/$1.port" \
    --tls "$T/$1.pem" "$T/$1.key" >"$T/$1.out" 2>&1 &
  ri_at_exit ri_stop "$!"
  for _ in $(seq 1 100); do
    [ -s "$T/$1.port" ] && return 0
    sleep 0.1
  done
  fail "the HTTPS fault server did not start: $(cat "$T/$1.out")"
}
serve good
serve other
GOOD="https://127.0.0.1:$(cat "$T/good.port")"
OTHER="https://127.0.0.1:$(cat "$T/other.port")"

# Not trusted (self-signed, not in the system store): refused, reported as TLS, not retried.
expect_exit 3 http_probe --base-delay-ms 20 "$GOOD/echo/untrusted"
expect_field "$T/out" tls true
expect_field "$T/out" attempts 1
expect_field "$T/out" before_send false

# Trusted through the CA bundle: the request goes through.
expect_exit 0 http_probe --ca-bundle "$T/good.pem" --method PUT --body secret-body "$GOOD/echo/trusted"
expect_field "$T/out" status 200
json_field "$T/out" body | grep -q '"body": "secret-body"' || fail "not the server's echo: $(cat "$T/out")"

# A trusted certificate for another name: the host name check still refuses it.
expect_exit 3 http_probe --base-delay-ms 20 --ca-bundle "$T/other.pem" "$OTHER/echo/wrong-name"
expect_field "$T/out" tls true
expect_field "$T/out" attempts 1

echo "ok: TLS is verified (trust store and host name), and a TLS failure is not retried"
