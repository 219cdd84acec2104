/**
 * What the two browser client entries share (`@sanstls/web-adapter/client` with the noble provider,
 * `@sanstls/web-adapter/client-webcrypto` with WebCrypto's): one export list, so the two cannot drift apart.
 * Core's classes come from `@sanstls/core/client-base`, which installs no crypto provider; each entry
 * decides which one is the default.
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
} from '@sanstls/core/client-base';
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
export { type WebCryptoProviderOptions, webCryptoProvider } from './webcrypto-provider.js';
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
