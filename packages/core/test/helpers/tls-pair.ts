/**
 * In-memory client↔server helpers (rustls-test's make_pair / do_handshake / transfer): two SSLObjects
 * over MemoryBIOs, and test certificates made with the openssl CLI in a temporary directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SSLContextOptions } from '@sanstls/core';
import {
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLObject,
  type SSLSession,
  SSLWantReadError,
} from '@sanstls/core';
import { expect } from 'vitest';
import { EC_P256, issueCertificate, makeCa, RSA_2048 } from './openssl-ca.js';

export type KeyType = 'ec256' | 'ec384' | 'ec521' | 'rsa2048' | 'rsapss' | 'ed25519';

export interface TestPki {
  dir: string;
  caPem: string;
  leaf: Record<KeyType, { certPem: string; keyPem: string; certFile: string; keyFile: string }>;
  client: { certPem: string; keyPem: string; certFile: string; keyFile: string };
  caFile: string;
}

const KEY_ARGS: Record<KeyType, readonly string[]> = {
  ec256: EC_P256,
  ec384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ec521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  rsa2048: RSA_2048,
  rsapss: ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

let cached: TestPki | undefined;

/** A CA (P-256), one server leaf per key type for 'localhost' / 127.0.0.1, and a client leaf. */
export function testPki(): TestPki {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-pki-'));
  const ca = makeCa(dir, 'ca', KEY_ARGS.ec256, 'sanstls test CA');
  const serverExt =
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n';
  const leaf = {} as TestPki['leaf'];
  for (const type of Object.keys(KEY_ARGS) as KeyType[]) {
    leaf[type] = issueCertificate(dir, 'ca', `server-${type}`, KEY_ARGS[type], serverExt);
  }
  const client = issueCertificate(
    dir,
    'ca',
    'client',
    KEY_ARGS.ec256,
    'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n',
  );
  cached = { dir, caPem: ca.certPem, leaf, client, caFile: ca.certFile };
  return cached;
}

/** A counter-based deterministic RNG (tests only). */
export function seededRandom(seed = 1): (n: number) => Uint8Array {
  let counter = seed;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      counter = (counter * 1103515245 + 12345) >>> 0;
      out[i] = counter >>> 16;
    }
    return out;
  };
}

export interface Pair {
  client: SSLObject;
  server: SSLObject;
  clientIn: MemoryBIO;
  clientOut: MemoryBIO;
  serverIn: MemoryBIO;
  serverOut: MemoryBIO;
}

export function serverContext(keyTypes: KeyType[] = ['ec256'], options: SSLContextOptions = {}): SSLContext {
  const pki = testPki();
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER, options);
  for (const t of keyTypes) ctx.loadCertChain(pki.leaf[t].certPem, pki.leaf[t].keyPem);
  return ctx;
}

export function clientContext(options: SSLContextOptions = {}): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, options);
  ctx.loadVerifyLocations({ cadata: testPki().caPem });
  return ctx;
}

/** A client and a server SSLObject over four MemoryBIOs; the client offers `session` to resume, if given. */
export function makePair(
  clientCtx: SSLContext,
  serverCtx: SSLContext,
  serverHostname: string | null = 'localhost',
  session: SSLSession | null = null,
): Pair {
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  const client = clientCtx.wrapBio(clientIn, clientOut, { serverHostname, session });
  const server = serverCtx.wrapBio(serverIn, serverOut, { serverSide: true });
  return { client, server, clientIn, clientOut, serverIn, serverOut };
}

/** Moves bytes both ways; returns how many bytes moved. */
export function transfer(pair: Pair): number {
  let moved = 0;
  if (pair.clientOut.pending > 0) {
    const b = pair.clientOut.read();
    moved += b.length;
    pair.serverIn.write(b);
  }
  if (pair.serverOut.pending > 0) {
    const b = pair.serverOut.read();
    moved += b.length;
    pair.clientIn.write(b);
  }
  return moved;
}

function step(obj: SSLObject): boolean {
  try {
    obj.doHandshake();
    return true;
  } catch (e) {
    if (e instanceof SSLWantReadError) return false;
    throw e;
  }
}

/** Runs both handshakes to completion (throws the first non-WantRead error). */
export function handshake(pair: Pair): void {
  for (let round = 0; round < 20; round++) {
    const c = step(pair.client);
    transfer(pair);
    const s = step(pair.server);
    transfer(pair);
    if (c && s && pair.clientOut.pending === 0 && pair.serverOut.pending === 0) {
      step(pair.client);
      transfer(pair);
      return;
    }
  }
  throw new Error('handshake did not complete');
}

/** One message each way after the handshake, checked ('ping', then 'pong': the client reads tickets with it). */
export function exchange(pair: Pair): void {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  pair.client.write('ping');
  transfer(pair);
  expect(text(readAll(pair.server))).toBe('ping');
  pair.server.write('pong');
  transfer(pair);
  expect(text(readAll(pair.client))).toBe('pong');
}

/** {@link handshake}, then {@link exchange}: the client holds a resumable session (TLS 1.3 tickets come with data). */
export function connectPair(pair: Pair): void {
  handshake(pair);
  exchange(pair);
}

/** The records in `bytes` (whole TLSPlaintext/TLSCiphertext records, RFC 8446 §5.1): type and a copy of the body. */
export function splitRecords(bytes: Uint8Array): { type: number; body: Uint8Array }[] {
  const out: { type: number; body: Uint8Array }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    out.push({ type: bytes[at]!, body: bytes.slice(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/** A record of `type` around `body`, legacy_record_version 0x0303. */
export function record(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out.set([type, 3, 3, body.length >> 8, body.length & 0xff]);
  out.set(body, 5);
  return out;
}

/** Runs the handshake until one side throws; returns both sides' errors. */
export function handshakeUntilError(pair: Pair): { client: unknown; server: unknown } {
  const errors: { client: unknown; server: unknown } = { client: undefined, server: undefined };
  for (let round = 0; round < 20; round++) {
    for (const side of ['client', 'server'] as const) {
      if (errors[side] !== undefined) continue;
      try {
        step(pair[side]);
      } catch (e) {
        errors[side] = e;
      }
      transfer(pair);
    }
    if (errors.client !== undefined && errors.server !== undefined) break;
    if (errors.client !== undefined || errors.server !== undefined) {
      if (pair.clientOut.pending === 0 && pair.serverOut.pending === 0 && round > 3) break;
    }
  }
  return errors;
}

/** Reads everything currently readable from an SSLObject. */
export function readAll(obj: SSLObject): Uint8Array {
  const parts: Uint8Array[] = [];
  for (;;) {
    try {
      parts.push(obj.read(65536));
    } catch (e) {
      if (e instanceof SSLWantReadError) break;
      throw e;
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
