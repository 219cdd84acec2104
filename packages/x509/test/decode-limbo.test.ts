/**
 * The x509-limbo corpus (../shared/vectors/limbo) as a large body of real-world-shaped and hostile
 * certificates: every distinct certificate either decodes to exactly python3's getpeercert() dict or is
 * rejected by our stricter RFC 5280 parsing, and no rejected certificate belongs to a case that
 * expects a successful validation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { decodeCertificate, SSLError } from '@sanstls/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { havePython, pythonDecode, scratchDir } from './decode-oracle.js';

const LIMBO = new URL('../../../../shared/vectors/limbo/limbo.json', import.meta.url);
const haveLimbo = existsSync(LIMBO);
if (!haveLimbo) console.log('skipping limbo getpeercert parity: ../shared/vectors/limbo/limbo.json is absent');
if (!havePython) console.log('skipping limbo getpeercert parity: python3 ssl is missing');

interface LimboCase {
  readonly id: string;
  readonly expected_result: 'SUCCESS' | 'FAILURE';
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates: readonly string[];
  readonly peer_certificate: string;
}

describe.skipIf(!haveLimbo || !havePython)('getpeercert parity over the limbo certificates', () => {
  const { dir, cleanup } = scratchDir('sanstls-limbo-');
  afterAll(cleanup);

  it('decodes every limbo certificate as python3 does, or rejects it and only in cases expecting FAILURE', () => {
    const cases = (JSON.parse(readFileSync(LIMBO, 'utf8')) as { testcases: LimboCase[] }).testcases;
    const pems = [
      ...new Set(cases.flatMap((c) => [...c.trusted_certs, ...c.untrusted_intermediates, c.peer_certificate])),
    ];
    const paths = pems.map((pem, i) => {
      const path = join(dir, `${i}.pem`);
      writeFileSync(path, pem);
      return path;
    });
    const oracle = pythonDecode(paths);

    let equal = 0;
    const rejected = new Map<string, string>();
    const mismatches: string[] = [];
    pems.forEach((pem, i) => {
      const expected = oracle[i];
      let ours: unknown;
      try {
        ours = decodeCertificate(pem);
      } catch (e) {
        expect(e).toBeInstanceOf(SSLError);
        rejected.set(pem, (e as Error).message);
        return;
      }
      if (expected !== undefined && 'ok' in expected && isDeepStrictEqual(ours, expected.ok)) equal++;
      else mismatches.push(`${paths[i]}\n  python: ${JSON.stringify(expected)}\n  ours:   ${JSON.stringify(ours)}`);
    });
    const hurt = cases
      .filter((c) => c.expected_result === 'SUCCESS')
      .filter((c) =>
        [...c.trusted_certs, ...c.untrusted_intermediates, c.peer_certificate].some((p) => rejected.has(p)),
      )
      .map((c) => c.id);
    console.log(
      `limbo getpeercert parity: ${equal} of ${pems.length} distinct certificates equal; ` +
        `${rejected.size} rejected by RFC 5280 parsing (python3 decodes them leniently)`,
    );
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(hurt).toEqual([]);
    expect(equal + rejected.size).toBe(pems.length);
    expect(rejected.size).toBeLessThan(pems.length / 20);
    // ~30,000 files through one python3 process: tens of seconds on 2 loaded cores; the limit is a hang guard.
  }, 300_000);
});
