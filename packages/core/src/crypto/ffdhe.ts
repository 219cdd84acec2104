/**
 * Finite-field Diffie-Hellman groups of RFC 7919 (ffdhe2048/3072/4096), as TLS 1.3 key-exchange groups
 * (RFC 8446 §4.2.8.1: Y left-padded to the size of p; §7.4.1: the shared secret keeps its leading zeros).
 * @module
 */
import { modPow, SSLError, toHex } from '@sanstls/x509';
import type { GroupName, KeyExchangeGroup } from './provider.js';

/**
 * The RFC 7919 primes, built on first use rather than shipped as 2.3 KB of hex (issue #9: the browser
 * bundle): Appendix A defines each as p = 2^b − 2^(b−64) + {[2^(b−130)·e] + X}·2^64 − 1, with X the
 * smallest offset that makes p a safe prime (given there per group). floor(2^(b−130)·e) is the series
 * Σ 2^n/k! in fixed point with 64 guard bits (the ~500 truncations stay far below 2^64); one ffdhe4096
 * build takes a few milliseconds. test/crypto-provider.test.ts compares them with the RFC's hex.
 */
const SAFE_PRIME_OFFSET = { ffdhe2048: 560316n, ffdhe3072: 2625351n, ffdhe4096: 5736041n } as const;

type FfdheName = keyof typeof SAFE_PRIME_OFFSET;

const primeCache = new Map<FfdheName, string>();

function ffdhePrimeHex(name: FfdheName): string {
  let hex = primeCache.get(name);
  if (hex === undefined) {
    const b = BigInt(name.slice(5));
    const guard = 64n;
    let e = 0n;
    for (let term = 1n << (b - 130n + guard), k = 1n; term > 0n; k++) {
      e += term;
      term /= k;
    }
    const p = (1n << b) - (1n << (b - 64n)) + (((e >> guard) + SAFE_PRIME_OFFSET[name]) << 64n) - 1n;
    hex = p.toString(16);
    primeCache.set(name, hex);
  }
  return hex;
}

/** RFC 7919 Appendix A primes as lowercase hex (generator g = 2 for all); exported for TLS 1.2 ServerDHParams.dh_p (issue #6). */
export const FFDHE_PRIMES: Readonly<Record<FfdheName, string>> = {
  get ffdhe2048() {
    return ffdhePrimeHex('ffdhe2048');
  },
  get ffdhe3072() {
    return ffdhePrimeHex('ffdhe3072');
  },
  get ffdhe4096() {
    return ffdhePrimeHex('ffdhe4096');
  },
};

/**
 * Private exponent lengths in bytes: RFC 7919 §5.2 short exponents, at least the per-group minimum of
 * Appendix A (225, 275 and 325 bits), rounded up to whole bytes.
 */
const EXPONENT_BYTES = { ffdhe2048: 29, ffdhe3072: 35, ffdhe4096: 41 } as const;

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function ffdheGroup(name: FfdheName, code: number): KeyExchangeGroup {
  // p is built on the first key exchange in this group, not when the provider's group table is made.
  let prime: bigint | undefined;
  const modulus = (): bigint => {
    prime ??= BigInt(`0x${FFDHE_PRIMES[name]}`);
    return prime;
  };
  const length = Number(name.slice(5)) / 8;
  const badShare = (text: string) =>
    new SSLError(`${name} ${text}`, { library: 'SSL', reason: 'BAD_KEY_SHARE', alert: 47 });

  const peerValue = (share: Uint8Array): bigint => {
    // RFC 8446 §4.2.8.1: Y is encoded as a big-endian integer padded to the size of p.
    if (share.length !== length) throw badShare(`key share must be ${length} bytes, got ${share.length}`);
    const y = bytesToBigInt(share);
    // RFC 7919 §5.1: the peer's value must satisfy 1 < Y < p − 1.
    if (y <= 1n || y >= modulus() - 1n) throw badShare('key share is out of range (RFC 7919 §5.1)');
    return y;
  };
  const keyPair = (randomBytes: (n: number) => Uint8Array) => {
    // An exponent below 2 would make Y trivial; the RNG would have to be broken to produce it.
    const drawn = randomBytes(EXPONENT_BYTES[name]);
    if (drawn.length !== EXPONENT_BYTES[name]) {
      throw new SSLError(`random generator returned ${drawn.length} bytes, ${EXPONENT_BYTES[name]} requested`, {
        library: 'SSL',
        reason: 'INTERNAL_ERROR',
        alert: 80,
      });
    }
    let x = bytesToBigInt(drawn);
    if (x < 2n) x += 2n;
    return { x, publicKey: bigIntToBytes(modPow(2n, x, modulus()), length) };
  };
  const shared = (x: bigint, y: bigint): Uint8Array => {
    const z = modPow(y, x, modulus());
    if (z === 1n) throw badShare('shared secret is 1 (small-subgroup peer value)');
    return bigIntToBytes(z, length);
  };
  return {
    name: name as GroupName,
    code,
    generate(randomBytes) {
      const { x, publicKey } = keyPair(randomBytes);
      return { publicKey, complete: (peer) => shared(x, peerValue(peer)) };
    },
    respond(clientShare, randomBytes) {
      const y = peerValue(clientShare);
      const { x, publicKey } = keyPair(randomBytes);
      return { share: publicKey, sharedSecret: shared(x, y) };
    },
  };
}

export const ffdhe2048Group: KeyExchangeGroup = /* @__PURE__ */ ffdheGroup('ffdhe2048', 0x0100);
export const ffdhe3072Group: KeyExchangeGroup = /* @__PURE__ */ ffdheGroup('ffdhe3072', 0x0101);
export const ffdhe4096Group: KeyExchangeGroup = /* @__PURE__ */ ffdheGroup('ffdhe4096', 0x0102);
