/**
 * @sanstls/web-adapter: TLS in the browser (and Deno, Bun, workers, Node ≥ 20) over Web Streams —
 * WebSocket tunnels through a relay that never sees plaintext, WebTransport streams, or any byte-stream
 * pair. Web APIs only; the relay server is the separate Node entry `@sanstls/web-adapter/relay`, Mozilla's
 * roots the optional entry `@sanstls/web-adapter/mozilla-roots`.
 * @module
 */
export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLSyscallError,
  SSLZeroReturnError,
  TLSVersion,
} from '@sanstls/core';
export { DER_cert_to_PEM_cert, decodeCertificate, PEM_cert_to_DER_cert, type PeerCertDict } from '@sanstls/x509';
export { RelayCloseCode, relayCloseCodeName, relayUrl } from './close-codes.js';
export { type HttpRequest, type HttpResponse, httpRequest } from './http.js';
export { memoryStreamPair, type StreamPair } from './stream-pair.js';
export {
  type AcceptTlsOptions,
  acceptTls,
  type ConnectTlsOptions,
  connectTls,
  type TlsInfo,
  type TlsStream,
} from './tls-stream.js';
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
