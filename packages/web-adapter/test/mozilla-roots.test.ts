/**
 * The generated Mozilla roots module: every root of the system bundle, parsed; the generator is reproducible
 * (same input, same bytes) and writes an empty, throwing module when the bundle is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCertificate, pemBlocks } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';

const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const MOZILLA_DIR = '/usr/share/ca-certificates/mozilla';
const LOCAL_DIR = '/usr/local/share/ca-certificates';
const script = fileURLToPath(new URL('../../../scripts/gen-mozilla-roots.mjs', import.meta.url));
const haveBundle = existsSync(BUNDLE);
if (!haveBundle) console.log(`mozilla-roots.test: skipped: ${BUNDLE} is absent`);

function generate(out: string, bundle = BUNDLE): string {
  execFileSync(process.execPath, [script, bundle, '--out', out], { stdio: 'pipe' });
  return readFileSync(out, 'utf8');
}

describe.skipIf(!haveBundle)('@sanstls/web-adapter/mozilla-roots', () => {
  it('holds every certificate of the system bundle, each one parsing, with the bundle date', async () => {
    execFileSync(process.execPath, [script], { stdio: 'pipe' }); // the module the entry imports
    const { mozillaRoots, MOZILLA_ROOTS_DATE, MOZILLA_ROOTS_SOURCE } = await import(
      '@sanstls/web-adapter/mozilla-roots'
    );
    const hex = (der: Uint8Array) => Buffer.from(der).toString('hex');
    // Debian ships Mozilla's roots one per file; the bundle adds what an administrator installed locally.
    const shipped = existsSync(MOZILLA_DIR)
      ? new Set(
          readdirSync(MOZILLA_DIR).flatMap((f) =>
            pemBlocks(readFileSync(join(MOZILLA_DIR, f), 'latin1')).map((b) => hex(b.der)),
          ),
        )
      : null;
    const expected = pemBlocks(readFileSync(BUNDLE, 'latin1')).filter(
      (b) => b.label === 'CERTIFICATE' && (shipped === null || shipped.has(hex(b.der))),
    );
    const roots = mozillaRoots();
    expect(roots.length).toBe(new Set(expected.map((b) => hex(b.der))).size);
    const local = existsSync(LOCAL_DIR) ? readdirSync(LOCAL_DIR).filter((f) => f.endsWith('.crt')) : [];
    const rootSet = new Set(roots.map(hex));
    for (const f of local) {
      for (const b of pemBlocks(readFileSync(join(LOCAL_DIR, f), 'latin1')))
        expect(rootSet.has(hex(b.der))).toBe(false);
    }
    expect(MOZILLA_ROOTS_SOURCE.count).toBe(roots.length);
    expect(MOZILLA_ROOTS_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const der of roots) expect(parseCertificate(der).basicConstraints?.ca).not.toBe(false);
    expect(roots[0]).toEqual(expected[0]!.der);
    roots[0]![0] = 0; // callers get copies
    expect(mozillaRoots()[0]![0]).toBe(0x30);
  });

  it('is reproducible, and empty without a bundle (mozillaRoots() then throws)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanstls-roots-'));
    const a = generate(join(dir, 'a.ts'));
    const b = generate(join(dir, 'b.ts'));
    expect(a).toBe(b);
    const empty = generate(join(dir, 'empty.ts'), join(dir, 'absent.crt'));
    expect(empty).toContain('ROOTS_BASE64: readonly string[] = [];');
    expect(empty).toContain('count: 0');
  });
});
