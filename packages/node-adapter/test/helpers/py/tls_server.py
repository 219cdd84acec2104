"""A Python `ssl` TLS server for the interop tests.

Binds 127.0.0.1 on a port the kernel picks, prints `READY <port>`, then for each connection prints one JSON line
describing the session (or the handshake error) and echoes what it reads until the peer closes.
"""
import argparse
import json
import socket
import ssl
import sys
import threading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cafile", help="trust anchors for client certificates")
    parser.add_argument("--verify", choices=["none", "optional", "required"], default="none")
    parser.add_argument("--alpn", help="comma-separated protocols")
    parser.add_argument("--min", choices=["TLSv1_2", "TLSv1_3"])
    parser.add_argument("--max", choices=["TLSv1_2", "TLSv1_3"])
    parser.add_argument("--mode", choices=["echo", "www"], default="echo")
    parser.add_argument("--connections", type=int, default=0, help="exit after this many (0: never)")
    args = parser.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
    ctx.verify_mode = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}[args.verify]
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    if args.min:
        ctx.minimum_version = getattr(ssl.TLSVersion, args.min)
    if args.max:
        ctx.maximum_version = getattr(ssl.TLSVersion, args.max)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"READY {listener.getsockname()[1]}", flush=True)
    lock = threading.Lock()

    def report(obj: dict) -> None:
        with lock:
            print(json.dumps(obj), flush=True)

    def serve(raw: socket.socket) -> None:
        raw.settimeout(30)
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            report({"event": "handshake-error", "error": f"{type(e).__name__}: {e}"})
            raw.close()
            return
        report(
            {
                "event": "session",
                "version": conn.version(),
                "cipher": conn.cipher()[0],
                "alpn": conn.selected_alpn_protocol(),
                "peercert": conn.getpeercert(),
            }
        )
        total = 0
        try:
            if args.mode == "www":
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                body = f"python ssl server: {conn.version()} {conn.cipher()[0]}\n".encode()
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                conn.unwrap()
            else:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    total += len(data)
                    conn.sendall(data)
                conn.unwrap()
            report({"event": "closed", "echoed": total})
        except (ssl.SSLError, OSError) as e:
            report({"event": "error", "echoed": total, "error": f"{type(e).__name__}: {e}"})
        finally:
            conn.close()

    served = 0
    threads = []
    while args.connections == 0 or served < args.connections:
        raw, _ = listener.accept()
        served += 1
        thread = threading.Thread(target=serve, args=(raw,), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(30)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
