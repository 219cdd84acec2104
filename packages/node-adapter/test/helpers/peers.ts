/**
 * The TLS peers the interop tests drive: OpenSSL, GnuTLS, Python `ssl` and Node `tls`. Servers listen on
 * 127.0.0.1 on a port the kernel picked and report it; clients run to completion behind a hang guard. Everything
 * started here is killed by `stop()` or, failing that, when the test worker exits (see processes.ts).
 *
 * GnuTLS's server binds every address, so it runs in a private network namespace (`unshare -rn`) whose only
 * interface is loopback. Inside, netns-bridge.mjs relays a Unix socket (a file, visible from the host namespace)
 * to it; here a 127.0.0.1 listener relays to that Unix socket. The result looks like any other local server: a
 * port on 127.0.0.1, reachable by our in-process code, by our CLI and by the other peers' clients.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { type Child, canUsePrivateNetns, hasTool, start } from './processes.js';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

/** A running server peer. */
export interface ServerPeer {
  readonly port: number;
  readonly child: Child;
  stop(): Promise<void>;
}

export const peerAvailability = {
  openssl: () => hasTool('openssl'),
  python: () => hasTool('python3'),
  gnutlsServer: () => hasTool('gnutls-serv') && canUsePrivateNetns(),
  gnutlsClient: () => hasTool('gnutls-cli'),
};

/** Logs why a group of tests is skipped and returns the skip flag (for `describe.skipIf`). */
export function skipUnless(available: boolean, what: string): boolean {
  if (!available) console.log(`skipping: ${what} is not available on this machine (run node scripts/test-setup.mjs)`);
  return !available;
}

// ---------------------------------------------------------------- OpenSSL

/** `openssl s_server` on 127.0.0.1 (port chosen by the kernel). Default mode is `-rev`-less interactive: pass
 * `-www`, `-rev` or nothing in `args`. */
export async function startOpenSslServer(args: readonly string[]): Promise<ServerPeer> {
  const child = start('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args]);
  const match = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000);
  return { port: Number(match[1]), child, stop: () => child.stop() };
}

/** `openssl s_client` against 127.0.0.1:port; `-nocommands` so data lines starting with Q/R/K are data. */
export function startOpenSslClient(port: number, args: readonly string[]): Child {
  return start('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-nocommands', ...args]);
}

// ---------------------------------------------------------------- GnuTLS

/** Port gnutls-serv uses inside its private namespace (nothing else lives there, so a fixed port is safe). */
const gnutlsInnerPort = 5556;

/** `gnutls-serv` in a private network namespace, reachable at 127.0.0.1:port. */
export async function startGnutlsServer(args: readonly string[]): Promise<ServerPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-gnutls-'));
  const socketPath = join(dir, 'bridge.sock');
  const child = start('unshare', [
    '-rn',
    process.execPath,
    here('./netns-bridge.mjs'),
    socketPath,
    String(gnutlsInnerPort),
    '--',
    'gnutls-serv',
    '-p',
    String(gnutlsInnerPort),
    ...args,
  ]);
  try {
    await child.waitFor(/BRIDGE READY/, 10_000);
    await child.waitFor(/listening on IPv4 0\.0\.0\.0 port \d+\.\.\.done/, 10_000);
  } catch (err) {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const sockets = new Set<net.Socket>();
  const relay = net.createServer({ allowHalfOpen: true }, (outer) => {
    const inner = net.connect({ path: socketPath, allowHalfOpen: true });
    sockets.add(outer).add(inner);
    outer.on('close', () => sockets.delete(outer));
    inner.on('close', () => sockets.delete(inner));
    outer.pipe(inner);
    inner.pipe(outer);
    inner.on('error', () => outer.resetAndDestroy());
    // `inner` is a Unix socket: it has no RST (resetAndDestroy throws "This handle type cannot be sent").
    outer.on('error', () => inner.destroy());
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  const address = relay.address() as net.AddressInfo;
  return {
    port: address.port,
    child,
    async stop() {
      for (const socket of sockets) socket.destroy();
      relay.close();
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `gnutls-cli` against 127.0.0.1:port (gnutls-cli only connects, so it needs no namespace). */
export function startGnutlsClient(port: number, args: readonly string[]): Child {
  return start('gnutls-cli', ['-p', String(port), ...args, '127.0.0.1']);
}

// ---------------------------------------------------------------- Python ssl

export async function startPythonServer(args: readonly string[]): Promise<ServerPeer> {
  const child = start('python3', ['-u', here('./py/tls_server.py'), ...args]);
  const match = await child.waitFor(/READY (\d+)/, 10_000, 'stdout');
  return { port: Number(match[1]), child, stop: () => child.stop() };
}

/** One JSON line per event the Python server printed (`session`, `closed`, `error`, `handshake-error`). */
export function pythonServerEvents(peer: ServerPeer): Array<Record<string, unknown>> {
  return peer.child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface PythonClientResult {
  status: number;
  result: Record<string, unknown>;
  stderr: string;
}

export async function runPythonClient(port: number, args: readonly string[]): Promise<PythonClientResult> {
  const child = start('python3', [here('./py/tls_client.py'), '--port', String(port), ...args], { endInput: true });
  const status = await child.exited(20_000);
  const line = child
    .stdout()
    .split('\n')
    .find((l) => l.startsWith('{'));
  return { status, result: line ? (JSON.parse(line) as Record<string, unknown>) : {}, stderr: child.stderr() };
}

// ---------------------------------------------------------------- Node tls

/** A Node `tls` echo server on 127.0.0.1 (in this process). */
export async function startNodeTlsServer(
  options: tls.TlsOptions,
  onSecure?: (socket: tls.TLSSocket) => void,
): Promise<{ port: number; server: tls.Server; errors: Error[]; stop(): Promise<void> }> {
  const errors: Error[] = [];
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer(options, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (e) => errors.push(e));
    if (onSecure) onSecure(socket);
    else socket.pipe(socket);
  });
  server.on('tlsClientError', (e) => errors.push(e));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    errors,
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Connects Node's `tls` client, sends `send`, collects until `expectBytes` arrived or the peer closed. */
export async function nodeTlsRoundTrip(
  options: tls.ConnectionOptions,
  send: string | Uint8Array,
  expectBytes = typeof send === 'string' ? Buffer.byteLength(send) : send.length,
): Promise<{ socket: tls.TLSSocket; received: Buffer }> {
  const socket = tls.connect(options);
  const chunks: Buffer[] = [];
  let length = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('secureConnect', () => {
      if (expectBytes === 0) resolve();
      socket.write(send);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= expectBytes) resolve();
    });
    socket.on('end', () => resolve());
  });
  socket.end();
  return { socket, received: Buffer.concat(chunks) };
}
