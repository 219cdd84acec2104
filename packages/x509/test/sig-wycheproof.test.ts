/**
 * Wycheproof signature vectors through nobleSignatureProvider: every case of every file we implement.
 * valid → accepted, invalid → rejected, acceptable → the outcome our documented policy gives (see the
 * ACCEPTABLE_POLICY table, which every acceptable case must be listed in).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type HashName, nobleSignatureProvider, parsePublicKey, type SignatureAlgorithm } from '../src/index.js';
import { unhex } from './keys-openssl.js';

const dir = fileURLToPath(new URL('../../../../shared/vectors/wycheproof/', import.meta.url));
const haveVectors = existsSync(dir);
if (!haveVectors) console.log(`skipping Wycheproof signature vectors: ${dir} is absent`);

interface TestCase {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface TestGroup {
  publicKeyDer: string;
  sha?: string;
  mgfSha?: string;
  sLen?: number;
  tests: TestCase[];
}

const HASHES: Record<string, HashName> = {
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
function hashOf(name: string | undefined): HashName {
  const h = name === undefined ? undefined : HASHES[name];
  if (h === undefined) throw new Error(`unexpected hash ${name}`);
  return h;
}

/**
 * Our outcome for Wycheproof's "acceptable" cases, by the flag that makes them acceptable:
 * - MissingNull: a PKCS#1 v1.5 DigestInfo without NULL parameters — rejected (we compare the exact encoding).
 */
const ACCEPTABLE_POLICY: Record<string, boolean> = { MissingNull: false };

const FILES: [string, (g: TestGroup) => SignatureAlgorithm][] = [
  ['rsa_signature_2048_sha256_test.json', (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) })],
  ['rsa_signature_2048_sha384_test.json', (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) })],
  ['rsa_signature_2048_sha512_test.json', (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) })],
  ['rsa_signature_3072_sha256_test.json', (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) })],
  ['rsa_signature_4096_sha256_test.json', (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) })],
  ...[
    'rsa_pss_2048_sha256_mgf1_32_test.json',
    'rsa_pss_2048_sha384_mgf1_48_test.json',
    'rsa_pss_3072_sha256_mgf1_32_test.json',
    'rsa_pss_4096_sha512_mgf1_64_test.json',
    'rsa_pss_misc_test.json',
  ].map((f): [string, (g: TestGroup) => SignatureAlgorithm] => [
    f,
    (g) => ({ kind: 'rsa-pss', hash: hashOf(g.sha), mgfHash: hashOf(g.mgfSha), saltLength: g.sLen ?? -1 }),
  ]),
  ['ecdsa_secp256r1_sha256_test.json', (g) => ({ kind: 'ecdsa', hash: hashOf(g.sha) })],
  ['ecdsa_secp384r1_sha384_test.json', (g) => ({ kind: 'ecdsa', hash: hashOf(g.sha) })],
  ['ecdsa_secp521r1_sha512_test.json', (g) => ({ kind: 'ecdsa', hash: hashOf(g.sha) })],
  ['ed25519_test.json', () => ({ kind: 'ed25519' })],
];

describe.skipIf(!haveVectors)('Wycheproof signature verification', () => {
  for (const [file, algorithmOf] of FILES) {
    it(file, () => {
      const data = JSON.parse(readFileSync(dir + file, 'utf8')) as { numberOfTests: number; testGroups: TestGroup[] };
      const counts = { valid: 0, invalid: 0, acceptableAccepted: 0, acceptableRejected: 0 };
      const failures: string[] = [];
      for (const group of data.testGroups) {
        const key = parsePublicKey(unhex(group.publicKeyDer));
        const alg = algorithmOf(group);
        for (const t of group.tests) {
          const ok = nobleSignatureProvider.verify(alg, key, unhex(t.msg), unhex(t.sig));
          let expected: boolean;
          if (t.result === 'acceptable') {
            const policies = t.flags.filter((f) => f in ACCEPTABLE_POLICY);
            if (policies.length === 0) {
              failures.push(
                `tcId ${t.tcId}: acceptable case with flags ${t.flags.join(',')} has no documented policy (we ${ok ? 'accept' : 'reject'} it)`,
              );
              continue;
            }
            expected = policies.every((f) => ACCEPTABLE_POLICY[f]);
            if (ok) counts.acceptableAccepted++;
            else counts.acceptableRejected++;
          } else {
            expected = t.result === 'valid';
            counts[t.result]++;
          }
          if (ok !== expected)
            failures.push(`tcId ${t.tcId} (${t.result}, ${t.comment}, ${t.flags.join(',')}): got ${ok}`);
        }
      }
      const total = counts.valid + counts.invalid + counts.acceptableAccepted + counts.acceptableRejected;
      console.log(
        `${file}: ${total} cases — ${counts.valid} valid accepted, ${counts.invalid} invalid rejected, acceptable ${counts.acceptableAccepted} accepted / ${counts.acceptableRejected} rejected`,
      );
      expect(failures).toEqual([]);
      expect(total).toBe(data.numberOfTests);
    });
  }
});
