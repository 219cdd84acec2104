/**
 * Fuzz targets for the TLS engine as a whole (E2's TLS 1.3 and H's TLS 1.2 state machines behind
 * SSLObject): one side is the victim, the other a real peer whose outgoing record *contents* the fuzz
 * input replaces before they are protected. So mutated handshake messages reach the victim properly
 * framed and, after the key change, properly encrypted: the parsers and state machine behind the AEAD get
 * fuzzed, not just the AEAD tag check.
 *
 * Input: a list of operations `[content type: 20 + (b % 4)][u16 length][content]`. Operation i stands in
 * for the peer's i-th record-layer send (a flight, an alert, application data); operations left over
 * after the handshake loop are sent afterwards (post-handshake messages, data, alerts). Seeds are the
 * sends of a real, deterministic handshake (seeded RNG, fixed clock), so an unmutated seed completes.
 *
 * Invariant (issue #10): for any input the victim either progresses or raises an SSLError (with an alert
 * to send, or one received); never another exception, never an unbounded loop, never more buffered data
 * than its limits.
 */
import {
  CERT_REQUIRED,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLObject,
  TLSVersion,
} from '@sanstls/core';
import { SSLEOFError, SSLError, SSLWantReadError, SSLZeroReturnError } from '@sanstls/x509';
import { createChain } from '@sanstls/x509/generate';
// The engine's one error → alert table (RFC 8446 §6.2): what the victim sends when it fails.
import { alertForError } from '../../packages/core/src/alerts.js';
import type { FuzzTarget } from '../engine.js';
import { Rng } from '../mutate.js';

/** Raised by the harness when the victim breaks an invariant other than "only SSLErrors". */
export class EngineInvariantError extends Error {}

export interface Op {
  type: number;
  content: Uint8Array;
}

export function encodeOps(ops: readonly Op[]): Uint8Array {
  const parts: number[] = [];
  for (const op of ops) {
    const n = Math.min(op.content.length, 0xffff);
    parts.push(op.type - 20, n >> 8, n & 0xff, ...op.content.subarray(0, n));
  }
  return Uint8Array.from(parts);
}

export function decodeOps(input: Uint8Array): Op[] {
  const ops: Op[] = [];
  let at = 0;
  while (at + 3 <= input.length) {
    const type = 20 + ((input[at] ?? 0) % 4);
    const n = ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0);
    ops.push({ type, content: input.subarray(at + 3, Math.min(input.length, at + 3 + n)) });
    at += 3 + n;
  }
  return ops;
}

const NOW = Date.UTC(2026, 0, 15);
/** Output the victim may queue in one run (its answers to a 16 KiB input). */
const MAX_OUTGOING_PER_RUN = 1 << 20;
/** One record's plaintext: the most the engine decrypts past `maxBufferedPlaintext` before it pauses. */
const RECORD_PLAINTEXT = 16_384;
const ROUNDS = 24;

interface Scenario {
  client: SSLContext;
  server: SSLContext;
  /** Per-run deterministic RNGs (the contexts read through these holders). */
  rng: { client: Rng; server: Rng };
}

const scenarios = new Map<string, Scenario>();

function seeded(seed: number): Rng {
  return new Rng(seed);
}

/**
 * 'basic': one key share, server authentication only. 'rich': more of the state machine — mutual TLS
 * (CertificateRequest, the client's Certificate and CertificateVerify) and, in TLS 1.3, a
 * HelloRetryRequest (the client's key share is x25519, the server only takes secp256r1) and the
 * server's NewSessionTickets after the handshake.
 */
export type Variant = 'basic' | 'rich';

function scenario(version: '1.3' | '1.2', variant: Variant): Scenario {
  const key = `${version}-${variant}`;
  const cached = scenarios.get(key);
  if (cached !== undefined) return cached;
  const chainRng = seeded(7);
  const chain = createChain({
    keyType: version === '1.3' ? 'ed25519' : 'ecdsa-p256',
    depth: 1,
    now: new Date(NOW),
    randomBytes: (n) => chainRng.bytes(n),
  });
  const rng = { client: seeded(1), server: seeded(2) };
  const client = new SSLContext(PROTOCOL_TLS_CLIENT, { randomBytes: (n) => rng.client.bytes(n), now: () => NOW });
  client.loadVerifyLocations({ cadata: chain.root.pem });
  const server = new SSLContext(PROTOCOL_TLS_SERVER, { randomBytes: (n) => rng.server.bytes(n), now: () => NOW });
  server.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
  for (const ctx of [client, server]) {
    ctx.setGroups(['x25519']);
    if (version === '1.2') {
      ctx.maximumVersion = TLSVersion.TLSv1_2;
    }
  }
  if (variant === 'rich') {
    client.setGroups(['x25519', 'secp256r1']);
    if (version === '1.3') server.setGroups(['secp256r1']);
    server.verifyMode = CERT_REQUIRED;
    server.loadVerifyLocations({ cadata: chain.root.pem });
    client.loadCertChain(chain.certChainPem, chain.leaf.keyPem); // the leaf allows clientAuth too
  }
  const s = { client, server, rng };
  scenarios.set(key, s);
  return s;
}

