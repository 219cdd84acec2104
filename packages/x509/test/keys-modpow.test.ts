/** modPow (sliding window) against python3's pow() on random operands of many sizes, and edge cases. */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modPow, SSLError } from '../src/index.js';

describe('modPow', () => {
  it('equals python3 pow(b, e, m) on 60 random cases from 1 to 4096 bits', () => {
    const cases = fc
      .sample(
        fc.tuple(
          fc.bigInt({ min: 0n, max: (1n << 4096n) - 1n }),
          fc.bigInt({ min: 0n, max: (1n << 4096n) - 1n }),
          fc.bigInt({ min: 1n, max: (1n << 4096n) - 1n }),
          fc.integer({ min: 1, max: 4096 }),
          fc.integer({ min: 1, max: 4096 }),
        ),
        60,
      )
      .map(
        ([b, e, m, eBits, mBits]) =>
          [b, e & ((1n << BigInt(eBits)) - 1n), (m & ((1n << BigInt(mBits)) - 1n)) | 1n] as const,
      );
    const script = 'import sys\nfor line in sys.stdin:\n  b, e, m = map(int, line.split())\n  print(pow(b, e, m))\n';
    const out = execFileSync('python3', ['-c', script], { input: cases.map((c) => c.join(' ')).join('\n') })
      .toString()
      .trim()
      .split('\n');
    cases.forEach(([b, e, m], i) => {
      expect(modPow(b, e, m)).toBe(BigInt(out[i]!));
    });
  });

  it('edge cases: zero exponent, modulus 1, negative base; bad modulus or exponent is an SSLError', () => {
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 123n, 1n)).toBe(0n);
    expect(modPow(-2n, 3n, 7n)).toBe(6n);
    expect(modPow(0n, 5n, 7n)).toBe(0n);
    expect(() => modPow(2n, 3n, 0n)).toThrow(SSLError);
    expect(() => modPow(2n, -1n, 7n)).toThrow(SSLError);
  });

  it('timing: a 2048-bit exponentiation (FFDHE-2048 size)', () => {
    const p = (1n << 2048n) - 1942289n; // any odd 2048-bit modulus serves for timing
    const x = (1n << 2047n) + 987654321n;
    const start = performance.now();
    for (let i = 0; i < 5; i++) modPow(2n + BigInt(i), x, p);
    console.log(`modPow 2048-bit base/exponent/modulus: ${((performance.now() - start) / 5).toFixed(1)} ms`);
  });
});
