/**
 * Engine invariants as properties (issue #10), checked with fast-check:
 *
 * 1. For any input the engine progresses or raises an SSLError with an alert (one to send, or one it
 *    received); never another exception type, never an unbounded loop, never more buffered data than its
 *    limits. Inputs: structured mutations of real handshakes (both versions, both sides) delivered under
 *    the real record protection, and raw byte streams at an unkeyed engine.
 * 2. A model of the flood limits: for any sequence of empty records, warning alerts, KeyUpdates, tickets,
 *    data and reads, the engine fails exactly when (and with the reason) the model says a counter passed
 *    its configured limit, delivers the data sent before that point intact and in order, and never holds
 *    more than `maxBufferedPlaintext` (+ one record) of plaintext or `maxBufferedInput` of input.
 */
import {
  type LOCAL_FAILURE_ALERT,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLZeroReturnError,
} from '@sanstls/core';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineTargets, runConnection } from '../../../fuzz/targets/engine.js';
import { alertForError } from '../src/alerts.js';
import { encodeNewSessionTicketTls13 } from '../src/codec/messages.js';
import { encodeAlert } from '../src/codec/record.js';
import { chain, connected, flushEngine, inject, NOW, type Pair, transfer } from './helpers/limit-pair.js';

/** Cases per property: 25 in CI; `pnpm fuzz` (FUZZ_SECONDS) or PROPERTY_RUNS run more. */
/** fast-check seed base: fixed in CI (a failure reproduces), FUZZ_SEED under `pnpm fuzz`. */
const SEED = Number(process.env.FUZZ_SEED ?? 0);
const RUNS = Number(
  process.env.PROPERTY_RUNS ?? (process.env.FUZZ_SECONDS !== undefined ? Number(process.env.FUZZ_SECONDS) * 5 : 25),
);

interface Op {
  type: number;
  content: Uint8Array;
}

/** A structured edit of the peer's recorded sends. */
type Edit =
  | { kind: 'flip'; at: number; offset: number; bit: number }
  | { kind: 'truncate'; at: number; length: number }
  | { kind: 'replace'; at: number; type: number; content: Uint8Array }
  | { kind: 'insert'; at: number; type: number; content: Uint8Array }
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'retype'; at: number; type: number };

const contentType = fc.constantFrom(20, 21, 22, 23);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    offset: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), length: fc.nat() }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    type: contentType,
    content: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    type: contentType,
    content: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), type: contentType }),
);

function applyEdits(seed: readonly Op[], edits: readonly Edit[]): Op[] {
  const ops = seed.map((o) => ({ type: o.type, content: o.content.slice() }));
  for (const e of edits) {
    const at = ops.length === 0 ? 0 : e.at % ops.length;
    const op = ops[at];
    switch (e.kind) {
      case 'flip':
        if (op !== undefined && op.content.length > 0) op.content[e.offset % op.content.length]! ^= 1 << e.bit;
        break;
      case 'truncate':
        if (op !== undefined) op.content = op.content.subarray(0, e.length % (op.content.length + 1));
        break;
      case 'replace':
        if (op !== undefined) ops[at] = { type: e.type, content: e.content };
        break;
      case 'insert':
        ops.splice(at, 0, { type: e.type, content: e.content });
        break;
      case 'drop':
        ops.splice(at, 1);
        break;
      case 'duplicate':
        if (op !== undefined) ops.splice(at, 0, { type: op.type, content: op.content.slice() });
        break;
      case 'retype':
        if (op !== undefined) op.type = e.type;
        break;
    }
  }
  return ops;
}

