/**
 * The steps the OpenSSL interop tests share, over 127.0.0.1: `openssl s_server` with a testPki() leaf, our client
 * connected to it (resuming a session if given) and s_server -www's page fetched; `openssl s_client` against our
 * server. What they start goes into an {@link interopScope}, emptied after each test.
 */
import type { SSLContext, SSLSession } from '@sanstls/core';
import { afterEach } from 'vitest';
import { connect, listen, type PumpedConnection } from './socket-pump.js';
import { type KeyType, testPki } from './tls-pair.js';
import { freePort, type Peer, startPeer, within } from './tls12-peers.js';

/** Peers to stop and cleanups to run after each test of the file that made it. */
export interface InteropScope {
  readonly peers: Peer[];
  readonly cleanups: (() => unknown)[];
}

/** A scope whose peers are stopped and cleanups run after each test (call once, at the top of a test file). */
export function interopScope(): InteropScope {
  const scope: InteropScope = { peers: [], cleanups: [] };
  afterEach(() => {
    for (const p of scope.peers.splice(0)) p.stop();
    for (const f of scope.cleanups.splice(0)) f();
  });
  return scope;
}

/** `openssl s_server` on a free port with testPki()'s `keyType` leaf, then `args`; resolves once it accepts. */
export async function opensslServer(
  scope: InteropScope,
  args: readonly string[],
  keyType: KeyType = 'ec256',
): Promise<{ port: number; peer: Peer }> {
  const pki = testPki();
  const port = await freePort();
  const leaf = pki.leaf[keyType];
  const peer = startPeer('openssl', [
    's_server',
    '-accept',
    String(port),
    '-cert',
    leaf.certFile,
    '-key',
    leaf.keyFile,
    ...args,
  ]);
  scope.peers.push(peer);
  await peer.waitFor(/ACCEPT/);
  return { port, peer };
}

/** Our client (for 'localhost') connected to 127.0.0.1:port, offering `session` if given, its handshake done. */
export async function connectedClient(
  scope: InteropScope,
  port: number,
  ctx: SSLContext,
  session?: SSLSession,
): Promise<PumpedConnection> {
  const conn = await connect(port, ctx, 'localhost', session ?? null);
  scope.cleanups.push(() => conn.socket.destroy());
  await within(15_000, 'handshake with s_server', conn.handshakeDone);
  return conn;
}

/** Sends an HTTP GET (written as `pieces`) to s_server -www and resolves with its page, once complete. */
export function wwwPage(
  conn: PumpedConnection,
  pieces: readonly string[] = ['GET / HTTP/1.0\r\n\r\n'],
): Promise<string> {
  for (const piece of pieces) conn.write(piece);
  return conn.waitFor(/<\/HTML>|<\/BODY>|<\/pre>/i, 15_000);
}

/** {@link connectedClient}, then {@link wwwPage}: s_server -www's page about this connection, and the connection. */
export async function fetchPage(
  scope: InteropScope,
  port: number,
  ctx: SSLContext,
  session?: SSLSession,
): Promise<{ page: string; conn: PumpedConnection }> {
  const conn = await connectedClient(scope, port, ctx, session);
  return { page: await wwwPage(conn), conn };
}

/**
 * `openssl s_client` to 127.0.0.1:port trusting testPki()'s CA, SNI localhost, `-nocommands` (input lines are
 * data), then `args`; writes `input` when given.
 */
export function opensslClient(scope: InteropScope, port: number, args: readonly string[], input?: string): Peer {
  const pki = testPki();
  const peer = startPeer('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    '-nocommands',
    '-CAfile',
    pki.caFile,
    '-servername',
    'localhost',
    ...args,
  ]);
  scope.peers.push(peer);
  if (input !== undefined) peer.write(input);
  return peer;
}

/**
 * Our server on `ctx`, answering any data with `reply` and a newline; `openssl s_client` (as {@link opensslClient},
 * then `args`) says hello and waits for the answer. Resolves with everything s_client printed.
 */
export async function sClientSession(
  scope: InteropScope,
  ctx: SSLContext,
  args: readonly string[],
  reply: string,
): Promise<string> {
  const server = await listen(ctx, (conn) => {
    conn.onData = () => conn.write(`${reply}\n`);
  });
  scope.cleanups.push(server.close);
  return opensslClient(scope, server.port, args, 'hello\n').waitFor(new RegExp(reply), 15_000);
}

/** Our server on `ctx` answering each chunk with `prefix` + the chunk; its port and the connections it took. */
export async function echoServer(
  scope: InteropScope,
  ctx: SSLContext,
  prefix = 'echo:',
): Promise<{ port: number; connections: PumpedConnection[] }> {
  const connections: PumpedConnection[] = [];
  const server = await listen(ctx, (conn) => {
    connections.push(conn);
    scope.cleanups.push(() => conn.socket.destroy());
    let seen = 0;
    conn.onData = () => {
      const data = conn.received();
      if (data.length > seen) {
        conn.write(new Uint8Array([...new TextEncoder().encode(prefix), ...data.subarray(seen)]));
        seen = data.length;
      }
    };
  });
  scope.cleanups.push(server.close);
  return { port: server.port, connections };
}
