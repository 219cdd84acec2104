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

export { installPrivateKeySupport, installServerSupport } from '@sanstls/core/client';
// The client entry's API is the base of this one (one export list, so the two cannot drift apart);
// connectTls and createWebContext below take precedence over the client entry's, which lack the key parsers.
export * from './client.js';
export { type AcceptTlsOptions, acceptTls } from './tls-stream.js';

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
