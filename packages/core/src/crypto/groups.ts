/**
 * TLS 1.3 key-exchange groups on noble (RFC 8446 §4.2.7, §4.2.8, §7.4): X25519 (RFC 7748), the NIST
 * curves with uncompressed points, the hybrid X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem) and the
 * RFC 7919 finite-field groups.
 *
 * Every ephemeral private key is drawn from the `randomBytes` argument, never from a global RNG, so an
 * injected RNG replays a handshake byte for byte (and RFC 8448's X25519 private keys can be injected):
 * - x25519: randomBytes(32) is the scalar (clamped by RFC 7748 §5).
 * - secp256r1/384r1/521r1: randomBytes(L), L the order's byte length (32/48/66), high bits beyond the
 *   order's bit length masked, taken as the big-endian scalar when 1 ≤ d < n, else drawn again
 *   (rejection sampling, FIPS 186-5 A.2.2: no bias). So a given scalar, such as RFC 8448's P-256 key,
 *   can be injected as is.
 * - X25519MLKEM768: client randomBytes(64) is the ML-KEM-768 keygen seed (d || z, FIPS 203 §7.1), then
 *   randomBytes(32) for X25519; server randomBytes(32) is the encapsulation message m (FIPS 203 §7.2),
 *   then randomBytes(32) for X25519.
 * - ffdhe*: randomBytes(E) is the private exponent, E = 29/35/41 bytes (RFC 7919 §5.2 short exponents).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { concatBytes, SSLError } from '@sanstls/x509';
import type { GroupName, KeyExchangeGroup, KeyShareOffer } from './provider.js';
import { x25519Ladder } from './x25519.js';

/** illegal_parameter (RFC 8446 §6.2): the alert for an invalid key share (§4.2.8, §7.4.2). */
const ILLEGAL_PARAMETER = 47;

function badKeyShare(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'BAD_KEY_SHARE', alert: ILLEGAL_PARAMETER });
}

/** Draws n random bytes, insisting the (possibly injected) generator returns exactly n. */
function draw(randomBytes: (n: number) => Uint8Array, n: number): Uint8Array {
  const bytes = randomBytes(n);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw new SSLError(`random generator returned ${bytes?.length} bytes, ${n} requested`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
      alert: 80,
    });
  }
  return bytes;
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

/**
 * A Diffie-Hellman group from its key-pair generator and shared-secret function: the client offers its
 * public key and completes with the server's share; the server checks the client's share before it
 * spends a key generation on it, then answers with its own public key (RFC 8446 §4.2.8).
 */
