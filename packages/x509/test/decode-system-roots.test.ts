/**
 * getpeercert() parity over every certificate in /etc/ssl/certs, against python3's own decoder.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DER_cert_to_PEM_cert, decodeCertificate, pemBlocks } from '@sanstls/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { havePython, type OracleResult, pythonDecode, scratchDir } from './decode-oracle.js';

const CERT_DIR = '/etc/ssl/certs';

function systemCertFiles(): string[] {
  if (!existsSync(CERT_DIR)) return [];
  const seen = new Set<string>();
  for (const entry of readdirSync(CERT_DIR)) {
    const real = realpathSync(join(CERT_DIR, entry));
    if (!statSync(real).isFile()) continue;
    const text = readFileSync(real, 'latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) seen.add(real);
  }
  return [...seen].sort();
}

const files = systemCertFiles();
if (!havePython || files.length === 0)
  console.log('skipping system-root parity: python3 ssl or /etc/ssl/certs missing');

describe.skipIf(!havePython || files.length === 0)('decodeCertificate parity with python3 on system roots', () => {
  it(`matches ssl._ssl._test_decode_cert on every file in ${CERT_DIR}`, () => {
    const expected = pythonDecode(files);
    const mismatches: string[] = [];
    let equal = 0;
    compare(files, expected, mismatches, () => equal++);
    console.log(`getpeercert parity: ${equal} of ${files.length} system certificate files equal`);
    expect(mismatches).toEqual([]);
    expect(equal).toBe(files.length);
  });

  it('matches on every distinct certificate inside those files (bundles included), each as its own PEM file', () => {
    const { dir, cleanup } = scratchDir('sanstls-roots-');
    afterAll(cleanup);
    const seen = new Set<string>();
    const singles: string[] = [];
    for (const file of files) {
      for (const block of pemBlocks(readFileSync(file, 'latin1'))) {
        if (block.label !== 'CERTIFICATE') continue;
        const key = Buffer.from(block.der).toString('base64');
        if (seen.has(key)) continue;
        seen.add(key);
        const path = join(dir, `${singles.length}.pem`);
        writeFileSync(path, DER_cert_to_PEM_cert(block.der));
        singles.push(path);
      }
    }
    const expected = pythonDecode(singles);
    const mismatches: string[] = [];
    let equal = 0;
    compare(singles, expected, mismatches, () => equal++);
    console.log(`getpeercert parity: ${equal} of ${singles.length} distinct system certificates equal`);
    expect(mismatches).toEqual([]);
    expect(equal).toBe(singles.length);
  });
});

function compare(files: string[], expected: OracleResult[], mismatches: string[], onEqual: () => void): void {
  files.forEach((file, i) => {
    const oracle = expected[i];
    let ours: unknown;
    try {
      ours = decodeCertificate(readFileSync(file, 'latin1'));
    } catch (e) {
      ours = { error: (e as Error).message };
    }
    if (oracle !== undefined && 'ok' in oracle) {
      try {
        expect(ours).toEqual(oracle.ok);
        onEqual();
      } catch {
        mismatches.push(`${file}\n  python: ${JSON.stringify(oracle.ok)}\n  ours:   ${JSON.stringify(ours)}`);
      }
    } else mismatches.push(`${file}: python failed (${JSON.stringify(oracle)})`);
  });
}
