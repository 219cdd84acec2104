/**
 * `@sanstls/web-adapter/client-webcrypto`: the browser TLS client of `@sanstls/web-adapter/client` with
 * WebCrypto doing the public-key work (issue #9) — the key exchange (X25519, P-256, P-384) and every
 * server signature check (certificate chain, TLS 1.3 CertificateVerify, TLS 1.2 ServerKeyExchange:
 * ECDSA, RSA-PSS, RSA PKCS#1 v1.5, Ed25519) — while hashing and the AEADs stay on @noble/hashes and
 * @noble/ciphers. Nothing here reaches noble's curves, ML-KEM or signature code, so the bundle leaves
 * them out (core's `@sanstls/core/client-base`, x509's `verifyChainWith`).
 *
 * Not offered: X25519MLKEM768 (no ML-KEM in browsers' WebCrypto), secp521r1, FFDHE; a server that
 * insists on one of them fails the handshake. Contexts made here (`createWebContext`, `connectTls`
 * without a context) use {@link webCryptoProvider}; a context you build yourself needs
 * `new SSLContext(PROTOCOL_TLS_CLIENT, { cryptoProvider: webCryptoProvider() })` (this entry installs no
 * default provider). Chain signatures are checked by WebCrypto at the `verifyPeerCertificate` suspension
 * point, so a context with its own verify callback or SPKI pins is refused (SSLError NOT_SUPPORTED);
 * that check is `connectTls`'s: an SSLObject from `wrapBio` on this provider cannot ask WebCrypto
 * synchronously and fails chain validation (use `connectTls`, or CERT_NONE with a verify callback awaiting
 * `verifyChainWithWebCrypto`). Needs a WebCrypto with X25519 and Ed25519 (Chrome 137, Firefox 130,
 * Safari 17, Node 20); a page can fall back to `@sanstls/web-adapter/client` where it is missing.
 * @module
 */
import type { StreamPair } from './stream-pair.js';
import { type ConnectTlsOptions, connectTls as connectClientTls, type TlsStream } from './tls-stream.js';
import { createWebContext as createClientWebContext, type WebContextOptions } from './trust.js';
import { webCryptoProvider } from './webcrypto-provider.js';

export * from './client-api.js';

/** The groups the WebCrypto provider implements, in the default order (X25519MLKEM768 is not one). */
const WEBCRYPTO_GROUPS: readonly string[] = ['x25519', 'secp256r1', 'secp384r1'];

/**
 * An SSLContext for the web bindings from plain options, on {@link webCryptoProvider} unless
 * `options.cryptoProvider` names another, offering only the groups it implements unless `options.groups`
 * says otherwise. Client side only.
 */
export function createWebContext(options: WebContextOptions = {}): ReturnType<typeof createClientWebContext> {
  return createClientWebContext({
    ...options,
    cryptoProvider: options.cryptoProvider ?? webCryptoProvider(),
    groups: options.groups ?? WEBCRYPTO_GROUPS,
  });
}

/**
 * TLS client over `transport` with WebCrypto's public-key work; resolves once the handshake completed.
 * Errors are SSLError family. Chain signatures are always checked with WebCrypto (`webCrypto: true`).
 */
export function connectTls(transport: StreamPair, options: ConnectTlsOptions = {}): Promise<TlsStream> {
  return connectClientTls(transport, {
    ...options,
    context: options.context ?? createWebContext(options),
    webCrypto: options.webCrypto ?? true,
  });
}
