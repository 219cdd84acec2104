import { createCipheriv } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createAesGcmKey } from '../src/crypto/gcm.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function nodeSeal(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

describe('AES-GCM with cached key schedule against node:crypto', () => {
  test('every length class, aligned and unaligned views, reused key', () => {
    for (const keyLength of [16, 32]) {
      const key = crypto.getRandomValues(new Uint8Array(keyLength));
      const sealer = createAesGcmKey(key);
      for (const len of [0, 1, 15, 16, 17, 100, 16384, 16385]) {
        for (const aadLength of [0, 5, 13, 16, 40]) {
          const nonce = crypto.getRandomValues(new Uint8Array(12));
          const pt = crypto.getRandomValues(new Uint8Array(len + 1)).subarray(1);
          const aad = crypto.getRandomValues(new Uint8Array(aadLength));
          const ct = sealer.seal(nonce, pt, aad);
          expect(hex(ct)).toBe(hex(nodeSeal(key, nonce, pt, aad)));
          expect(sealer.open(nonce, ct, aad)).toEqual(pt);
          const unalignedCt = new Uint8Array(ct.length + 3).subarray(3);
          unalignedCt.set(ct);
          expect(sealer.open(nonce, unalignedCt, aad)).toEqual(pt);
        }
      }
    }
  });
});

describe('AES-GCM on a big-endian host (simulated)', () => {
  /**
   * gcm.ts reads records as native words; on a big-endian host its `native`/`bigEndian` conversions swap
   * roles (issue #9 removed noble's one-shot gcm() that used to serve such hosts). No big-endian machine
   * runs this suite, so the module is rebuilt here with IS_LITTLE_ENDIAN false and every Uint32Array view
   * replaced by one that stores its words big-endian, which is what those views do there.
   */
  async function bigEndianGcm(): Promise<typeof createAesGcmKey> {
    const { build } = await import('esbuild');
    const { readFileSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { fileURLToPath, pathToFileURL } = await import('node:url');
    const dir = fileURLToPath(new URL('../src/crypto/', import.meta.url));
    const source = readFileSync(join(dir, 'gcm.ts'), 'utf8');
    const flag = /const IS_LITTLE_ENDIAN = [^;]+;/;
    expect(source).toMatch(flag);
    const patched = `${source.replace(flag, 'const IS_LITTLE_ENDIAN = false;').replaceAll('new Uint32Array(', 'bigEndianWords(')}
function bigEndianWords(buffer: ArrayBufferLike, byteOffset = 0, length?: number): Uint32Array {
  const view = new DataView(buffer, byteOffset);
  const count = length ?? (buffer.byteLength - byteOffset) >>> 2;
  const index = (p: string | symbol) => (typeof p === 'string' && /^\\d+$/.test(p) ? Number(p) : -1);
  // The real view shares the memory, for what is endian-neutral (length, fill(0)).
  return new Proxy(new Uint32Array(buffer, byteOffset, count), {
    get: (target, p) => {
      const i = index(p);
      if (i < 0) {
        const member = Reflect.get(target, p);
        return typeof member === 'function' ? member.bind(target) : member;
      }
      return i < count ? view.getUint32(i * 4) : undefined;
    },
    set: (target, p, value) => {
      const i = index(p);
      if (i < 0) return Reflect.set(target, p, value);
      if (i < count) view.setUint32(i * 4, value >>> 0);
      return true;
    },
  });
}`;
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const result = await build({
      stdin: { contents: patched, resolveDir: dir, loader: 'ts', sourcefile: 'gcm-big-endian.ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      logLevel: 'silent',
      alias: { '@sanstls/x509': join(root, 'packages/x509/src/index.ts') },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'sanstls-gcm-be-')), 'gcm.mjs');
    writeFileSync(file, result.outputFiles[0]!.text);
    return (await import(pathToFileURL(file).href)).createAesGcmKey;
  }

  test('seal, open and sealInPlace match node:crypto', async () => {
    const create = await bigEndianGcm();
    for (const keyLength of [16, 32]) {
      const key = crypto.getRandomValues(new Uint8Array(keyLength));
      const sealer = create(key);
      for (const len of [0, 1, 15, 16, 17, 100, 1000]) {
        for (const aadLength of [0, 5, 13, 16]) {
          const nonce = crypto.getRandomValues(new Uint8Array(12));
          const pt = crypto.getRandomValues(new Uint8Array(len + 1)).subarray(1);
          const aad = crypto.getRandomValues(new Uint8Array(aadLength));
          const expected = hex(nodeSeal(key, nonce, pt, aad));
          const ct = sealer.seal(nonce, pt, aad);
          expect(hex(ct)).toBe(expected);
          expect(sealer.open(nonce, ct, aad)).toEqual(pt);
          const tampered = ct.slice();
          tampered[0]! ^= 1;
          expect(sealer.open(nonce, tampered, aad)).toBeNull();
          const buffer = new Uint8Array(len + 16 + 8);
          buffer.set(pt, 4);
          sealer.sealInPlace!(nonce, aad, buffer, 4, len);
          expect(hex(buffer.subarray(4, 4 + len + 16))).toBe(expected);
        }
      }
    }
  });
});
