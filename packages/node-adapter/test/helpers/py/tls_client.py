"""A Python `ssl` TLS client for the interop tests.

Connects, sends `--send` (if any), reads until it has as many bytes back as it sent (or `--read-until-eof`), and
prints one JSON object describing the session; exit status 1 with {"error": ...} on failure.
"""
import argparse
import json
import socket
import ssl
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--servername", default="localhost")
    parser.add_argument("--cafile")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--alpn")
    parser.add_argument("--min", choices=["TLSv1_2", "TLSv1_3"])
    parser.add_argument("--max", choices=["TLSv1_2", "TLSv1_3"])
    parser.add_argument("--send", default="")
    parser.add_argument("--read-until-eof", action="store_true")
    args = parser.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.no_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    if args.min:
        ctx.minimum_version = getattr(ssl.TLSVersion, args.min)
    if args.max:
        ctx.maximum_version = getattr(ssl.TLSVersion, args.max)
    try:
        raw = socket.create_connection((args.host, args.port), timeout=20)
        conn = ctx.wrap_socket(raw, server_hostname=args.servername)
        result = {
            "version": conn.version(),
            "cipher": conn.cipher()[0],
            "alpn": conn.selected_alpn_protocol(),
            "peercert": conn.getpeercert(),
        }
        data = args.send.encode("latin1")
        conn.sendall(data)
        received = b""
        while args.read_until_eof or len(received) < len(data):
            try:
                chunk = conn.recv(65536)
            except ssl.SSLZeroReturnError:
                break
            if not chunk:
                break
            received += chunk
        result["received"] = received.decode("latin1")
        try:
            conn.unwrap()
        except (ssl.SSLError, OSError) as e:
            result["unwrapError"] = f"{type(e).__name__}: {e}"
        conn.close()
        print(json.dumps(result), flush=True)
        return 0
    except (ssl.SSLError, OSError) as e:
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
