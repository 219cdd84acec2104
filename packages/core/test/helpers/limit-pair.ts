/**
 * An in-memory client/server pair with configurable limits and a way to make one side's record layer
 * send raw records (protected under its real keys): what the limit tests and the engine property tests
 * use to flood a victim with well-formed but abusive traffic.
 */
import {
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLError,
  type SSLObject,
  SSLWantReadError,
  TLSVersion,
  type TlsLimits,
} from '@sanstls/core';
import { createChain } from '@sanstls/x509/generate';
import { transfer } from './tls-pair.js';

export const NOW = Date.UTC(2026, 0, 15);
export const chain = createChain({ keyType: 'ecdsa-p256', depth: 2, now: new Date(NOW) });

export interface Pair {
  client: SSLObject;
  server: SSLObject;
  clientIn: MemoryBIO;
  clientOut: MemoryBIO;
  serverIn: MemoryBIO;
  serverOut: MemoryBIO;
}

export interface PairOptions {
  version?: '1.2' | '1.3';
  clientLimits?: Partial<TlsLimits>;
  serverLimits?: Partial<TlsLimits>;
  /** PEM the server presents (default leaf + intermediate). */
  serverChainPem?: string;
  keylog?: (line: string) => void;
  /** Both sides' RNG (a seeded one makes runs repeatable). */
  randomBytes?: (n: number) => Uint8Array;
  /** The client offers post-handshake authentication with the chain's leaf as its certificate. */
  clientPostHandshakeAuth?: boolean;
}

export function makePair(options: PairOptions = {}): Pair {
  const rng = options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes };
  const client = new SSLContext(PROTOCOL_TLS_CLIENT, { now: () => NOW, ...rng });
  client.loadVerifyLocations({ cadata: chain.root.pem });
  const server = new SSLContext(PROTOCOL_TLS_SERVER, { now: () => NOW, ...rng });
  server.loadCertChain(options.serverChainPem ?? chain.certChainPem, chain.leaf.keyPem);
  if (options.version === '1.2') client.maximumVersion = TLSVersion.TLSv1_2;
  if (options.clientLimits) client.limits = options.clientLimits;
  if (options.serverLimits) server.limits = options.serverLimits;
  if (options.keylog) client.keylogCallback = options.keylog;
  if (options.clientPostHandshakeAuth) {
    client.postHandshakeAuth = true;
    client.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
  }
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  return {
    client: client.wrapBio(clientIn, clientOut, { serverHostname: 'localhost' }),
    server: server.wrapBio(serverIn, serverOut, { serverSide: true }),
    clientIn,
    clientOut,
    serverIn,
    serverOut,
  };
}

/** Moves bytes both ways (tls-pair's, for this pair shape too). */
export { transfer };

/** Runs both sides until neither moves; returns each side's first error. */
export function run(p: Pair): { client?: unknown; server?: unknown } {
  const errors: { client?: unknown; server?: unknown } = {};
  for (let round = 0; round < 30; round++) {
    for (const side of ['client', 'server'] as const) {
      if (errors[side] !== undefined) continue;
      try {
        p[side].doHandshake();
        p[side].read(1 << 20);
      } catch (e) {
        if (!(e instanceof SSLWantReadError)) errors[side] = e;
      }
    }
    if (transfer(p) === 0 && round > 2) break;
  }
  return errors;
}

/** A completed handshake (throws if it does not complete). */
export function connected(options: PairOptions = {}): Pair {
  const p = makePair(options);
  const errors = run(p);
  if (errors.client !== undefined || errors.server !== undefined) {
    throw new Error(`handshake failed: ${String(errors.client ?? errors.server)}`);
  }
  if (!p.client.connection.handshakeComplete || !p.server.connection.handshakeComplete) {
    throw new Error('handshake did not complete');
  }
  return p;
}

/** Moves what `from`'s engine queued (outside its SSLObject) to the other side's incoming BIO. */
export function flushEngine(p: Pair, from: 'client' | 'server'): void {
  const bytes = p[from].connection.takeOutgoing();
  if (bytes !== null) (from === 'client' ? p.serverIn : p.clientIn).write(bytes);
}

/** `from`'s record layer sends a raw record (protected under its current keys) to the other side. */
export function inject(p: Pair, from: 'client' | 'server', type: number, content: Uint8Array): void {
  const conn = p[from].connection as unknown as { record: { send(type: number, content: Uint8Array): void } };
  conn.record.send(type, content);
  flushEngine(p, from);
}

/** Reads on `obj`: the SSLError it raises, or undefined when it only wants more input. */
export function readError(obj: SSLObject, n = 1 << 20): SSLError | undefined {
  try {
    obj.read(n);
  } catch (e) {
    if (e instanceof SSLWantReadError) return undefined;
    if (!(e instanceof SSLError)) throw e;
    return e;
  }
  return undefined;
}
