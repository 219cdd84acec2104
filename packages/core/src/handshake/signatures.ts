/**
 * Signature schemes for TLS 1.3 CertificateVerify (RFC 8446 §4.2.3, §4.4.3): what we offer, how a
 * certificate is picked for the peer's list, and the signed content.
 *
 * In TLS 1.3 CertificateVerify, RSA signatures are RSASSA-PSS only; PKCS#1 v1.5 may appear only in
 * signature_algorithms_cert, for signatures inside certificates (§4.2.3).
 * @module
 */

import type { PublicKey, SignatureAlgorithm } from '@sanstls/x509';
import { signatureAlgorithmFromTlsScheme, tlsSchemeFitsKey } from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import { SignatureScheme } from '../codec/enums.js';
import type { CryptoProvider } from '../crypto/provider.js';

const S = SignatureScheme;

/** CertificateVerify schemes offered by default, in preference order. */
export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = [
  S.ecdsa_secp256r1_sha256,
  S.ecdsa_secp384r1_sha384,
  S.ed25519,
  S.rsa_pss_rsae_sha256,
  S.rsa_pss_rsae_sha384,
  S.rsa_pss_rsae_sha512,
  S.rsa_pss_pss_sha256,
  S.rsa_pss_pss_sha384,
  S.rsa_pss_pss_sha512,
];

/** Added to both lists when secp521r1 is asked for (issue #4: only when a peer needs it). */
export const P521_SCHEME: number = S.ecdsa_secp521r1_sha512;

/** signature_algorithms_cert: the CertificateVerify schemes plus PKCS#1 v1.5, used in certificates. */
export function certificateSignatureSchemes(schemes: readonly number[]): number[] {
  return [...schemes, S.rsa_pkcs1_sha256, S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha512];
}

/** Every scheme we can verify or produce in a TLS 1.3 CertificateVerify. */
const TLS13_CERTIFICATE_VERIFY_SCHEMES: ReadonlySet<number> = new Set([...DEFAULT_SIGNATURE_SCHEMES, P521_SCHEME]);

export function isTls13CertificateVerifyScheme(code: number): boolean {
  return TLS13_CERTIFICATE_VERIFY_SCHEMES.has(code);
}

const SERVER_CONTEXT = new TextEncoder().encode('TLS 1.3, server CertificateVerify');
const CLIENT_CONTEXT = new TextEncoder().encode('TLS 1.3, client CertificateVerify');

/**
 * The content covered by a CertificateVerify signature (RFC 8446 §4.4.3): 64 bytes of 0x20, the context
 * string, a 0 byte, then Transcript-Hash(Handshake Context, Certificate).
 */
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const context = signer === 'server' ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(context, 64);
  out[64 + context.length] = 0;
  out.set(transcriptHash, 65 + context.length);
  return out;
}

/**
 * Verifies a peer's CertificateVerify (RFC 8446 §4.4.3): the scheme must be one we offered
 * (illegal_parameter otherwise, §4.4.3 "MUST be one of those present in the supported_signature_algorithms
 * field") and fit the certificate's key; a wrong signature is decrypt_error (§4.4.3).
 */
export function verifyCertificateVerify(
  provider: CryptoProvider,
  offered: readonly number[],
  publicKey: PublicKey,
  scheme: number,
  signature: Uint8Array,
  content: Uint8Array,
): void {
  const algorithm = certificateVerifyAlgorithm(offered, publicKey, scheme);
  if (!provider.verify(algorithm, publicKey, content, signature)) {
    throw tlsFailure('BAD_SIGNATURE', 'bad signature');
  }
}

/**
 * The checks of {@link verifyCertificateVerify} before the signature itself (scheme offered, fitting the
 * key): the algorithm to verify with. The client calls it alone and verifies where it can wait (issue #9).
 */
export function certificateVerifyAlgorithm(
  offered: readonly number[],
  publicKey: PublicKey,
  scheme: number,
): SignatureAlgorithm {
  if (!offered.includes(scheme) || !isTls13CertificateVerifyScheme(scheme)) {
    throw tlsFailure(
      'WRONG_SIGNATURE_TYPE',
      `CertificateVerify uses a signature scheme we did not offer (0x${scheme.toString(16)})`,
    );
  }
  const algorithm = signatureAlgorithmFromTlsScheme(scheme);
  if (algorithm === undefined || !tlsSchemeFitsKey(scheme, publicKey, 'TLSv1.3')) {
    throw tlsFailure(
      'WRONG_SIGNATURE_TYPE',
      `CertificateVerify scheme 0x${scheme.toString(16)} does not fit the certificate key`,
    );
  }
  return algorithm;
}

/**
 * Picks the certificate to present and the scheme to sign with: the first scheme in the peer's
 * preference order that one of our chains can produce (so an RSA and an ECDSA chain loaded together
 * are chosen per handshake from the peer's signature_algorithms). signature_algorithms_cert does not
 * exclude a chain (RFC 8446 §4.4.2.2: a server that cannot satisfy it "SHOULD continue the handshake by
 * sending the client a certificate chain of its choice").
 */
export function chooseCertificate<K extends { readonly publicKey: PublicKey }>(
  keys: readonly K[],
  peerSchemes: readonly number[],
): { key: K; scheme: number } | undefined {
  for (const scheme of peerSchemes) {
    // Every scheme we implement may answer a peer that asks for it, ecdsa_secp521r1_sha512 included.
    if (!isTls13CertificateVerifyScheme(scheme)) continue;
    for (const key of keys) {
      if (tlsSchemeFitsKey(scheme, key.publicKey, 'TLSv1.3')) return { key, scheme };
    }
  }
  return undefined;
}
