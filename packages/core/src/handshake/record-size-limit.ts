/**
 * record_size_limit (RFC 8449) for both protocol versions: what we announce, what we accept from the
 * peer, and handing both limits to the record layer.
 *
 * - The value is the largest protected-record plaintext the sender of the extension will receive: in
 *   TLS 1.3 the whole TLSInnerPlaintext (content, content type byte, padding), so at most 2^14 + 1; in
 *   TLS 1.2 the fragment, at most 2^14 (§4).
 * - A client announces its limit only when one is configured (`SSLContext.recordSizeLimit`), which keeps
 *   the default ClientHello unchanged; a server answers a client that sent one (a server sends the
 *   extension only in response, §4) with its configured limit or the protocol maximum.
 * - Values below 64 are illegal_parameter (§4, checked by the codec). A peer value above the protocol
 *   maximum is clamped to it: a client offering TLS 1.2 and 1.3 announces one value for both.
 * - Only protected records are bounded (§4: "Unprotected messages are not subject to this limit").
 * @module
 */
import { ExtensionType } from '../codec/enums.js';
import { type Extension, encodeRecordSizeLimit, findExtension, parseRecordSizeLimit } from '../codec/extensions.js';
import type { EngineConfig } from './config.js';

/** RFC 8449 §4: 2^14 + 1 in TLS 1.3 (content type included), 2^14 in TLS 1.2. */
export const MAX_RECORD_SIZE_LIMIT_TLS13 = 2 ** 14 + 1;
export const MAX_RECORD_SIZE_LIMIT_TLS12 = 2 ** 14;
/** RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension with a value smaller than 64." */
export const MIN_RECORD_SIZE_LIMIT = 64;

type Version = 'TLSv1.3' | 'TLSv1.2';

/** Where the negotiated limits go (the connection's record layer). */
export interface RecordSizeLimitSink {
  setRecordSizeLimits?(peer: number, own: number): void;
}

function protocolMax(version: Version): number {
  return version === 'TLSv1.3' ? MAX_RECORD_SIZE_LIMIT_TLS13 : MAX_RECORD_SIZE_LIMIT_TLS12;
}

/** The limit we announce under `version`. */
export function ownRecordSizeLimit(config: EngineConfig, version: Version): number {
  return Math.min(config.recordSizeLimit ?? protocolMax(version), protocolMax(version));
}

/** The ClientHello extension, when a limit is configured (the value covers TLS 1.3's content type byte). */
export function clientRecordSizeLimitExtension(config: EngineConfig): Extension | undefined {
  if (config.recordSizeLimit === null) return undefined;
  return { type: ExtensionType.record_size_limit, body: encodeRecordSizeLimit(config.recordSizeLimit) };
}

/**
 * Server: the client's record_size_limit from its ClientHello. Installs both limits and returns our
 * answer (for EncryptedExtensions in TLS 1.3, the ServerHello in TLS 1.2), or undefined when the client
 * did not send the extension.
 */
export function answerRecordSizeLimit(
  clientExtensions: readonly Extension[],
  config: EngineConfig,
  version: Version,
  io: RecordSizeLimitSink,
): Extension | undefined {
  const ext = findExtension(clientExtensions, ExtensionType.record_size_limit);
  if (ext === undefined) return undefined;
  const peer = Math.min(parseRecordSizeLimit(ext.body), protocolMax(version));
  const own = ownRecordSizeLimit(config, version);
  io.setRecordSizeLimits?.(peer, own);
  return { type: ExtensionType.record_size_limit, body: encodeRecordSizeLimit(own) };
}

/** Client: the server's answer (EncryptedExtensions or a TLS 1.2 ServerHello); installs both limits. */
export function acceptRecordSizeLimit(
  body: Uint8Array,
  config: EngineConfig,
  version: Version,
  io: RecordSizeLimitSink,
): void {
  const peer = Math.min(parseRecordSizeLimit(body), protocolMax(version));
  io.setRecordSizeLimits?.(peer, ownRecordSizeLimit(config, version));
}
