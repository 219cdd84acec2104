/**
 * Engine fuzz targets seeded from the RFC 8448 traces (issue #10): the same harness as the other engine
 * targets (fuzz/targets/engine.ts: the peer's record contents are replaced by the input before they are
 * protected), but both sides are configured as the RFC 8448 runner configures them
 * (packages/core/src/conformance/rfc8448.ts: the RFC's randoms and ephemeral keys from a scripted RNG, its
 * clock, extension lists and CertificateVerify signatures through the replay hooks). So the RFC's own
 * flights — the "send … record" payloads of the trace, §3 Simple 1-RTT, §5 HelloRetryRequest, §6 client
 * authentication and §7 compatibility mode — are valid inputs that take the victim through a complete
 * handshake and past it (NewSessionTicket, application data, close_notify): mutations start deep.
 *
 * Input: one byte choosing the trace (modulo their number), then the operations of fuzz/targets/engine.ts.
 * Randomness past the RFC's values (a mutated path may draw more) comes from a seeded generator, so every run
 * is deterministic. §4 (0-RTT resumption) is left out, as in the runner: it needs the §3 server's ticket.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  fromHex,
  parseRfc8448Trace,
  type Rfc8448Case,
  type Rfc8448Trace,
  rfc8448Cases,
} from '@sanstls/core/conformance';
import type { FuzzTarget } from '../engine.js';
import { Rng } from '../mutate.js';
import { type ConnectionOutcome, decodeOps, encodeOps, type Op, runPair } from './engine.js';

const TRACE_DIR = new URL('../../test-vectors/rfc8448/', import.meta.url).pathname;
/** The traces the RFC 8448 runner replays on both sides, in selector order. */
export const RFC8448_TRACES = [
  'simple-1rtt.json',
  'hello-retry-request.json',
  'client-authentication.json',
  'compatibility-mode.json',
] as const;

interface TraceSetup {
  file: string;
  trace: Rfc8448Trace;
  client: Rfc8448Case;
  server: Rfc8448Case;
}

let setups: TraceSetup[] | undefined;

/** The traces and their runnable sides; empty when test-vectors/rfc8448 is absent. */
export function rfc8448Setups(): TraceSetup[] {
  if (setups !== undefined) return setups;
  setups = [];
  for (const file of RFC8448_TRACES) {
    const path = `${TRACE_DIR}${file}`;
    if (!existsSync(path)) continue;
    const trace = parseRfc8448Trace(readFileSync(path, 'utf8'));
    const cases = rfc8448Cases(trace);
    const client = cases.find((c) => c.side === 'client' && c.open !== undefined);
    const server = cases.find((c) => c.side === 'server' && c.open !== undefined);
    if (client !== undefined && server !== undefined) setups.push({ file, trace, client, server });
  }
  return setups;
}

/**
 * Record content types of the trace's "send <type> record" steps (RFC 8446 §5.1). The §7 dummy
 * change_cipher_spec records are not among them: the engine writes those past `record.send`, so they are no
 * operation the harness replaces (the peer's own go out unchanged).
 */
const CONTENT_TYPES: Record<string, number> = {
  alert: 21,
  handshake: 22,
  application_data: 23,
};

/** The records `side` sends in the trace, in order, as operations: their contents before protection. */
export function traceOps(trace: Rfc8448Trace, side: 'client' | 'server'): Op[] {
  const ops: Op[] = [];
  for (const item of trace.items) {
    const match = /^send (\w+) record$/.exec(item.step);
    if (item.side !== side || match === null || item.label !== 'payload') continue;
    const type = CONTENT_TYPES[match[1]!];
    if (type !== undefined) ops.push({ type, content: fromHex(item.hex) });
  }
  return ops;
}

/**
 * One side as the runner opens it, with the RFC's recorded randoms in order while the engine asks for the
 * same sizes, then (a mutated path) a seeded generator.
 */
function openSide(c: Rfc8448Case, seed: number) {
  const script = (c.transcript?.random ?? []).map((h) => fromHex(h));
  const fallback = new Rng(seed);
  let next = 0;
  const randomBytes = (n: number): Uint8Array => {
    const value = script[next];
    if (value !== undefined && value.length === n) {
      next++;
      return value.slice();
    }
    next = script.length; // off the recorded path for good
    return fallback.bytes(n);
  };
  return c.open!({ randomBytes }, () => {}).connection;
}

/** Runs one connection of trace `index`: `ops` replace the peer's sends (null: the peer's own, recorded). */
export function runRfc8448Connection(index: number, victim: 'client' | 'server', ops: Op[] | null): ConnectionOutcome {
  const setup = rfc8448Setups()[index]!;
  const client = openSide(setup.client, 1);
  const server = openSide(setup.server, 2);
  return runPair(
    {
      client: client.obj,
      server: server.obj,
      clientIn: client.incoming,
      clientOut: client.outgoing,
      serverIn: server.incoming,
      serverOut: server.outgoing,
    },
    victim,
    ops,
    `RFC 8448 ${setup.file}, victim ${victim}`,
  );
}

export interface Rfc8448EngineTarget extends FuzzTarget {
  victim: 'client' | 'server';
}

function rfc8448Target(victim: 'client' | 'server'): Rfc8448EngineTarget {
  const peer = victim === 'client' ? 'server' : 'client';
  return {
    victim,
    name: `engine-${victim}-tls13-rfc8448`,
    seeds: () =>
      rfc8448Setups().map((s, i) => {
        const ops = encodeOps(traceOps(s.trace, peer));
        const input = new Uint8Array(1 + ops.length);
        input[0] = i;
        input.set(ops, 1);
        return input;
      }),
    run: (input) => {
      const count = rfc8448Setups().length;
      if (input.length === 0 || count === 0) return;
      runRfc8448Connection(input[0]! % count, victim, decodeOps(input.subarray(1)));
    },
    maxLength: 16384,
  };
}

export const engineClient13Rfc8448 = rfc8448Target('client');
export const engineServer13Rfc8448 = rfc8448Target('server');
