/**
 * Generic access to every handshake message: {@link decodeHandshake} turns a `{ type, body }` into a
 * discriminated union given what the receiver knows from the negotiation (version, TLS 1.2 key
 * exchange, Finished length), and {@link encodeDecodedHandshake} turns it back into bytes. For tooling
 * (transcript printers, vector runners, the prober of #11); the engine calls the typed functions.
 * @module
 */
import type { DeviationCollector } from './deviations.js';
import { HandshakeType as HT } from './enums.js';
import type { HandshakeMessage } from './handshake-buffer.js';
import {
  type CertificateRequestTls12,
  type CertificateRequestTls13,
  type CertificateStatus,
  type CertificateTls12,
  type CertificateTls13,
  type CertificateVerify,
  type EncryptedExtensions,
  encodeCertificateRequestTls12,
  encodeCertificateRequestTls13,
  encodeCertificateStatus,
  encodeCertificateTls12,
  encodeCertificateTls13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeEmptyMessage,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeHandshake,
  encodeKeyUpdate,
  encodeNewSessionTicketTls12,
  encodeNewSessionTicketTls13,
  encodeServerHello,
  encodeServerKeyExchange,
  type Finished,
  type HelloRetryRequest,
  type KeyExchangeKind,
  type KeyUpdate,
  type NewSessionTicketTls12,
  type NewSessionTicketTls13,
  type ParsedClientHello,
  type ParsedServerKeyExchange,
  parseCertificateRequestTls12,
  parseCertificateRequestTls13,
  parseCertificateStatus,
  parseCertificateTls12,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseClientKeyExchange,
  parseEmptyMessage,
  parseEncryptedExtensions,
  parseFinished,
  parseKeyUpdate,
  parseNewSessionTicketTls12,
  parseNewSessionTicketTls13,
  parseServerHello,
  parseServerKeyExchange,
  type ServerHello,
} from './messages.js';

/** What a receiver knows when it decodes a message (the same bytes mean different things per version). */
export interface HandshakeDecodeContext {
  /** Decides the form of Certificate, CertificateRequest and NewSessionTicket. */
  version: 'TLSv1.3' | 'TLSv1.2';
  /** TLS 1.2 key exchange of the negotiated suite: shape of ServerKeyExchange / ClientKeyExchange. */
  keyExchange?: KeyExchangeKind;
  /** Finished verify_data length: the suite's hash length in TLS 1.3, 12 in TLS 1.2. */
  finishedLength?: number;
  /** Lenient mode (deviations.ts): rule violations are reported here and parsing continues. */
  deviations?: DeviationCollector;
}

export type DecodedHandshake =
  | { kind: 'client_hello'; message: ParsedClientHello }
  | { kind: 'server_hello'; message: ServerHello }
  | { kind: 'hello_retry_request'; message: HelloRetryRequest }
  | { kind: 'encrypted_extensions'; message: EncryptedExtensions }
  | { kind: 'certificate_tls13'; message: CertificateTls13 }
  | { kind: 'certificate_tls12'; message: CertificateTls12 }
  | { kind: 'certificate_request_tls13'; message: CertificateRequestTls13 }
  | { kind: 'certificate_request_tls12'; message: CertificateRequestTls12 }
  | { kind: 'certificate_verify'; message: CertificateVerify }
  | { kind: 'finished'; message: Finished }
  | { kind: 'new_session_ticket_tls13'; message: NewSessionTicketTls13 }
  | { kind: 'new_session_ticket_tls12'; message: NewSessionTicketTls12 }
  | { kind: 'key_update'; message: KeyUpdate }
  | { kind: 'server_key_exchange'; message: ParsedServerKeyExchange }
  | { kind: 'client_key_exchange'; keyExchange: KeyExchangeKind; publicValue: Uint8Array }
  | { kind: 'certificate_status'; message: CertificateStatus }
  | { kind: 'end_of_early_data' | 'server_hello_done' | 'hello_request' }
  /** A type we do not decode here (or one whose shape the context does not fix): the raw body. */
  | { kind: 'opaque'; type: number; body: Uint8Array };

const EMPTY_KINDS = new Map<number, 'end_of_early_data' | 'server_hello_done' | 'hello_request'>([
  [HT.end_of_early_data, 'end_of_early_data'],
  [HT.server_hello_done, 'server_hello_done'],
  [HT.hello_request, 'hello_request'],
]);