describe('for any input the engine progresses or raises an SSLError with an alert', () => {
  for (const target of engineTargets) {
    it(`${target.name}: structured mutations of a real handshake, under real record protection`, () => {
      const seed = runConnection(target.version, target.victim, null, target.variant).recorded;
      fc.assert(
        fc.property(fc.array(editArb, { minLength: 1, maxLength: 6 }), (edits) => {
          // runConnection raises EngineInvariantError for a non-SSLError, an SSLError without an alert,
          // an unbounded read loop, or buffers past the limits; the rounds are bounded.
          const result = runConnection(target.version, target.victim, applyEdits(seed, edits), target.variant);
          if (result.victimError !== undefined) expect(result.victimError).toBeInstanceOf(SSLError);
        }),
        { numRuns: RUNS, seed: SEED + 1000 + engineTargets.indexOf(target) },
      );
    });
  }

  for (const side of ['client', 'server'] as const) {
    it(`${side}: raw byte streams in arbitrary fragments before any key is set`, () => {
      // Plausible record headers make the bytes reach the handshake parser rather than fail at byte 0.
      const record = fc
        .tuple(contentType, fc.constantFrom(0x0301, 0x0303, 0x0300), fc.uint8Array({ maxLength: 400 }))
        .map(([type, version, body]) =>
          Uint8Array.of(type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff, ...body),
        );
      const chunk = fc.oneof(record, fc.uint8Array({ maxLength: 64 }));
      fc.assert(
        fc.property(fc.array(chunk, { maxLength: 8 }), fc.boolean(), (chunks, eof) => {
          const ctx = side === 'server' ? new SSLContext(PROTOCOL_TLS_SERVER, { now: () => NOW }) : clientContext();
          if (side === 'server') ctx.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
          const incoming = new MemoryBIO();
          const outgoing = new MemoryBIO();
          const obj = ctx.wrapBio(
            incoming,
            outgoing,
            side === 'server' ? { serverSide: true } : { serverHostname: 'x' },
          );
          const feeds = [...chunks, null];
          for (const c of feeds) {
            if (c === null) {
              if (eof) incoming.writeEof();
            } else incoming.write(c);
            try {
              obj.doHandshake();
            } catch (e) {
              if (e instanceof SSLWantReadError) continue;
              expect(e).toBeInstanceOf(SSLError);
              const err = e as SSLError;
              const closed = err instanceof SSLEOFError || err instanceof SSLZeroReturnError;
              expect(closed || err.alertReceived || alertForError(err) !== null, err.message).toBe(true);
              // No foreign exception hides behind the SSLError (alerts.ts wraps those as INTERNAL_ERROR).
              expect(err.cause === undefined || err.cause instanceof SSLError, String(err.cause)).toBe(true);
              break;
            }
          }
          expect(outgoing.pending).toBeLessThan(1 << 16);
          expect(obj.connection.receiveRoom).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: RUNS * 4, seed: SEED + (side === 'client' ? 2001 : 2002) },
      );
    });
  }
});

function clientContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, { now: () => NOW });
  ctx.loadVerifyLocations({ cadata: chain.root.pem });
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// The flood limits against a model

type Action =
  | { kind: 'empty' }
  | { kind: 'data'; length: number }
  | { kind: 'warning' }
  | { kind: 'keyUpdate' }
  | { kind: 'ticket' }
  | { kind: 'read'; length: number };

function actionArb(version: '1.2' | '1.3'): fc.Arbitrary<Action> {
  const common: fc.Arbitrary<Action>[] = [
    fc.constant({ kind: 'empty' as const }),
    fc.integer({ min: 1, max: 40_000 }).map((length) => ({ kind: 'data' as const, length })),
    fc.constant({ kind: 'warning' as const }),
    fc.integer({ min: 0, max: 30_000 }).map((length) => ({ kind: 'read' as const, length })),
  ];
  if (version === '1.3') {
    common.push(fc.constant({ kind: 'keyUpdate' as const }), fc.constant({ kind: 'ticket' as const }));
  }
  return fc.oneof(...common);
}

const limitsArb = fc.record({
  maxEmptyRecords: fc.integer({ min: 1, max: 6 }),
  maxWarningAlerts: fc.integer({ min: 1, max: 6 }),
  maxKeyUpdatesWithoutData: fc.integer({ min: 1, max: 6 }),
  maxTicketsPerConnection: fc.integer({ min: 1, max: 4 }),
  maxBufferedPlaintext: fc.integer({ min: 1, max: 64 * 1024 }),
  maxBufferedInput: fc.integer({ min: 40 * 1024, max: 256 * 1024 }),
});

type Reason = keyof typeof LOCAL_FAILURE_ALERT;