interface RecordLayerLike {
  send(type: number, content: Uint8Array, legacyVersion?: number): void;
  bufferedInput: number;
}

interface ConnectionInternals {
  record: RecordLayerLike;
  handshakeMessages: { bufferedLength: number };
}

const internals = (obj: SSLObject): ConnectionInternals => obj.connection as unknown as ConnectionInternals;

type Step = 'progress' | 'wait' | 'failed';

/** One engine step of `obj`; SSLErrors end that side, anything else propagates to the oracle. */
function step(obj: SSLObject, state: { done: boolean; failed: boolean; error?: unknown }): Step {
  if (state.failed) return 'failed';
  try {
    if (!state.done) {
      obj.doHandshake();
      state.done = true;
    }
    for (let i = 0; i < 64; i++) obj.read(16384);
    throw new EngineInvariantError('read() returned data 64 times in a row from bounded input');
  } catch (e) {
    if (e instanceof SSLWantReadError) return state.done ? 'progress' : 'wait';
    if (e instanceof SSLError) {
      // RFC 8446 §6: a failed connection tells its peer why — an alert to send, or one it received.
      const closed = e instanceof SSLZeroReturnError || e instanceof SSLEOFError;
      if (!closed && alertForError(e) === null && !e.alertReceived) {
        throw new EngineInvariantError(`SSLError without an alert: ${e.message}`);
      }
      // The engine turns any foreign exception into INTERNAL_ERROR (alerts.ts asTlsError): that keeps
      // callers safe, but for the fuzzer it is the crash it hides.
      if (e.cause !== undefined && !(e.cause instanceof SSLError)) {
        const cause =
          e.cause instanceof Error
            ? `${e.cause.constructor.name}: ${e.cause.message}\n${e.cause.stack ?? ''}`
            : String(e.cause);
        throw new EngineInvariantError(`the engine wrapped a non-SSLError as ${e.message}: ${cause}`);
      }
      state.failed = true;
      state.error = e;
      return 'failed';
    }
    throw e;
  }
}

/** The victim's buffers stay within its configured limits (packages/core/src/limits.ts). */
function checkBounds(obj: SSLObject, outgoing: MemoryBIO, side: string): void {
  const c = internals(obj);
  const limits = obj.connection.limits;
  const handshakeLimit = 4 + Math.max(limits.maxHandshakeMessageSize, limits.maxCertificateMessageSize);
  if (c.handshakeMessages.bufferedLength > handshakeLimit) {
    throw new EngineInvariantError(`${side} buffers ${c.handshakeMessages.bufferedLength} bytes of handshake data`);
  }
  if (c.record.bufferedInput > limits.maxBufferedInput) {
    throw new EngineInvariantError(`${side} holds ${c.record.bufferedInput} bytes of unprocessed input`);
  }
  if (obj.connection.pendingApplicationData > limits.maxBufferedPlaintext + RECORD_PLAINTEXT) {
    throw new EngineInvariantError(`${side} holds ${obj.connection.pendingApplicationData} bytes of unread plaintext`);
  }
  if (outgoing.pending > MAX_OUTGOING_PER_RUN) {
    throw new EngineInvariantError(`${side} queued ${outgoing.pending} bytes of output`);
  }
}

/**
 * Runs one connection. `ops === null` records the peer's real sends instead (the seed); otherwise the
 * peer's sends are replaced by `ops`.
 */
export function runConnection(
  version: '1.3' | '1.2',
  victim: 'client' | 'server',
  ops: Op[] | null,
  variant: Variant = 'basic',
): ConnectionOutcome {
  const s = scenario(version, variant);
  s.rng.client = seeded(1);
  s.rng.server = seeded(2);
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  const client = s.client.wrapBio(clientIn, clientOut, { serverHostname: 'localhost' });
  const server = s.server.wrapBio(serverIn, serverOut, { serverSide: true });
  return runPair(
    { client, server, clientIn, clientOut, serverIn, serverOut },
    victim,
    ops,
    `${version}, victim ${victim}`,
  );
}

/** Two fresh, connected-by-nothing-yet engines on their BIOs. */
export interface EnginePair {
  client: SSLObject;
  server: SSLObject;
  clientIn: MemoryBIO;
  clientOut: MemoryBIO;
  serverIn: MemoryBIO;
  serverOut: MemoryBIO;
}

export interface ConnectionOutcome {
  recorded: Op[];
  victimDone: boolean;
  victimError: unknown;
}

/**
 * Runs one connection of `pair` (see {@link runConnection}): the peer's record-layer sends are replaced by
 * `ops`, or recorded when `ops` is null; the victim runs under the invariants.
 */