/** Decodes one handshake message; structural errors raise the same CodecErrors as the typed parsers. */
export function decodeHandshake(
  msg: Pick<HandshakeMessage, 'type' | 'body'> & { raw?: Uint8Array },
  context: HandshakeDecodeContext,
): DecodedHandshake {
  const { type, body } = msg;
  const tls13 = context.version === 'TLSv1.3';
  switch (type) {
    case HT.client_hello:
      return { kind: 'client_hello', message: parseClientHello(body, msg.raw, context.deviations) };
    case HT.server_hello: {
      const sh = parseServerHello(body, context.deviations);
      return sh.kind === 'hello_retry_request' ? { kind: sh.kind, message: sh } : { kind: sh.kind, message: sh };
    }
    case HT.encrypted_extensions:
      return { kind: 'encrypted_extensions', message: parseEncryptedExtensions(body) };
    case HT.certificate:
      return tls13
        ? { kind: 'certificate_tls13', message: parseCertificateTls13(body) }
        : { kind: 'certificate_tls12', message: parseCertificateTls12(body) };
    case HT.certificate_request:
      return tls13
        ? { kind: 'certificate_request_tls13', message: parseCertificateRequestTls13(body) }
        : { kind: 'certificate_request_tls12', message: parseCertificateRequestTls12(body) };
    case HT.certificate_verify:
      return { kind: 'certificate_verify', message: parseCertificateVerify(body) };
    case HT.finished:
      return { kind: 'finished', message: parseFinished(body, context.finishedLength) };
    case HT.new_session_ticket:
      return tls13
        ? { kind: 'new_session_ticket_tls13', message: parseNewSessionTicketTls13(body) }
        : { kind: 'new_session_ticket_tls12', message: parseNewSessionTicketTls12(body) };
    case HT.key_update:
      return { kind: 'key_update', message: parseKeyUpdate(body) };
    case HT.certificate_status:
      return { kind: 'certificate_status', message: parseCertificateStatus(body) };
    case HT.server_key_exchange:
      if (context.keyExchange === undefined) break;
      return { kind: 'server_key_exchange', message: parseServerKeyExchange(body, context.keyExchange) };
    case HT.client_key_exchange:
      if (context.keyExchange === undefined) break;
      return {
        kind: 'client_key_exchange',
        keyExchange: context.keyExchange,
        publicValue: parseClientKeyExchange(body, context.keyExchange),
      };
  }
  const empty = EMPTY_KINDS.get(type);
  if (empty !== undefined) {
    parseEmptyMessage(body, type);
    return { kind: empty };
  }
  return { kind: 'opaque', type, body };
}

/** Encodes a decoded message back to its full wire form (header included). */
export function encodeDecodedHandshake(decoded: DecodedHandshake): Uint8Array {
  switch (decoded.kind) {
    case 'client_hello':
      return encodeClientHello(decoded.message);
    case 'server_hello':
    case 'hello_retry_request':
      return encodeServerHello(decoded.message);
    case 'encrypted_extensions':
      return encodeEncryptedExtensions(decoded.message);
    case 'certificate_tls13':
      return encodeCertificateTls13(decoded.message);
    case 'certificate_tls12':
      return encodeCertificateTls12(decoded.message);
    case 'certificate_request_tls13':
      return encodeCertificateRequestTls13(decoded.message);
    case 'certificate_request_tls12':
      return encodeCertificateRequestTls12(decoded.message);
    case 'certificate_verify':
      return encodeCertificateVerify(decoded.message);
    case 'finished':
      return encodeFinished(decoded.message);
    case 'new_session_ticket_tls13':
      return encodeNewSessionTicketTls13(decoded.message);
    case 'new_session_ticket_tls12':
      return encodeNewSessionTicketTls12(decoded.message);
    case 'key_update':
      return encodeKeyUpdate(decoded.message);
    case 'server_key_exchange':
      return encodeServerKeyExchange(decoded.message);
    case 'client_key_exchange':
      return encodeClientKeyExchange(decoded.keyExchange, decoded.publicValue);
    case 'certificate_status':
      return encodeCertificateStatus(decoded.message);
    case 'end_of_early_data':
      return encodeEmptyMessage(HT.end_of_early_data);
    case 'server_hello_done':
      return encodeEmptyMessage(HT.server_hello_done);
    case 'hello_request':
      return encodeEmptyMessage(HT.hello_request);
    case 'opaque':
      return encodeHandshake(decoded.type, decoded.body);
  }
}
