/**
 * Finite-field Diffie-Hellman groups of RFC 7919 (ffdhe2048/3072/4096), as TLS 1.3 key-exchange groups
 * (RFC 8446 §4.2.8.1: Y left-padded to the size of p; §7.4.1: the shared secret keeps its leading zeros).
 * @module
 */
import { modPow, SSLError } from '@sanstls/x509';
import type { GroupName, KeyExchangeGroup } from './provider.js';

/** RFC 7919 Appendix A primes (generator g = 2 for all); exported for TLS 1.2 ServerDHParams.dh_p (issue #6). */
export const FFDHE_PRIMES = {
  ffdhe2048:
    'ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695a9e13641146433fbcc939dce249b3ef9' +
    '7d2fe363630c75d8f681b202aec4617ad3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935' +
    '984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797abc0ab182b324fb61d108a94bb2c8e3fb' +
    'b96adab760d7f4681d4f42a3de394df4ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61' +
    '9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005c58ef1837d1683b2c6f34a26c1b2effa' +
    '886b423861285c97ffffffffffffffff',
  ffdhe3072:
    'ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695a9e13641146433fbcc939dce249b3ef9' +
    '7d2fe363630c75d8f681b202aec4617ad3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935' +
    '984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797abc0ab182b324fb61d108a94bb2c8e3fb' +
    'b96adab760d7f4681d4f42a3de394df4ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61' +
    '9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005c58ef1837d1683b2c6f34a26c1b2effa' +
    '886b4238611fcfdcde355b3b6519035bbc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c' +
    'aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff5cae82ab9c9df69ee86d2bc522363a0d' +
    'abc521979b0deada1dbf9a42d5c4484e0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b66c62e37ffffffffffffffff',
  ffdhe4096:
    'ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695a9e13641146433fbcc939dce249b3ef9' +
    '7d2fe363630c75d8f681b202aec4617ad3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935' +
    '984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797abc0ab182b324fb61d108a94bb2c8e3fb' +
    'b96adab760d7f4681d4f42a3de394df4ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61' +
    '9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005c58ef1837d1683b2c6f34a26c1b2effa' +
    '886b4238611fcfdcde355b3b6519035bbc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c' +
    'aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff5cae82ab9c9df69ee86d2bc522363a0d' +
    'abc521979b0deada1dbf9a42d5c4484e0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b669e1ef16e6f52c3164df4fb' +
    '7930e9e4e58857b6ac7d5f42d69f6d187763cf1d5503400487f55ba57e31cc7a7135c886efb4318aed6a1e012d9e6832' +
    'a907600a918130c46dc778f971ad0038092999a333cb8b7a1a1db93d7140003c2a4ecea9f98d0acc0a8291cdcec97dcf' +
    '8ec9b55a7f88a46b4db5a851f44182e1c68a007e5e655f6affffffffffffffff',
} as const;

/**
 * Private exponent lengths in bytes: RFC 7919 §5.2 short exponents, at least the per-group minimum of
 * Appendix A (225, 275 and 325 bits), rounded up to whole bytes.
 */
const EXPONENT_BYTES = { ffdhe2048: 29, ffdhe3072: 35, ffdhe4096: 41 } as const;

type FfdheName = keyof typeof FFDHE_PRIMES;

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function ffdheGroup(name: FfdheName, code: number): KeyExchangeGroup {
  const p = BigInt(`0x${FFDHE_PRIMES[name]}`);
  const length = FFDHE_PRIMES[name].length / 2;
  const badShare = (text: string) =>
    new SSLError(`${name} ${text}`, { library: 'SSL', reason: 'BAD_KEY_SHARE', alert: 47 });

  const peerValue = (share: Uint8Array): bigint => {
    // RFC 8446 §4.2.8.1: Y is encoded as a big-endian integer padded to the size of p.
    if (share.length !== length) throw badShare(`key share must be ${length} bytes, got ${share.length}`);
    const y = bytesToBigInt(share);
    // RFC 7919 §5.1: the peer's value must satisfy 1 < Y < p − 1.
    if (y <= 1n || y >= p - 1n) throw badShare('key share is out of range (RFC 7919 §5.1)');
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
    return { x, publicKey: bigIntToBytes(modPow(2n, x, p), length) };
  };
  const shared = (x: bigint, y: bigint): Uint8Array => {
    const z = modPow(y, x, p);
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
