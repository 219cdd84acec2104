/**
 * `@sanstls/web-adapter/client`: the browser TLS client alone — {@link connectTls} over a WebSocket
 * tunnel ({@link websocketTransport}), WebTransport ({@link webTransportStreams}) or any stream pair,
 * with TLS 1.3 and 1.2, X25519MLKEM768/X25519/P-256/P-384, certificate-chain and hostname validation,
 * ALPN, SNI and resumption. It is `@sanstls/web-adapter` without the server side (`acceptTls`) and
 * without the private-key parsers, which core reaches only through slots this entry never fills, so a
 * bundler leaves them out (issue #9: the measured browser client, scripts/bench/bundle.mjs).
 *
 * Client certificates: `context.loadCertChainWithSigner(chain, webCryptoSigner(key))` works as is; a
 * PEM/DER private key (`certChain.key`, `loadCertChain`) needs one explicit call first:
 * `import { installPrivateKeySupport } from '@sanstls/core/client'; installPrivateKeySupport();`.
 * Mozilla's roots stay the separate, optional `@sanstls/web-adapter/mozilla-roots`.
 * @module
 */
// The noble provider becomes the default crypto provider: `@sanstls/core/client` installs it when it
// loads (core's package.json lists it under "sideEffects"), and SSLContext is taken from there so that
// any use of this entry's contexts brings the install along.
export { SSLContext } from '@sanstls/core/client';
export * from './client-api.js';
