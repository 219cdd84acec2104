/**
 * Choosing among several loaded certificate chains with the peer's hints:
 *
 * - signature_algorithms_cert (RFC 8446 §4.2.3; the client's signature_algorithms when absent): the
 *   server prefers a chain whose certificate signatures all use listed algorithms. §4.4.2.2: if no chain
 *   satisfies it the server "SHOULD continue the handshake by sending the client a certificate chain of
 *   its choice", so this only orders the candidates.
 * - certificate_authorities (RFC 8446 §4.2.4; the TLS 1.2 CertificateRequest's list, RFC 5246 §7.4.4):
 *   in a CertificateRequest the client, in a ClientHello the server, prefers a chain issued under one of
 *   the named CAs (any certificate of the chain names one as issuer, or is one), falling back to any
 *   chain that can sign.
 * - The names we send (`SSLContext.sendCertificateAuthorities`): the subjects of our trust anchors —
 *   the server's in its CertificateRequest, the client's in its ClientHello.
 * @module
 */
import {
  type Certificate,
  parseCertificate,
  signatureAlgorithmFromTlsScheme,
  signatureAlgorithmFromX509,
} from '@sanstls/x509';
import { bytesEqual } from './common.js';
import type { CertifiedKey } from './config.js';

/** Parsed certificates of a chain, kept per chain (chains are immutable once loaded). */
const parsedChains = new WeakMap<readonly Uint8Array[], readonly Certificate[]>();

function parsedChain(key: CertifiedKey): readonly Certificate[] {
  let certs = parsedChains.get(key.chain);
  if (certs === undefined) {
    certs = key.chain.map((der, i) => (i === 0 ? key.leaf : parseCertificate(der)));
    parsedChains.set(key.chain, certs);
  }
  return certs;
}

/** Does a certificate's signature use an algorithm among `schemes` (TLS SignatureScheme codes)? */
function signedWithOneOf(cert: Certificate, schemes: readonly number[]): boolean {
  const alg = signatureAlgorithmFromX509(cert.signatureAlgorithm);
  if (alg === undefined) return false;
  return schemes.some((code) => {
    const s = signatureAlgorithmFromTlsScheme(code);
    if (s === undefined || s.kind !== alg.kind) return false;
    // ECDSA schemes name a curve for CertificateVerify; for certificate signatures the hash is what the
    // certificate states (the curve is the issuer's), so kind and hash decide.
    return !('hash' in s) || !('hash' in alg) || s.hash === alg.hash;
  });
}

/**
 * The chains whose every certificate signature is in `schemes`, a self-signed last certificate
 * excepted (a trust anchor's own signature is not checked, RFC 8446 §4.4.2.2). Empty when none.
 */
export function chainsMatchingCertificateSchemes(
  keys: readonly CertifiedKey[],
  schemes: readonly number[],
): CertifiedKey[] {
  return keys.filter((key) =>
    parsedChain(key).every(
      (cert, i, all) =>
        (i === all.length - 1 && i > 0 && bytesEqual(cert.subject.der, cert.issuer.der)) ||
        signedWithOneOf(cert, schemes),
    ),
  );
}

/** The chains issued under (or containing) one of the named CAs (DER Names). */
export function chainsMatchingAuthorities(
  keys: readonly CertifiedKey[],
  authorities: readonly Uint8Array[],
): CertifiedKey[] {
  if (authorities.length === 0) return [];
  const named = (name: Uint8Array) => authorities.some((a) => bytesEqual(a, name));
  return keys.filter((key) => parsedChain(key).some((cert) => named(cert.issuer.der) || named(cert.subject.der)));
}

/**
 * Tries `choose` on each preferred subset in turn (each a tier of `keys`), then on every key: the hints
 * order the candidates but never make a handshake fail that would otherwise succeed.
 */
export function choosePreferring<R>(
  keys: readonly CertifiedKey[],
  preferred: readonly CertifiedKey[] | readonly (readonly CertifiedKey[])[],
  choose: (keys: readonly CertifiedKey[]) => R | undefined,
): R | undefined {
  const tiers = (Array.isArray(preferred[0]) ? preferred : [preferred]) as readonly (readonly CertifiedKey[])[];
  for (const tier of tiers) {
    if (tier.length === 0 || tier.length === keys.length) continue;
    const chosen = choose(tier);
    if (chosen !== undefined) return chosen;
  }
  return choose(keys);
}

/** DER subjects of the CA certificates in a trust store, for certificate_authorities (RFC 8446 §4.2.4). */
export function authorityNames(anchors: readonly Uint8Array[]): Uint8Array[] {
  const names: Uint8Array[] = [];
  for (const der of anchors) {
    const cert = parseCertificate(der);
    if (cert.basicConstraints?.ca !== true) continue;
    if (!names.some((n) => bytesEqual(n, cert.subject.der))) names.push(cert.subject.der);
  }
  return names;
}
