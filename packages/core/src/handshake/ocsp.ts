/**
 * OCSP stapling (status_request, RFC 6066 §8; RFC 8446 §4.4.2.1) for both protocol versions.
 *
 * - Client (`SSLContext.requestOcsp`, Node's `requestOCSP`): sends `status_request` with status_type
 *   ocsp, no responder IDs and no request extensions. The stapled response (TLS 1.3: the
 *   `status_request` extension of the leaf's CertificateEntry; TLS 1.2: the CertificateStatus message
 *   after Certificate) is kept as `sslObject.ocspResponse` and handed to `ocspResponseCallback` with the
 *   peer's chain — null when the server stapled nothing. The callback may return false to abort with
 *   bad_certificate_status_response (OpenSSL's status callback returning 0). The response is opaque
 *   DER here: checking it (signature, nonce, certStatus, freshness) is the application's decision, as
 *   with Node's `OCSPResponse` event.
 * - Server (`SSLContext.setOcspResponse`): staples the DER response configured for the chosen chain when
 *   the client asked for ocsp; never unasked (RFC 6066 §8, RFC 8446 §4.4.2.1).
 * - A response the client did not ask for is unsupported_extension (RFC 8446 §4.2; RFC 5246 §7.4.1.4).
 * @module
 */
import { tlsFailure } from '../alerts.js';
import { ExtensionType } from '../codec/enums.js';
import { type Extension, encodeStatusRequest, findExtension, parseStatusRequest } from '../codec/extensions.js';
import { encodeCertificateStatusBody, parseCertificateStatus } from '../codec/messages.js';
import type { EngineConfig } from './config.js';

/** CertificateStatusType ocsp (RFC 6066 §8). */
export const STATUS_TYPE_OCSP = 1;

/** The client's status_request (RFC 6066 §8), when `requestOcsp` is set. */
export function clientStatusRequestExtension(config: EngineConfig): Extension | undefined {
  if (!config.requestOcsp) return undefined;
  return {
    type: ExtensionType.status_request,
    body: encodeStatusRequest({
      statusType: STATUS_TYPE_OCSP,
      responderIdList: [],
      requestExtensions: new Uint8Array(0),
    }),
  };
}

/** Server: did the ClientHello ask for an OCSP response? Other status types are ignored (RFC 6066 §8). */
export function clientRequestsOcsp(extensions: readonly Extension[]): boolean {
  const ext = findExtension(extensions, ExtensionType.status_request);
  return ext !== undefined && parseStatusRequest(ext.body).statusType === STATUS_TYPE_OCSP;
}

/** The response to staple for `chain`, when the client asked and one is configured. */
export function stapledResponse(
  clientExtensions: readonly Extension[],
  key: { readonly ocspResponse?: Uint8Array | null },
): Uint8Array | null {
  const response = key.ocspResponse ?? null;
  return response !== null && clientRequestsOcsp(clientExtensions) ? response : null;
}

/** TLS 1.3 (§4.4.2.1): the leaf CertificateEntry's status_request extension carrying a CertificateStatus. */
export function certificateEntryStatus(response: Uint8Array): Extension {
  return {
    type: ExtensionType.status_request,
    body: encodeCertificateStatusBody({ statusType: STATUS_TYPE_OCSP, response }),
  };
}

/** Client: the OCSPResponse inside a CertificateStatus body (TLS 1.2 message or TLS 1.3 entry extension). */
export function parseStapledResponse(body: Uint8Array): Uint8Array {
  const status = parseCertificateStatus(body);
  // We asked for ocsp only; ocsp_multi (RFC 6961) is not requested and not defined for TLS 1.3.
  if (status.statusType !== STATUS_TYPE_OCSP) {
    throw tlsFailure('INVALID_STATUS_RESPONSE', `certificate status of type ${status.statusType} we did not ask for`);
  }
  return status.response.slice();
}

/**
 * Client: records the stapled response (or its absence) and runs `ocspResponseCallback`, whose false
 * aborts the handshake with bad_certificate_status_response (RFC 6066 §8).
 */
export function deliverOcspResponse(
  config: EngineConfig,
  negotiated: { ocspResponse: Uint8Array | null },
  response: Uint8Array | null,
  chain: readonly Uint8Array[],
): void {
  negotiated.ocspResponse = response;
  const callback = config.ocspResponseCallback;
  if (callback === null || !config.requestOcsp) return;
  let verdict: unknown;
  try {
    verdict = callback(response, chain);
  } catch (e) {
    throw tlsFailure('INVALID_STATUS_RESPONSE', `OCSP response callback failed: ${(e as Error)?.message ?? e}`);
  }
  if (verdict === false) throw tlsFailure('INVALID_STATUS_RESPONSE', 'OCSP response rejected by the callback');
}
