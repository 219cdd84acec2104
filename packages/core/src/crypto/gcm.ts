/**
 * AES-GCM (NIST SP 800-38D) with per-key precomputation, for TLS's 12-byte nonces and 16-byte tags.
 *
 * Why not noble's `gcm()` directly: it is a one-shot `gcm(key, nonce, aad)` that re-expands the AES key
 * and rebuilds its GHASH tables on every call, and its GHASH walks an array of objects. A TLS
 * connection seals thousands of records under one key, so here the AES round keys (noble's exported
 * `unsafe.expandKeyLE` + single-block `unsafe.encrypt`, the audited part) and an 8-bit Shoup GHASH table
 * (4 KiB per key) are computed once in `create(key)`, and seal/open run CTR and GHASH in one pass.
 *
 * Measured here (16 KiB records, one core, Node 20): noble `gcm()` seals ~60-69 MB/s, this ~85-108 MB/s
 * (AES-256/AES-128); for short records the saving is the whole per-call key setup. About 60% of the
 * remaining time is noble's AES block function (a four-T-table AES written here was slower), 40% GHASH.
 * Both are table-driven, so neither is constant-time against a cache-timing attacker on the same CPU.
 * @module
 */
import { unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { SSLError } from '@sanstls/x509';
import { type AeadKey, checkInPlaceRegion } from './provider.js';

const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Reduction table for multiplying a GHASH value by x^8: entry `r` is the top word contributed when
 * the low byte `r` is shifted past x^127 and folded back with x^128 = 1 + x + x^2 + x^7 (SP 800-38D §6.3).
 */
const REDUCE8 = /* @__PURE__ */ (() => {
  const table = new Int32Array(256);
  for (let r = 0; r < 256; r++) {
    let v0 = 0;
    let v3 = r;
    for (let i = 0; i < 8; i++) {
      const carry = v3 & 1;
      v3 >>>= 1; // the words between only shift zeros through: v1 = v2 = 0 here
      v0 = (v0 >>> 1) ^ (carry ? 0xe1000000 : 0);
    }
    table[r] = v0;
  }
  return table;
})();

const bswap32 = (x: number): number => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
/**
 * The data is read and written as native words (Uint32Array views over the records). noble's AES block
 * function takes and returns each block as little-endian words and GHASH works on big-endian words, so
 * `native` turns a little-endian word value into the native one and back (the identity on little-endian
 * hosts), and `bigEndian` turns a native word into its big-endian value. On a big-endian host the same
 * code runs with the other pair, so no second AES-GCM is needed there (issue #9: noble's one-shot gcm()
 * and its GHASH were 0.8 KB gzip of the browser bundle, for hosts no browser runs on).
 */
const native = (x: number): number => (IS_LITTLE_ENDIAN ? x : bswap32(x));
const bigEndian = (x: number): number => (IS_LITTLE_ENDIAN ? bswap32(x) : x);

/**
 * The Shoup table M[b] = H·b for every byte b read as a GCM polynomial (bit 0x80 is x^0), as 4 big-endian
 * words per entry.
 */
function ghashTable(h: Uint8Array): Int32Array {
  const table = new Int32Array(256 * 4);
  const view = new DataView(h.buffer, h.byteOffset, 16);
  let v0 = view.getInt32(0);
  let v1 = view.getInt32(4);
  let v2 = view.getInt32(8);
  let v3 = view.getInt32(12);
  // M[0x80 >> i] = H·x^i
  for (let bit = 0x80; bit > 0; bit >>>= 1) {
    table[bit * 4] = v0;
    table[bit * 4 + 1] = v1;
    table[bit * 4 + 2] = v2;
    table[bit * 4 + 3] = v3;
    const carry = v3 & 1;
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = (v0 >>> 1) ^ (carry ? 0xe1000000 : 0);
  }
  // Linearity fills the rest: M[a ^ b] = M[a] ^ M[b].
  for (let b = 2; b < 256; b <<= 1) {
    for (let low = 1; low < b; low++) {
      const i = (b + low) * 4;
      table[i] = table[b * 4]! ^ table[low * 4]!;
      table[i + 1] = table[b * 4 + 1]! ^ table[low * 4 + 1]!;
      table[i + 2] = table[b * 4 + 2]! ^ table[low * 4 + 2]!;
      table[i + 3] = table[b * 4 + 3]! ^ table[low * 4 + 3]!;
    }
  }
  return table;
}

/** Bytes are aligned views we can read as native words, or an aligned copy of them. */
function aligned(data: Uint8Array): Uint8Array {
  return (data.byteOffset & 3) === 0 ? data : data.slice();
}

class GcmKey implements AeadKey {
  private readonly roundKeys: Uint32Array;
  private readonly table: Int32Array;
  // GHASH accumulator Y (big-endian words) and scratch for partial blocks; one AeadKey is used by one
  // record direction at a time, so the instance fields are safe and save allocations.
  private y0 = 0;
  private y1 = 0;
  private y2 = 0;
  private y3 = 0;
  private readonly partial = new Uint8Array(16);
  private readonly partial32 = new Uint32Array(this.partial.buffer);

  constructor(key: Uint8Array) {
    this.roundKeys = aesUnsafe.expandKeyLE(key);
    const h = new Uint8Array(16);
    aesUnsafe.encryptBlock(this.roundKeys, h); // H = E_K(0^128)
    this.table = ghashTable(h);
    h.fill(0);
    key.fill(0); // our own copy (createAesGcmKey): the round keys are all we keep
  }

  /** The AES round keys and the GHASH table (multiples of H) are the key material (AeadKey.wipe). */
  wipe(): void {
    this.roundKeys.fill(0);
    this.table.fill(0);
    this.partial.fill(0);
  }

  /**
   * Y = (Y ^ X) · H, X given as 4 big-endian words: 8-bit Shoup multiplication, Horner over the bytes
   * from X[15] (the low byte of x3) down to X[0], Z = Z·x^8 ^ M[X[i]]. Unrolled: it runs per 16 bytes.
   */
  private absorb(x0: number, x1: number, x2: number, x3: number): void {
    x0 ^= this.y0;
    x1 ^= this.y1;
    x2 ^= this.y2;
    x3 ^= this.y3;
    const t = this.table;
    let i = (x3 & 0xff) << 2;
    let z0 = t[i]!;
    let z1 = t[i + 1]!;
    let z2 = t[i + 2]!;
    let z3 = t[i + 3]!;
    let rem = 0;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x3 >>> 8) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x3 >>> 16) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x3 >>> 24) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x2 & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x2 >>> 8) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x2 >>> 16) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x2 >>> 24) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x1 & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x1 >>> 8) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x1 >>> 16) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x1 >>> 24) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x0 & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x0 >>> 8) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = ((x0 >>> 16) & 0xff) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    i = (x0 >>> 24) << 2;
    z0 = (z0 >>> 8) ^ REDUCE8[rem]! ^ t[i]!;
    z1 ^= t[i + 1]!;
    z2 ^= t[i + 2]!;
    z3 ^= t[i + 3]!;
    this.y0 = z0;
    this.y1 = z1;
    this.y2 = z2;
    this.y3 = z3;
  }

  /** GHASH the AAD (zero-padded to a block boundary). */
  private absorbPadded(data: Uint8Array): void {
    const full = data.length & ~15;
    const src = aligned(data);
    const w = new Uint32Array(src.buffer, src.byteOffset, full >>> 2);
    for (let j = 0; j < w.length; j += 4) {
      this.absorb(bigEndian(w[j]!), bigEndian(w[j + 1]!), bigEndian(w[j + 2]!), bigEndian(w[j + 3]!));
    }
    if (full < data.length) {
      const p = this.partial32;
      p.fill(0);
      this.partial.set(data.subarray(full));
      this.absorb(bigEndian(p[0]!), bigEndian(p[1]!), bigEndian(p[2]!), bigEndian(p[3]!));
    }
  }

  /**
   * One pass of GCTR with the counter starting at inc32(J0), GHASHing the ciphertext side: `input` is
   * the plaintext when sealing and the ciphertext when opening. Returns nothing; fills `out`.
   */
  private crypt(n0: number, n1: number, n2: number, input: Uint8Array, out: Uint8Array, sealing: boolean): void {
    const xk = this.roundKeys;
    const full = input.length & ~15;
    const src = aligned(input);
    const inW = new Uint32Array(src.buffer, src.byteOffset, full >>> 2);
    const outW = new Uint32Array(out.buffer, out.byteOffset, full >>> 2);
    let counter = 2; // J0 = nonce || 1 is kept for the tag mask (SP 800-38D §7.1 step 2)
    for (let j = 0; j < inW.length; j += 4) {
      const ks = aesUnsafe.encrypt(xk, n0, n1, n2, bswap32(counter));
      counter = (counter + 1) >>> 0;
      const a0 = inW[j]!;
      const a1 = inW[j + 1]!;
      const a2 = inW[j + 2]!;
      const a3 = inW[j + 3]!;
      const c0 = a0 ^ native(ks.s0);
      const c1 = a1 ^ native(ks.s1);
      const c2 = a2 ^ native(ks.s2);
      const c3 = a3 ^ native(ks.s3);
      outW[j] = c0;
      outW[j + 1] = c1;
      outW[j + 2] = c2;
      outW[j + 3] = c3;
      if (sealing) this.absorb(bigEndian(c0), bigEndian(c1), bigEndian(c2), bigEndian(c3));
      else this.absorb(bigEndian(a0), bigEndian(a1), bigEndian(a2), bigEndian(a3));
    }
    if (full < input.length) {
      const rest = input.length - full;
      const p = this.partial32;
      const ks = aesUnsafe.encrypt(xk, n0, n1, n2, bswap32(counter));
      p[0] = native(ks.s0);
      p[1] = native(ks.s1);
      p[2] = native(ks.s2);
      p[3] = native(ks.s3);
      const pb = this.partial;
      for (let k = 0; k < rest; k++) out[full + k] = input[full + k]! ^ pb[k]!;
      pb.fill(0);
      pb.set((sealing ? out : input).subarray(full, input.length));
      this.absorb(bigEndian(p[0]!), bigEndian(p[1]!), bigEndian(p[2]!), bigEndian(p[3]!));
      pb.fill(0);
    }
  }

  /** The tag: GHASH over len(A) || len(C) (bits), XOR E_K(J0) (SP 800-38D §7.1 steps 5-6). Writes 16 bytes. */
  private finishTag(n0: number, n1: number, n2: number, aadLength: number, dataLength: number, tag: Uint8Array): void {
    // Bit lengths as 64-bit big-endian values.
    this.absorb(
      Math.floor(aadLength / 0x20000000),
      (aadLength * 8) | 0,
      Math.floor(dataLength / 0x20000000),
      (dataLength * 8) | 0,
    );
    const mask = aesUnsafe.encrypt(this.roundKeys, n0, n1, n2, bswap32(1));
    const t0 = bswap32(this.y0) ^ mask.s0;
    const t1 = bswap32(this.y1) ^ mask.s1;
    const t2 = bswap32(this.y2) ^ mask.s2;
    const t3 = bswap32(this.y3) ^ mask.s3;
    const p = this.partial32;
    p[0] = native(t0);
    p[1] = native(t1);
    p[2] = native(t2);
    p[3] = native(t3);
    tag.set(this.partial);
    this.partial.fill(0);
    this.y0 = this.y1 = this.y2 = this.y3 = 0;
  }

  private start(nonce: Uint8Array, aad: Uint8Array): [number, number, number] {
    if (nonce.length !== NONCE_LENGTH) {
      throw new SSLError(`AES-GCM nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`, {
        library: 'EVP',
        reason: 'INVALID_IV_LENGTH',
      });
    }
    this.y0 = this.y1 = this.y2 = this.y3 = 0;
    this.absorbPadded(aad);
    // The nonce as the little-endian words noble's AES block function takes.
    const n = nonce;
    return [
      n[0]! | (n[1]! << 8) | (n[2]! << 16) | (n[3]! << 24),
      n[4]! | (n[5]! << 8) | (n[6]! << 16) | (n[7]! << 24),
      n[8]! | (n[9]! << 8) | (n[10]! << 16) | (n[11]! << 24),
    ];
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const [n0, n1, n2] = this.start(nonce, aad);
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    this.crypt(n0, n1, n2, plaintext, out, true);
    this.finishTag(n0, n1, n2, aad.length, plaintext.length, out.subarray(plaintext.length));
    return out;
  }

  /**
   * AeadKey.sealInPlace: CTR reads each block before writing it back, so input and output may be the
   * same words. An unaligned region goes through an aligned scratch (the record layer aligns its records).
   */
  sealInPlace(nonce: Uint8Array, aad: Uint8Array, buffer: Uint8Array, offset: number, length: number): void {
    checkInPlaceRegion(buffer, offset, length);
    const [n0, n1, n2] = this.start(nonce, aad);
    const data = buffer.subarray(offset, offset + length);
    if ((data.byteOffset & 3) === 0) {
      this.crypt(n0, n1, n2, data, data, true);
    } else {
      const out = new Uint8Array(length);
      this.crypt(n0, n1, n2, data, out, true);
      data.set(out);
    }
    this.finishTag(n0, n1, n2, aad.length, length, buffer.subarray(offset + length, offset + length + TAG_LENGTH));
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (ciphertextAndTag.length < TAG_LENGTH) return null;
    const [n0, n1, n2] = this.start(nonce, aad);
    const length = ciphertextAndTag.length - TAG_LENGTH;
    const out = new Uint8Array(length);
    this.crypt(n0, n1, n2, ciphertextAndTag.subarray(0, length), out, false);
    const tag = new Uint8Array(TAG_LENGTH);
    this.finishTag(n0, n1, n2, aad.length, length, tag);
    // Constant-time comparison; the unauthenticated plaintext is wiped and never returned.
    let diff = 0;
    for (let k = 0; k < TAG_LENGTH; k++) diff |= tag[k]! ^ ciphertextAndTag[length + k]!;
    if (diff !== 0) {
      out.fill(0);
      return null;
    }
    return out;
  }
}

/** A keyed AES-GCM (16- or 32-byte key) with the AES key schedule and GHASH table computed once. */
export function createAesGcmKey(key: Uint8Array): AeadKey {
  if (key.length !== 16 && key.length !== 32) {
    throw new SSLError(`AES-GCM key must be 16 or 32 bytes, got ${key.length}`, {
      library: 'EVP',
      reason: 'INVALID_KEY_LENGTH',
    });
  }
  return new GcmKey(key.slice());
}
