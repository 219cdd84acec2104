/**
 * `@sanstls/core/conformance`: tools to test other TLS implementations with the sanstls codec and
 * engine (issue #11) — the server prober's battery and answer classification ({@link PROBES},
 * {@link ProbeResponseReader}, {@link judgeProbe}), deterministic inputs ({@link seededRandom},
 * {@link scriptedRandom}, {@link fixedClock}), transcripts ({@link TranscriptRecorder}, readable JSON
 * with records, messages and NSS key-log lines; {@link replayTranscript} with the first differing
 * byte) and the RFC 8448 vector runner ({@link runRfc8448}). Pure and synchronous: transports and
 * files are the caller's.
 * @module
 */
export * from './deterministic.js';
export * from './probe.js';
export * from './replay.js';
export * from './rfc8448.js';
export * from './transcript.js';

import { defaultProvider } from '../crypto/noble.js';
import { setDefaultCryptoProvider } from '../slots.js';
import { installPrivateKeySupport, installServerSupport } from '../support.js';

// The conformance tools run servers, load keys and build contexts with the default (noble) provider
// whichever entry the program imported first (slots.ts).
installServerSupport();
installPrivateKeySupport();
setDefaultCryptoProvider(defaultProvider);
