/**
 * Coverage-guided fuzzing of both engine sides, TLS 1.3 and TLS 1.2 (fuzz/targets/engine.ts): a real
 * peer's record contents are replaced by the fuzz input before protection, so mutated messages reach
 * the victim's state machine well framed and encrypted. Invariant: progress or an SSLError, nothing
 * else, within bounded rounds and buffers.
 */
// First: V8 block coverage must start before our modules are compiled.
import '../../../fuzz/coverage.js';
import { SSLError } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { fuzzSuite } from '../../../fuzz/suite.js';
import {
  carriesFinished,
  engineClient12,
  engineClient12Rich,
  engineClient13,
  engineClient13Rich,
  engineServer12,
  engineServer12Rich,
  engineServer13,
  engineServer13Rich,
  engineTargets,
  runConnection,
} from '../../../fuzz/targets/engine.js';

fuzzSuite(engineClient13, { execs: 300, seed: 21 });
fuzzSuite(engineServer13, { execs: 300, seed: 22 });
fuzzSuite(engineClient12, { execs: 300, seed: 23 });
fuzzSuite(engineServer12, { execs: 300, seed: 24 });
fuzzSuite(engineClient13Rich, { execs: 150, seed: 25 });
fuzzSuite(engineServer13Rich, { execs: 150, seed: 26 });
fuzzSuite(engineClient12Rich, { execs: 150, seed: 27 });
fuzzSuite(engineServer12Rich, { execs: 150, seed: 28 });

describe('engine fuzz harness', () => {
  for (const target of engineTargets) {
    it(`${target.name}: the unmutated seed completes the victim's handshake; a flipped byte in the encrypted flight fails it with an SSLError`, () => {
      const seed = runConnection(target.version, target.victim, null, target.variant).recorded;
      const replayed = runConnection(target.version, target.victim, seed, target.variant);
      expect(replayed.victimError).toBeUndefined();
      expect(replayed.victimDone).toBe(true);
      // The peer's Finished travels protected: corrupting it must be caught (RFC 8446 §4.4.4). Found by
      // its message type, not position: NewSessionTickets may follow it.
      const last = seed
        .map((op, i) => [op, i] as const)
        .filter(([op]) => op.type === 22 && carriesFinished(op.content))
        .pop();
      expect(last).toBeDefined();
      const [op, index] = last!;
      const content = op.content.slice();
      content[content.length - 1]! ^= 1;
      const broken = runConnection(
        target.version,
        target.victim,
        seed.map((o, i) => (i === index ? { ...o, content } : o)),
        target.variant,
      );
      expect(broken.victimDone).toBe(false);
      expect(broken.victimError).toBeInstanceOf(SSLError);
    });
  }
});
