/**
 * `@sanstls/core/conformance`: tools to test other TLS implementations with the sanstls codec and
 * engine (issue #11) — the server prober's battery and answer classification ({@link PROBES},
 * {@link ProbeResponseReader}, {@link judgeProbe}), transcripts (record, print, replay with first-byte
 * diffs) and the RFC 8448 vector runner. Pure and synchronous: transports are the caller's.
 * @module
 */
export * from './probe.js';