export function diffieHellmanGroup<Secret>(
  name: GroupName,
  code: number,
  dh: {
    readonly keyPair: (randomBytes: (n: number) => Uint8Array) => { secret: Secret; publicKey: Uint8Array };
    readonly shared: (secret: Secret, peerShare: Uint8Array) => Uint8Array;
    /** Throws a BAD_KEY_SHARE SSLError when the share is malformed. */
    readonly checkShare: (peerShare: Uint8Array) => void;
  },
): KeyExchangeGroup {
  return {
    name,
    code,
    generate(randomBytes) {
      const { secret, publicKey } = dh.keyPair(randomBytes);
      return { publicKey, complete: (peer) => dh.shared(secret, peer) };
    },
    respond(clientShare, randomBytes) {
      dh.checkShare(clientShare);
      const { secret, publicKey } = dh.keyPair(randomBytes);
      return { share: publicKey, sharedSecret: dh.shared(secret, clientShare) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// X25519 (RFC 7748, RFC 8446 §7.4.2)

function x25519Shared(scalar: Uint8Array, peer: Uint8Array): Uint8Array {
  checkX25519Share(peer);
  // Our limb ladder (x25519.ts), about twice noble's BigInt one; a small-order peer point gives zero.
  const shared = x25519Ladder(scalar, peer);
  // RFC 8446 §7.4.2: implementations MUST check whether the computed secret is all zeroes.
  if (isAllZero(shared)) throw badKeyShare('X25519 shared secret is all-zero (small-order peer share)');
  return shared;
}

/**
 * X25519(k, 9), the public key, as [k]B on the birationally equivalent Ed25519 curve with noble's
 * precomputed base tables, mapped to u = (1 + y)/(1 − y) = (Z + Y)/(Z − Y) (RFC 7748 §4.1): noble's
 * `x25519.getPublicKey` computes it the same way, but importing it brings noble's Montgomery ladder into
 * the browser bundle as well (issue #9); the ladder of shared secrets is x25519.ts's. B has prime order n,
 * so the clamped scalar (RFC 7748 §5: a multiple of 8 below 2^255) acts as k mod n.
 */
function x25519PublicKey(secret: Uint8Array): Uint8Array {
  const clamped = secret.slice();
  clamped[0]! &= 248;
  clamped[31]! = (clamped[31]! & 127) | 64;
  const { Point } = ed25519;
  const { Fp, Fn } = Point;
  const k = Fn.create(Fn.fromBytes(clamped, true));
  clamped.fill(0);
  // Never the identity: a clamped scalar is a multiple of 8 in [2^254, 2^255), and the multiples of n
  // there are c·n for c = 4..7 (n ≈ 2^252 is an odd prime), none of them divisible by 8.
  const p = Point.BASE.multiply(k);
  const u = Fp.div(Fp.add(p.Z, p.Y), Fp.sub(p.Z, p.Y));
  return Fp.toBytes(u);
}

function x25519KeyPair(randomBytes: (n: number) => Uint8Array): { secret: Uint8Array; publicKey: Uint8Array } {
  const secret = draw(randomBytes, 32);
  return { secret, publicKey: x25519PublicKey(secret) };
}

/** RFC 7748 §5: a u-coordinate is 32 bytes. */
export function checkX25519Share(share: Uint8Array): void {
  if (share.length !== 32) throw badKeyShare(`X25519 key share must be 32 bytes, got ${share.length}`);
}

export const x25519Group: KeyExchangeGroup = /* @__PURE__ */ diffieHellmanGroup('x25519', 0x001d, {
  keyPair: x25519KeyPair,
  shared: x25519Shared,
  checkShare: checkX25519Share,
});

// ---------------------------------------------------------------------------------------------
// NIST curves: UncompressedPointRepresentation only (RFC 8446 §4.2.8.2), validated on the curve;
// the shared secret is the x-coordinate (§7.4.2).

type NistCurve = typeof p256;

function nistGroup(name: GroupName, code: number, curve: NistCurve): KeyExchangeGroup {
  const pointLength = 1 + 2 * curve.Point.Fp.BYTES;
  const scalarLength = curve.Point.Fn.BYTES;
  const topByteMask = 0xff >>> (scalarLength * 8 - curve.Point.Fn.BITS);

  const checkPoint = (peer: Uint8Array): void => {
    if (peer.length !== pointLength || peer[0] !== 0x04) {
      throw badKeyShare(`${name} key share must be an uncompressed point of ${pointLength} bytes`);
    }
    try {
      // fromBytes checks the coordinates are field elements and the point is on the curve, not infinity.
      curve.Point.fromBytes(peer).assertValidity();
    } catch {
      throw badKeyShare(`${name} key share is not a valid curve point`);
    }
  };
  const shared = (secret: Uint8Array, peer: Uint8Array): Uint8Array => {
    checkPoint(peer);
    let point: Uint8Array;
    try {
      point = curve.getSharedSecret(secret, peer, true);
    } catch {
      throw badKeyShare(`${name} key share is not a valid curve point`);
    }
    return point.subarray(1); // compressed encoding: 0x02/0x03 || x
  };
  const keyPair = (randomBytes: (n: number) => Uint8Array) => {
    // A retry happens with probability below 2^-32 per draw on these curves; 64 failures mean a broken RNG.
    for (let attempt = 0; attempt < 64; attempt++) {
      const secret = draw(randomBytes, scalarLength).slice();
      secret[0]! &= topByteMask;
      if (curve.utils.isValidSecretKey(secret)) return { secret, publicKey: curve.getPublicKey(secret, false) };
    }
    throw new SSLError(`${name}: the random generator produced no valid scalar`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
      alert: 80,
    });
  };
  return diffieHellmanGroup(name, code, { keyPair, shared, checkShare: checkPoint });
}

export const secp256r1Group: KeyExchangeGroup = /* @__PURE__ */ nistGroup('secp256r1', 0x0017, p256);
export const secp384r1Group: KeyExchangeGroup = /* @__PURE__ */ nistGroup('secp384r1', 0x0018, p384);
export const secp521r1Group: KeyExchangeGroup = /* @__PURE__ */ nistGroup('secp521r1', 0x0019, p521);

// ---------------------------------------------------------------------------------------------
// X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3): ML-KEM comes first in both shares and in the secret.

const MLKEM768_ENCAPSULATION_KEY_LENGTH = 1184;
const MLKEM768_CIPHERTEXT_LENGTH = 1088;

/**
 * X25519MLKEM768 over a given X25519 implementation: ML-KEM-768 (FIPS 203) always from noble, the X25519
 * half from `x25519Impl` — noble's here, node:crypto's in the Node adapter's provider, whose OpenSSL 3.0 has no
 * ML-KEM. The randomBytes draws keep the order documented above (KEM seed or message first, then X25519's
 * 32 bytes), so an injected RNG gives the same shares whichever X25519 implementation is plugged in.
 */
export function x25519MlKem768Hybrid(x25519Impl: KeyExchangeGroup): KeyExchangeGroup {
  return {
    name: 'X25519MLKEM768',
    code: 0x11ec,
    generate(randomBytes): KeyShareOffer {
      const kem = ml_kem768.keygen(draw(randomBytes, 64));
      const ecdh = x25519Impl.generate(randomBytes);
      return {
        publicKey: concatBytes([kem.publicKey, ecdh.publicKey]),
        complete(peer) {
          if (peer.length !== MLKEM768_CIPHERTEXT_LENGTH + 32) {
            throw badKeyShare(
              `X25519MLKEM768 server share must be ${MLKEM768_CIPHERTEXT_LENGTH + 32} bytes, got ${peer.length}`,
            );
          }
          // ML-KEM decapsulation never fails on a well-sized ciphertext (implicit rejection, FIPS 203 §6.3).
          const kemSecret = ml_kem768.decapsulate(peer.subarray(0, MLKEM768_CIPHERTEXT_LENGTH), kem.secretKey);
          return concatBytes([kemSecret, ecdh.complete(peer.subarray(MLKEM768_CIPHERTEXT_LENGTH))]);
        },
      };
    },
    respond(clientShare, randomBytes) {
      if (clientShare.length !== MLKEM768_ENCAPSULATION_KEY_LENGTH + 32) {
        throw badKeyShare(
          `X25519MLKEM768 client share must be ${MLKEM768_ENCAPSULATION_KEY_LENGTH + 32} bytes, got ${clientShare.length}`,
        );
      }
      const encapsulationKey = clientShare.subarray(0, MLKEM768_ENCAPSULATION_KEY_LENGTH);
      let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        // Includes FIPS 203 §7.2's modulus check of the encapsulation key.
        kem = ml_kem768.encapsulate(encapsulationKey, draw(randomBytes, 32));
      } catch {
        throw badKeyShare('X25519MLKEM768 client share holds an invalid ML-KEM-768 encapsulation key');
      }
      const ecdh = x25519Impl.respond(clientShare.subarray(MLKEM768_ENCAPSULATION_KEY_LENGTH), randomBytes);
      return {
        share: concatBytes([kem.cipherText, ecdh.share]),
        sharedSecret: concatBytes([kem.sharedSecret, ecdh.sharedSecret]),
      };
    },
  };
}

export const x25519MlKem768Group: KeyExchangeGroup = /* @__PURE__ */ x25519MlKem768Hybrid(x25519Group);
