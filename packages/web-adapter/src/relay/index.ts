/**
 * `@sanstls/web-adapter/relay` (Node only): a WebSocket → TCP relay for development and tests. Each
 * WebSocket (`ws://host:port/path?target=HOST:PORT`) becomes one TCP connection to an allow-listed target;
 * binary frames are copied both ways. The browser runs TLS end to end through it, so the relay only ever
 * sees TLS records — and by default refuses anything whose first bytes are not a TLS handshake record, so
 * it cannot be used as an open proxy for plaintext protocols.
 *
 * Limits: connections (overall and per client address), bytes per connection (both directions), idle
 * time, TCP connect time, frame size; optional Origin allow-list. Every refusal or limit closes the
 * WebSocket with a {@link RelayCloseCode} and a short reason.
 * @module
 */
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { RelayCloseCode } from '../close-codes.js';

export { RelayCloseCode, relayCloseCodeName, relayUrl } from '../close-codes.js';

export interface RelayOptions {
  /**
   * Targets the relay may reach: `'host:port'` entries (`'example.com:443'`, `'127.0.0.1:*'`,
   * `'[::1]:8443'`), or a predicate. Nothing is reachable by default.
   */
  readonly allow: readonly string[] | ((host: string, port: number) => boolean);
  /** Listen address (default 127.0.0.1) and port (default 0: any free port). Ignored with `server`. */
  readonly host?: string;
  readonly port?: number;
  /** Attach to an existing HTTP server (its `upgrade` requests on `path`). */
  readonly server?: Server;
  /** WebSocket path (default `/`). */
  readonly path?: string;
  /** Origins allowed to open tunnels (`Origin` header); default any. */
  readonly allowedOrigins?: readonly string[];
  readonly maxConnections?: number;
  readonly maxConnectionsPerClient?: number;
  /** Bytes per connection, both directions together (default 64 MiB). */
  readonly maxBytesPerConnection?: number;
  /** No traffic in either direction for this long closes the tunnel (default 60 s). */
  readonly idleTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Largest accepted frame (default 256 KiB). */
  readonly maxFrameBytes?: number;
  /** Refuse tunnels whose first bytes are not a TLS handshake record (default true). */
  readonly tlsOnly?: boolean;
  /** Observes what happens (logging, tests). */
  readonly onEvent?: (event: RelayEvent) => void;
}

export type RelayEvent =
  | { readonly type: 'open'; readonly id: number; readonly client: string; readonly target: string }
  | {
      readonly type: 'close';
      readonly id: number;
      readonly code: number;
      readonly reason: string;
      readonly bytesUp: number;
      readonly bytesDown: number;
    };

export interface Relay {
  /** `ws://127.0.0.1:PORT/path` (without target). */
  readonly url: string;
  readonly port: number;
  /** Open tunnels now. */
  readonly activeConnections: number;
  /** Stops accepting, closes every tunnel (1001 going away) and the server it created. */
  close(): Promise<void>;
}

const GOING_AWAY = 1001;
/** Resume reading TCP once the WebSocket's send buffer is below this. */
const WS_LOW_WATER = 256 * 1024;
const WS_HIGH_WATER = 1024 * 1024;
/** TLS record header: content type 22 (handshake), major version 3 (RFC 8446 §5.1). */
const TLS_HANDSHAKE = 22;

