/**
 * Coverage-guided fuzzing of every @sanstls/x509 reader (engine: fuzz/engine.ts; targets:
 * fuzz/targets/x509.ts). CI: replay of test-vectors/fuzz/<target>/ plus a fixed, seeded budget;
 * `pnpm fuzz` runs longer and saves what it finds.
 */
// First: V8 block coverage must start before our modules are compiled.
import '../../../fuzz/coverage.js';
import { fuzzSuite } from '../../../fuzz/suite.js';
import {
  certificateTarget,
  crlTarget,
  derTarget,
  pemTarget,
  pkcs12Target,
  privateKeyTarget,
  spkiTarget,
} from '../../../fuzz/targets/x509.js';

fuzzSuite(derTarget, { execs: 3000, seed: 1 });
fuzzSuite(certificateTarget, { execs: 3000, seed: 2 });
fuzzSuite(crlTarget, { execs: 2000, seed: 3 });
fuzzSuite(pemTarget, { execs: 2000, seed: 4 });
fuzzSuite(spkiTarget, { execs: 2000, seed: 5 });
fuzzSuite(privateKeyTarget, { execs: 2000, seed: 6 });
fuzzSuite(pkcs12Target, { execs: 1000, seed: 7 });