export function runPair(
  pair: EnginePair,
  victim: 'client' | 'server',
  ops: Op[] | null,
  label: string,
): ConnectionOutcome {
  const { client, server, clientIn, clientOut, serverIn, serverOut } = pair;
  const peer = victim === 'client' ? server : client;
  const record = internals(peer).record;
  const send = record.send.bind(record);
  const recorded: Op[] = [];
  let next = 0;
  record.send = (type, content, legacyVersion) => {
    if (ops === null) {
      recorded.push({ type, content: content.slice() });
      send(type, content, legacyVersion);
      return;
    }
    const op = ops[next++];
    if (op !== undefined) send(op.type, op.content, legacyVersion);
  };
  const states = { client: { done: false, failed: false }, server: { done: false, failed: false } };
  const objects = { client, server };
  const victimObj = objects[victim];
  const victimOut = victim === 'client' ? clientOut : serverOut;
  const transfer = (): number => {
    let moved = 0;
    if (clientOut.pending > 0) {
      const b = clientOut.read();
      moved += b.length;
      if (!states.server.failed) serverIn.write(b);
    }
    if (serverOut.pending > 0) {
      const b = serverOut.read();
      moved += b.length;
      if (!states.client.failed) clientIn.write(b);
    }
    return moved;
  };
  const sendLeftovers = (): boolean => {
    if (ops === null || next >= ops.length || states[victim].failed) return false;
    // Post-handshake (or mid-handshake, when the peer stopped early): the remaining operations.
    while (next < ops.length) {
      const op = ops[next++] as Op;
      send(op.type, op.content);
    }
    // The record layer queued them; hand them over.
    const bytes = (peer.connection as unknown as { takeOutgoing(): Uint8Array | null }).takeOutgoing?.();
    if (bytes) (victim === 'client' ? clientIn : serverIn).write(bytes);
    return true;
  };
  let idle = 0;
  for (let round = 0; round < ROUNDS && idle < 2; round++) {
    for (const side of ['client', 'server'] as const) {
      const result = step(objects[side], states[side]);
      if (side === victim) checkBounds(victimObj, victimOut, victim);
      void result;
      transfer();
    }
    if (ops === null && states.client.done && states.server.done && round > 0 && recorded.length > 0) {
      if (!recorded.some((r) => r.type === 23)) peer.write(new TextEncoder().encode('ping from the peer'));
    }
    const moved = transfer();
    if (moved === 0 && clientIn.pending === 0 && serverIn.pending === 0) {
      if (!sendLeftovers()) idle++;
    } else idle = 0;
  }
  if (ops === null && !(states.client.done && states.server.done)) {
    throw new Error(
      `seed handshake (${label}) did not complete: ${String((states.client as { error?: unknown }).error ?? (states.server as { error?: unknown }).error)}`,
    );
  }
  return { recorded, victimDone: states[victim].done, victimError: (states[victim] as { error?: unknown }).error };
}

/** Does this handshake-record content hold a Finished message (type 20, RFC 8446 §4.4.4)? */
export function carriesFinished(content: Uint8Array): boolean {
  for (
    let at = 0;
    at + 4 <= content.length;
    at += 4 + ((content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]!)
  ) {
    if (content[at] === 20) return true;
  }
  return false;
}

export interface EngineTarget extends FuzzTarget {
  version: '1.3' | '1.2';
  victim: 'client' | 'server';
  variant: Variant;
}

function engineTarget(version: '1.3' | '1.2', victim: 'client' | 'server', variant: Variant = 'basic'): EngineTarget {
  const suffix = variant === 'basic' ? '' : version === '1.3' ? '-hrr-mtls' : '-mtls';
  return {
    version,
    victim,
    variant,
    name: `engine-${victim}-tls${version === '1.3' ? '13' : '12'}${suffix}`,
    seeds: () => [encodeOps(runConnection(version, victim, null, variant).recorded)],
    run: (input) => {
      runConnection(version, victim, decodeOps(input), variant);
    },
    maxLength: 16384,
  };
}

export const engineClient13 = engineTarget('1.3', 'client');
export const engineServer13 = engineTarget('1.3', 'server');
export const engineClient12 = engineTarget('1.2', 'client');
export const engineServer12 = engineTarget('1.2', 'server');
export const engineClient13Rich = engineTarget('1.3', 'client', 'rich');
export const engineServer13Rich = engineTarget('1.3', 'server', 'rich');
export const engineClient12Rich = engineTarget('1.2', 'client', 'rich');
export const engineServer12Rich = engineTarget('1.2', 'server', 'rich');
export const engineTargets: EngineTarget[] = [
  engineClient13,
  engineServer13,
  engineClient12,
  engineServer12,
  engineClient13Rich,
  engineServer13Rich,
  engineClient12Rich,
  engineServer12Rich,
];