/** Parses `host:port` / `[v6]:port`; undefined when malformed. */
export function parseTarget(text: string | null): { host: string; port: number } | undefined {
  if (text === null) return undefined;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const host = (m[1] ?? m[2])!.toLowerCase();
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

function allowListPredicate(allow: RelayOptions['allow']): (host: string, port: number) => boolean {
  if (typeof allow === 'function') return allow;
  const entries = allow.map((entry) => {
    const i = entry.lastIndexOf(':');
    if (i <= 0) throw new Error(`relay allow-list entry '${entry}' is not host:port`);
    const host = entry
      .slice(0, i)
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    const port = entry.slice(i + 1);
    if (port !== '*' && !/^\d{1,5}$/.test(port)) throw new Error(`relay allow-list entry '${entry}' has a bad port`);
    return { host, port: port === '*' ? null : Number(port) };
  });
  return (host, port) => entries.some((e) => e.host === host && (e.port === null || e.port === port));
}

/** Starts a relay. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const allowed = allowListPredicate(options.allow);
  const path = options.path ?? '/';
  const maxConnections = options.maxConnections ?? 64;
  const maxPerClient = options.maxConnectionsPerClient ?? 8;
  const maxBytes = options.maxBytesPerConnection ?? 64 * 1024 * 1024;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const connectMs = options.connectTimeoutMs ?? 10_000;
  const tlsOnly = options.tlsOnly ?? true;
  const ownServer = options.server === undefined;
  const server = options.server ?? createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 256 * 1024 });
  const perClient = new Map<string, number>();
  const active = new Set<() => void>();
  let nextId = 1;

  const onUpgrade = (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== path) {
      if (ownServer) socket.destroy();
      return; // another upgrade handler on a shared server may want it
    }
    wss.handleUpgrade(req, socket, head, (ws) => tunnel(ws, req, url));
  };
  server.on('upgrade', onUpgrade);

  function tunnel(ws: WebSocket, req: IncomingMessage, url: URL): void {
    const id = nextId++;
    const client = req.socket.remoteAddress ?? 'unknown';
    const refuse = (code: number, reason: string) => {
      options.onEvent?.({ type: 'close', id, code, reason, bytesUp: 0, bytesDown: 0 });
      ws.close(code, reason);
    };
    const origin = req.headers.origin;
    if (options.allowedOrigins !== undefined && (origin === undefined || !options.allowedOrigins.includes(origin))) {
      refuse(RelayCloseCode.POLICY_VIOLATION, 'origin not allowed');
      return;
    }
    const target = parseTarget(url.searchParams.get('target'));
    if (target === undefined) {
      refuse(RelayCloseCode.BAD_TARGET, 'target=host:port required');
      return;
    }
    if (!allowed(target.host, target.port)) {
      refuse(RelayCloseCode.TARGET_FORBIDDEN, `${target.host}:${target.port} is not allowed`);
      return;
    }
    const clientCount = perClient.get(client) ?? 0;
    if (active.size >= maxConnections || clientCount >= maxPerClient) {
      refuse(RelayCloseCode.TRY_AGAIN_LATER, 'connection limit reached');
      return;
    }
    perClient.set(client, clientCount + 1);

    let bytesUp = 0;
    let bytesDown = 0;
    let done = false;
    let tcpConnected = false;
    let firstBytesChecked = !tlsOnly;
    const pending: Buffer[] = [];
    const tcp: Socket = connect({ host: target.host, port: target.port });
    const connectTimer = setTimeout(() => finish(RelayCloseCode.CONNECT_TIMEOUT, 'connect timeout'), connectMs);
    let idleTimer = setTimeout(() => finish(RelayCloseCode.IDLE_TIMEOUT, 'idle'), idleMs);
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish(RelayCloseCode.IDLE_TIMEOUT, 'idle'), idleMs);
    };

    const finish = (code: number, reason: string) => {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      clearTimeout(idleTimer);
      active.delete(shutdown);
      const left = (perClient.get(client) ?? 1) - 1;
      if (left === 0) perClient.delete(client);
      else perClient.set(client, left);
      if (code === RelayCloseCode.NORMAL) tcp.end();
      else tcp.destroy();
      if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      options.onEvent?.({ type: 'close', id, code, reason, bytesUp, bytesDown });
    };
    const shutdown = () => finish(GOING_AWAY, 'relay shutting down');
    active.add(shutdown);
    options.onEvent?.({ type: 'open', id, client, target: `${target.host}:${target.port}` });

    const countBytes = (n: number): boolean => {
      if (bytesUp + bytesDown + n > maxBytes) {
        finish(RelayCloseCode.BYTE_LIMIT, 'byte limit reached');
        return false;
      }
      touch();
      return true;
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (done) return;
      if (!isBinary) {
        finish(RelayCloseCode.UNSUPPORTED_DATA, 'binary frames only');
        return;
      }
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!firstBytesChecked && chunk.length > 0) {
        firstBytesChecked = true;
        if (chunk[0] !== TLS_HANDSHAKE || (chunk.length > 1 && chunk[1] !== 3)) {
          finish(RelayCloseCode.NOT_TLS, 'not a TLS handshake');
          return;
        }
      }
      if (!countBytes(chunk.length)) return;
      bytesUp += chunk.length;
      if (!tcpConnected) {
        pending.push(chunk);
        return;
      }
      if (!tcp.write(chunk)) {
        ws.pause();
        tcp.once('drain', () => ws.resume());
      }
    });
    ws.on('close', () => finish(RelayCloseCode.NORMAL, 'client closed'));
    ws.on('error', () => finish(RelayCloseCode.INTERNAL_ERROR, 'websocket error'));

    tcp.on('connect', () => {
      clearTimeout(connectTimer);
      tcpConnected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    tcp.on('data', (chunk: Buffer) => {
      if (done || !countBytes(chunk.length)) return;
      bytesDown += chunk.length;
      ws.send(chunk, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < WS_LOW_WATER) tcp.resume();
      });
      if (ws.bufferedAmount > WS_HIGH_WATER) tcp.pause();
    });
    tcp.on('end', () => finish(RelayCloseCode.NORMAL, 'target closed'));
    tcp.on('error', (error: NodeJS.ErrnoException) =>
      finish(RelayCloseCode.TARGET_UNREACHABLE, error.code ?? 'connection error'),
    );
    tcp.on('close', () => finish(RelayCloseCode.NORMAL, 'target closed'));
  }

  if (ownServer) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    get activeConnections() {
      return active.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      for (const shutdown of [...active]) shutdown();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownServer) {
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