/** What the engine must do with the records `actions` put on the wire, in order. */
function model(actions: readonly Action[], limits: fc.RecordValue<typeof limitsArb>) {
  let empty = 0;
  let warnings = 0;
  let keyUpdates = 0;
  let tickets = 0;
  let dataBefore = 0;
  for (const a of actions) {
    let failure: Reason | null = null;
    switch (a.kind) {
      case 'empty':
        if (++empty > limits.maxEmptyRecords) failure = 'TOO_MANY_EMPTY_RECORDS';
        break;
      case 'data':
        empty = 0;
        keyUpdates = 0;
        dataBefore += a.length;
        break;
      case 'warning':
        if (++warnings > limits.maxWarningAlerts) failure = 'TOO_MANY_WARN_ALERTS';
        break;
      case 'keyUpdate':
        if (++keyUpdates > limits.maxKeyUpdatesWithoutData) failure = 'TOO_MANY_KEY_UPDATES';
        break;
      case 'ticket':
        tickets++;
        break;
      case 'read':
        break;
    }
    if (failure !== null) return { failure, dataBefore, tickets };
  }
  return { failure: null, dataBefore, tickets };
}

const nst = encodeNewSessionTicketTls13({
  ticketLifetime: 60,
  ticketAgeAdd: 7,
  ticketNonce: Uint8Array.of(0),
  ticket: new Uint8Array(40).fill(1),
  extensions: [],
});

describe('flood limits and plaintext backpressure follow the model', () => {
  // Handshakes are the expensive part: one pair per version is set up per run.
  for (const version of ['1.3', '1.2'] as const) {
    it(`TLS ${version}`, () => {
      fc.assert(
        fc.property(limitsArb, fc.array(actionArb(version), { minLength: 1, maxLength: 30 }), (limits, actions) => {
          const p: Pair = connected({ version, clientLimits: limits });
          const victim = p.client;
          const conn = victim.connection;
          const ticketsBefore = conn.ticketsReceived;
          const expected = model(actions, limits);
          const sent: number[] = [];
          let received = 0;
          let error: unknown;
          const check = () => {
            expect(conn.pendingApplicationData).toBeLessThan(limits.maxBufferedPlaintext + 16_384);
            expect(limits.maxBufferedInput - conn.receiveRoom).toBeLessThanOrEqual(limits.maxBufferedInput);
          };
          const read = (n: number): boolean => {
            try {
              const data = victim.read(n);
              for (const b of data) {
                if (b !== (sent[received] ?? -1)) throw new Error(`byte ${received} differs`);
                received++;
              }
              check();
              return data.length > 0;
            } catch (e) {
              if (e instanceof SSLWantReadError) return false;
              error = e;
              return false;
            }
          };
          for (const a of actions) {
            if (error !== undefined) break;
            switch (a.kind) {
              case 'empty':
                inject(p, 'server', 23, new Uint8Array(0));
                break;
              case 'data': {
                const data = new Uint8Array(a.length).map((_, i) => (sent.length + i) * 13);
                for (const b of data) sent.push(b);
                p.server.write(data);
                transfer(p);
                break;
              }
              case 'warning':
                // TLS 1.3 has one non-fatal alert, user_canceled (§6.1); TLS 1.2 any warning (RFC 5246 §7.2).
                inject(p, 'server', 21, encodeAlert(1, version === '1.3' ? 90 : 112));
                break;
              case 'keyUpdate':
                p.server.connection.keyUpdate(false);
                flushEngine(p, 'server');
                break;
              case 'ticket':
                inject(p, 'server', 22, nst);
                break;
              case 'read':
                read(a.length);
                break;
            }
            // The engine runs on every call; read(0) processes input without consuming plaintext.
            read(0);
          }
          // Drain: everything sent before the first violation arrives, then the violation is reported.
          for (let i = 0; i < 10_000 && error === undefined; i++) if (!read(65_536)) break;
          if (expected.failure === null) {
            expect(error).toBeUndefined();
            expect(received).toBe(sent.length);
            expect(conn.ticketsReceived - ticketsBefore).toBe(expected.tickets);
            // Tickets past the limit (the server's own after the handshake included) are dropped.
            expect(conn.ticketsDropped).toBe(Math.max(0, conn.ticketsReceived - limits.maxTicketsPerConnection));
          } else {
            expect(error).toBeInstanceOf(SSLError);
            expect((error as SSLError).reason).toBe(expected.failure);
            expect(received).toBeLessThanOrEqual(expected.dataBefore);
          }
        }),
        { numRuns: RUNS, seed: SEED + (version === '1.3' ? 3001 : 3002) },
      );
    });
  }
});
