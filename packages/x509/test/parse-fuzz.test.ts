/**
 * Property test over mutated DER of real certificates: parseCertificate and decodeCertificate either
 * succeed or throw an SSLError, never another exception, and quickly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeCertificate, parseCertificate, parseCrl, pemBlocks, SSLError } from '@sanstls/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A handful of real certificates of different shapes (RSA/EC, with and without many extensions). */
function seeds(): Uint8Array[] {
  const dir = '/etc/ssl/certs';
  const out: Uint8Array[] = [];
  if (existsSync(dir)) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pem'))
      .sort();
    for (const f of files.filter((_, i) => i % Math.max(1, Math.floor(files.length / 8)) === 0).slice(0, 8)) {
      const block = pemBlocks(readFileSync(`${dir}/${f}`, 'latin1')).find((b) => b.label === 'CERTIFICATE');
      if (block !== undefined) out.push(block.der);
    }
  }
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'set'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x00, 0x30, 0x80, 0x81, 0x82, 0xff, 0x05, 0x06),
  }),
);

function apply(der: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = der.slice();
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
    else out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.count)]);
  }
  return out;
}

/** Runs `f`; anything thrown must be an SSLError. True when it succeeded. */
function succeedsOrSSLError(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (!(e instanceof SSLError)) throw new Error(`non-SSLError thrown: ${String(e)}`, { cause: e });
    return false;
  }
}

const certs = seeds();
if (certs.length === 0) console.log('skipping DER fuzzing: no certificates in /etc/ssl/certs');

describe.skipIf(certs.length === 0)('mutated certificate DER', () => {
  it('parses or raises an SSLError, quickly', () => {
    const started = performance.now();
    let runs = 0;
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: certs.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (index, mutations) => {
          const der = apply(certs[index] as Uint8Array, mutations);
          if (succeedsOrSSLError(() => parseCertificate(der))) parsed++;
          succeedsOrSSLError(() => decodeCertificate(der));
          succeedsOrSSLError(() => parseCrl(der));
          runs++;
        },
      ),
      { numRuns: 3000 },
    );
    const perCall = (performance.now() - started) / runs / 3;
    console.log(`fuzz: ${runs} mutated certificates (${parsed} still parse), ${perCall.toFixed(3)} ms per call`);
    // Mutations inside signatures, keys and string contents keep the structure: the fuzzer must reach
    // past the outer framing, or it proves nothing about the inner parsers.
    expect(parsed).toBeGreaterThan(runs / 20);
    expect(perCall).toBeLessThan(5);
  });

  it('parses or raises an SSLError for random bytes and random DER-looking prefixes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        succeedsOrSSLError(() => parseCertificate(bytes));
        succeedsOrSSLError(() =>
          parseCertificate(Uint8Array.of(0x30, 0x82, bytes.length >> 8, bytes.length & 0xff, ...bytes)),
        );
        succeedsOrSSLError(() => decodeCertificate(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
