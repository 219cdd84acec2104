/**
 * @sanstls/web-adapter: TLS in the browser (and Deno, Bun, workers, Node ≥ 20) over Web Streams —
 * WebSocket tunnels through a relay that never sees plaintext, WebTransport streams, or any byte-stream
 * pair. Web APIs only; the relay server is the separate Node entry `@sanstls/web-adapter/relay`, Mozilla's
 * roots the optional entry `@sanstls/web-adapter/mozilla-roots`. A page that only connects imports the
 * smaller `@sanstls/web-adapter/client` instead (no server side, no private-key parsers: issue #9).
 *
 * This entry stays free of import-time side effects (core's `@sanstls/core/client` underneath), so a
 * bundle of a few of its exports carries only what they reach; the functions that may need the server
 * side or the key parsers install them when called (core/src/slots.ts).
 * @module
 */
import { installPrivateKeySupport, type SSLContext } from '@sanstls/core/client';
import type { StreamPair } from './stream-pair.js';
import { type ConnectTlsOptions, connectTls as connectClientTls, type TlsStream } from './tls-stream.js';
import { createWebContext as createClientWebContext, type WebContextOptions } from './trust.js';

export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  installPrivateKeySupport,
  installServerSupport,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLSyscallError,
  SSLZeroReturnError,
  TLSVersion,
} from '@sanstls/core/client';
export { DER_cert_to_PEM_cert, decodeCertificate, PEM_cert_to_DER_cert, type PeerCertDict } from '@sanstls/x509';
export { RelayCloseCode, relayCloseCodeName, relayUrl } from './close-codes.js';
export { type HttpRequest, type HttpResponse, httpRequest } from './http.js';
export { memoryStreamPair, type StreamPair } from './stream-pair.js';
export {
  type AcceptTlsOptions,
  acceptTls,
  type ConnectTlsOptions,
  type TlsInfo,
  type TlsStream,
} from './tls-stream.js';
export { addTrustAnchors, type TrustAnchorInput, type WebContextOptions } from './trust.js';

/**
 * TLS client over `transport`; resolves once the handshake completed. Errors are SSLError family.
 * This entry accepts a client certificate's PEM/DER key (`certChain.key`); `@sanstls/web-adapter/client`'s
 * `connectTls` is the same without the key parsers.
 */
export function connectTls(transport: StreamPair, options: ConnectTlsOptions = {}): Promise<TlsStream> {
  if (options.certChain !== undefined) installPrivateKeySupport();
  return connectClientTls(transport, options);
}

/** An SSLContext for the web bindings from plain options (`certChain` keys accepted, as {@link connectTls}). */
export function createWebContext(options: WebContextOptions = {}, serverSide = false): SSLContext {
  if (options.certChain !== undefined) installPrivateKeySupport();
  return createClientWebContext(options, serverSide);
}
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
