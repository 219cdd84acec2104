/**
 * The server reads one ClientHello in several places — the extension-count limit and the version choice
 * in connection.ts, then the TLS 1.3 or TLS 1.2 state machine — and parses it once: the parse is a pure
 * function of the message's bytes, so it is kept with the message object.
 * @module
 */
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import { type ParsedClientHello, parseClientHello } from '../codec/messages.js';

const parsed = new WeakMap<HandshakeMessage, ParsedClientHello>();

/**
 * The ClientHello in `message`, parsed on first use (throws as parseClientHello). Its `raw` is a copy
 * of the message: the transcript and the PSK binders read it after the handshake buffer has moved on.
 */
export function clientHelloOf(message: HandshakeMessage): ParsedClientHello {
  let hello = parsed.get(message);
  if (hello === undefined) {
    hello = parseClientHello(message.body, message.raw.slice());
    parsed.set(message, hello);
  }
  return hello;
}
