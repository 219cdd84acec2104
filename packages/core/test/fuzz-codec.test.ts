/**
 * Coverage-guided fuzzing of the TLS wire codec (engine: fuzz/engine.ts; targets: fuzz/targets/codec.ts):
 * records, handshake reassembly, every handshake message and typed extension, with the round-trip
 * oracle. CI: replay of test-vectors/fuzz/<target>/ plus a fixed, seeded budget; `pnpm fuzz` runs longer.
 */
// First: V8 block coverage must start before our modules are compiled.
import '../../../fuzz/coverage.js';
import { fuzzSuite } from '../../../fuzz/suite.js';
import { extensionTarget, handshakeTarget, recordTarget } from '../../../fuzz/targets/codec.js';

fuzzSuite(recordTarget, { execs: 3000, seed: 11 });
fuzzSuite(handshakeTarget, { execs: 4000, seed: 12 });
fuzzSuite(extensionTarget, { execs: 4000, seed: 13 });
