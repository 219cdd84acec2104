/**
 * A few lines of node:net pumping between a TCP socket and an SSLObject's MemoryBIOs (the Node adapter
 * does this properly; the core interop tests only need a faithful pipe).
 */
import net from 'node:net';
import {
  MemoryBIO,
  type SSLContext,
  type SSLObject,
  type SSLSession,
  SSLWantReadError,
  SSLZeroReturnError,
} from '@sanstls/core';

export interface PumpedConnection {
  readonly obj: SSLObject;
  /** Resolves when the handshake completed. */
  readonly handshakeDone: Promise<void>;
  /** Everything received so far (application data). */
  received(): Uint8Array;
  /** Resolves when the received text matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the peer closed (close_notify or EOF) or the connection failed. */
  readonly closed: Promise<unknown>;
  write(data: string | Uint8Array): void;
  close(): void;
  readonly socket: net.Socket;
  /** Runs the engine once (the client's first flight). */
  start(): void;
  /** Called after new application data arrived. */
  onData: (() => void) | null;
}

export function pump(
  socket: net.Socket,
  ctx: SSLContext,
  options: { serverSide?: boolean; serverHostname?: string | null; session?: SSLSession | null },
): PumpedConnection {
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const obj = ctx.wrapBio(incoming, outgoing, options);
  const chunks: Uint8Array[] = [];
  let seenChunks = 0;
  let handshook = false;
  let resolveHandshake!: () => void;
  let rejectHandshake!: (e: unknown) => void;
  const handshakeDone = new Promise<void>((res, rej) => {
    resolveHandshake = res;
    rejectHandshake = rej;
  });
  handshakeDone.catch(() => {}); // observed through `closed` too
  let resolveClosed!: (v: unknown) => void;
  const closed = new Promise<unknown>((res) => {
    resolveClosed = res;
  });
  const waiters: (() => void)[] = [];
  const flush = () => {
    if (outgoing.pending > 0 && !socket.destroyed) socket.write(outgoing.read());
  };
  const step = () => {
    try {
      if (!handshook) {
        obj.doHandshake();
        handshook = true;
        resolveHandshake();
      }
      for (;;) chunks.push(obj.read(65536));
    } catch (e) {
      flush();
      if (e instanceof SSLWantReadError) return;
      if (!handshook) rejectHandshake(e);
      resolveClosed(e);
      if (e instanceof SSLZeroReturnError) {
        try {
          obj.unwrap();
        } catch {
          // the peer already closed
        }
        flush();
      }
      socket.end();
    } finally {
      flush();
      if (chunks.length > seenChunks) {
        seenChunks = chunks.length;
        conn.onData?.();
      }
      for (const w of waiters.splice(0)) w();
    }
  };
  obj.onResume = step;
  socket.on('data', (d: Buffer) => {
    incoming.write(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    step();
  });
  socket.on('end', () => {
    incoming.writeEof();
    step();
  });
  socket.on('error', (e) => {
    rejectHandshake(e);
    resolveClosed(e);
  });
  socket.on('close', () => resolveClosed('socket closed'));
  const received = () => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  const text = () => new TextDecoder('latin1').decode(received());
  const conn: PumpedConnection = {
    onData: null,
    obj,
    start: step,
    handshakeDone,
    received,
    closed,
    socket,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(text().slice(0, 500))}`)),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(text())) {
            clearTimeout(timer);
            resolve(text());
          } else waiters.push(check);
        };
        check();
      });
    },
    write(data) {
      obj.write(data);
      flush();
    },
    close() {
      try {
        obj.unwrap();
      } catch {
        // WantRead: the peer's close_notify comes later
      }
      flush();
    },
  };
  return conn;
}

/** Connects to 127.0.0.1:port and starts a client handshake, offering `session` to resume if given. */
export function connect(
  port: number,
  ctx: SSLContext,
  serverHostname: string | null,
  session: SSLSession | null = null,
): Promise<PumpedConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const conn = pump(socket, ctx, { serverHostname, session });
      conn.start();
      resolve(conn);
    });
    socket.on('error', reject);
  });
}

/** A one-connection server on 127.0.0.1 feeding each connection to `onConnection`. */
export async function listen(
  ctx: SSLContext,
  onConnection: (conn: PumpedConnection) => void,
): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => onConnection(pump(socket, ctx, { serverSide: true })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => server.close() };
}
