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
export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  MemoryBIO,
  OP_IGNORE_UNEXPECTED_EOF,
  PROTOCOL_TLS_CLIENT,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLSession,
  SSLSyscallError,
  SSLZeroReturnError,
  TLSVersion,
} from '@sanstls/core/client';
export { DER_cert_to_PEM_cert, decodeCertificate, PEM_cert_to_DER_cert, type PeerCertDict } from '@sanstls/x509';
export { RelayCloseCode, relayCloseCodeName, relayUrl } from './close-codes.js';
export { type HttpRequest, type HttpResponse, httpRequest } from './http.js';
export { memoryStreamPair, type StreamPair } from './stream-pair.js';
export { type ConnectTlsOptions, connectTls, type TlsInfo, type TlsStream } from './tls-stream.js';
export { addTrustAnchors, createWebContext, type TrustAnchorInput, type WebContextOptions } from './trust.js';
export {
  ecdsaDerToP1363,
  ecdsaP1363ToDer,
  verifyChainWithWebCrypto,
  type WebCryptoVerification,
  type WebCryptoVerifyStats,
  webCryptoSigner,
} from './webcrypto.js';
export {
  TunnelClosedError,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketTransportOptions,
  websocketTransport,
} from './websocket.js';
export {
  type WebTransportSessionLike,
  type WebTransportStreams,
  webTransportConnect,
  webTransportStreams,
} from './webtransport.js';
