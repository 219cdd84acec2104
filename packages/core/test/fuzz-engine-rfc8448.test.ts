/**
 * Engine fuzzing seeded from the RFC 8448 traces (fuzz/targets/engine-rfc8448.ts): both engine sides set up
 * as the RFC 8448 runner sets them up, so the RFC's own flights (§3, §5, §6, §7) complete the victim's
 * handshake and every mutation starts from there. Invariant as in fuzz-engine.test.ts: progress or an
 * SSLError, within bounded rounds and buffers.
 */
// First: V8 block coverage must start before our modules are compiled.
import '../../../fuzz/coverage.js';
import { SSLError, SSLZeroReturnError } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { fuzzSuite } from '../../../fuzz/suite.js';
import { carriesFinished } from '../../../fuzz/targets/engine.js';
import {
  engineClient13Rfc8448,
  engineServer13Rfc8448,
  RFC8448_TRACES,
  rfc8448Setups,
  runRfc8448Connection,
  traceOps,
} from '../../../fuzz/targets/engine-rfc8448.js';

const available = rfc8448Setups().length === RFC8448_TRACES.length;
if (!available) console.log('fuzz-engine-rfc8448: skipped, test-vectors/rfc8448 is missing');

describe.skipIf(!available)('RFC 8448-seeded engine fuzzing', () => {
  fuzzSuite(engineClient13Rfc8448, { execs: 100, seed: 29 });
  fuzzSuite(engineServer13Rfc8448, { execs: 100, seed: 30 });

  describe('harness', () => {
    for (const [index, file] of RFC8448_TRACES.entries()) {
      for (const victim of ['client', 'server'] as const) {
        it(`${file}, victim ${victim}: the RFC's ${victim === 'client' ? 'server' : 'client'} records complete the handshake; a flipped bit in its Finished fails it with an SSLError`, () => {
          const setup = rfc8448Setups()[index]!;
          const ops = traceOps(setup.trace, victim === 'client' ? 'server' : 'client');
          const replayed = runRfc8448Connection(index, victim, ops);
          // The traces end with close_notify both ways: the victim ends cleanly (SSLZeroReturnError, RFC 8446 §6.1).
          expect(replayed.victimError).toBeInstanceOf(SSLZeroReturnError);
          expect(replayed.victimDone).toBe(true);
          // The peer's Finished travels protected: corrupting it must be caught (RFC 8446 §4.4.4).
          const finishedAt = ops.findIndex((op) => op.type === 22 && carriesFinished(op.content));
          const content = ops[finishedAt]!.content.slice();
          content[content.length - 1]! ^= 1;
          const broken = runRfc8448Connection(
            index,
            victim,
            ops.map((op, i) => (i === finishedAt ? { ...op, content } : op)),
          );
          expect(broken.victimDone).toBe(false);
          expect(broken.victimError).toBeInstanceOf(SSLError);
          expect(broken.victimError).not.toBeInstanceOf(SSLZeroReturnError);
        });
      }
    }
  });
});
