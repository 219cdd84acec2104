/**
 * `s_client -status`: the stapled OCSP response (RFC 6960 §4.2.1) printed as OpenSSL's status callback prints it
 * (`OCSP response: no response sent`, or the `OCSP_RESPONSE_print` summary between two rules). The response is
 * shown, not judged: s_client does not check it either. The certificates a response may carry are counted, not
 * printed.
 * @module
 */
import {
  asn1TimeText,
  contextConstructed,
  contextPrimitive,
  DerReader,
  oidLongName,
  parseAlgorithmIdentifier,
  parseName,
  parseTime,
  Tag,
  toHex,
} from '@sanstls/x509';
import { opensslOneLineName } from './format.js';

const RULE = '======================================';

/** OCSPResponseStatus (RFC 6960 §4.2.1), as OpenSSL names them. */
const RESPONSE_STATUS: Record<number, string> = {
  0: 'successful',
  1: 'malformedrequest',
  2: 'internalerror',
  3: 'trylater',
  5: 'sigrequired',
  6: 'unauthorized',
};

/** CRLReason (RFC 5280 §5.3.1), as OpenSSL names them. */
const CRL_REASON: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

const upperHex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();
const time = (reader: DerReader, what: string): string =>
  asn1TimeText(parseTime(reader.read(Tag.GeneralizedTime, what), what));

/** An INTEGER as `i2a_ASN1_INTEGER` prints it: the magnitude's bytes in upper-case hex (no sign byte). */
function integerHex(content: Uint8Array): string {
  return upperHex(content.length > 1 && content[0] === 0 ? content.subarray(1) : content);
}

/** `X509_signature_dump`: lower-case hex pairs joined by colons, 18 a line, indented 8. */
function signatureDump(bytes: Uint8Array): string[] {
  const pairs = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
  const lines: string[] = [];
  for (let i = 0; i < pairs.length; i += 18) {
    const last = i + 18 >= pairs.length;
    lines.push(`        ${pairs.slice(i, i + 18).join(':')}${last ? '' : ':'}`);
  }
  return lines;
}

/** BasicOCSPResponse (RFC 6960 §4.2.1) → OpenSSL's lines after "Response Type". */
function basicResponseLines(der: Uint8Array): string[] {
  const basic = new DerReader(der, 'BasicOCSPResponse').sequence('BasicOCSPResponse');
  const data = basic.sequence('ResponseData');
  const versionEl = data.readOptional(contextConstructed(0));
  const version = versionEl === undefined ? 0 : new DerReader(versionEl.content, 'version').readSmallInt('version');
  const lines = [`    Version: ${version + 1} (0x${version.toString(16)})`];
  const responder = data.readAny();
  if (responder.tag === contextConstructed(1)) {
    const name = new DerReader(responder.content, 'ResponderID').read(Tag.SEQUENCE, 'ResponderID byName');
    lines.push(`    Responder Id: ${opensslOneLineName(parseName(name.raw, 'ResponderID byName'))}`);
  } else if (responder.tag === contextConstructed(2)) {
    lines.push(`    Responder Id: ${upperHex(new DerReader(responder.content, 'ResponderID').readOctetString())}`);
  } else {
    throw new Error('ResponderID is neither byName nor byKey');
  }
  lines.push(`    Produced At: ${time(data, 'producedAt')}`, '    Responses:');
  const responses = data.sequence('responses');
  while (!responses.done) {
    const single = responses.sequence('SingleResponse');
    const certId = single.sequence('CertID');
    const hash = parseAlgorithmIdentifier(certId, 'CertID.hashAlgorithm');
    lines.push(
      '    Certificate ID:',
      `      Hash Algorithm: ${oidLongName(hash.oid)}`,
      `      Issuer Name Hash: ${upperHex(certId.readOctetString('issuerNameHash'))}`,
      `      Issuer Key Hash: ${upperHex(certId.readOctetString('issuerKeyHash'))}`,
      `      Serial Number: ${integerHex(certId.readIntegerBytes('serialNumber'))}`,
    );
    const status = single.readAny();
    if (status.tag === contextPrimitive(0)) {
      lines.push('    Cert Status: good');
    } else if (status.tag === contextConstructed(1)) {
      lines.push('    Cert Status: revoked');
      const revoked = new DerReader(status.content, 'RevokedInfo');
      lines.push(`    Revocation Time: ${time(revoked, 'revocationTime')}`);
      const reasonEl = revoked.readOptional(contextConstructed(0));
      if (reasonEl !== undefined) {
        const reason = new DerReader(reasonEl.content, 'CRLReason').read(Tag.ENUMERATED, 'CRLReason').content[0] ?? 0;
        lines.push(`    Revocation Reason: ${CRL_REASON[reason] ?? 'unknown'} (0x${reason.toString(16)})`);
      }
    } else if (status.tag === contextPrimitive(2)) {
      lines.push('    Cert Status: unknown');
    } else {
      throw new Error('CertStatus is neither good, revoked nor unknown');
    }
    lines.push(`    This Update: ${time(single, 'thisUpdate')}`);
    const next = single.readOptional(contextConstructed(0));
    if (next !== undefined)
      lines.push(`    Next Update: ${time(new DerReader(next.content, 'nextUpdate'), 'nextUpdate')}`);
    lines.push('');
  }
  const signatureAlgorithm = parseAlgorithmIdentifier(basic, 'BasicOCSPResponse.signatureAlgorithm');
  const signature = basic.readBitString('signature');
  lines.push(
    `    Signature Algorithm: ${oidLongName(signatureAlgorithm.oid)}`,
    '    Signature Value:',
    ...signatureDump(signature.bytes),
  );
  const certs = basic.readOptional(contextConstructed(0));
  if (certs !== undefined) {
    const list = new DerReader(certs.content, 'certs').sequence('certs');
    let count = 0;
    while (!list.done) {
      list.readAny();
      count++;
    }
    lines.push(`    (${count} certificate${count === 1 ? '' : 's'} in the response, not printed)`);
  }
  return lines;
}

/**
 * What `openssl s_client -status` prints for `response` (DER, or null when the server stapled none). A response we
 * cannot parse is reported as OpenSSL reports it ("response parse error"), never thrown.
 */
export function ocspStatusLines(response: Uint8Array | null): string[] {
  if (response === null) return ['OCSP response: no response sent'];
  try {
    const outer = new DerReader(response, 'OCSPResponse').sequence('OCSPResponse');
    const status = outer.read(Tag.ENUMERATED, 'responseStatus').content[0] ?? 0;
    const lines = [
      'OCSP response: ',
      RULE,
      'OCSP Response Data:',
      `    OCSP Response Status: ${RESPONSE_STATUS[status] ?? 'unknown'} (0x${status.toString(16)})`,
    ];
    const bytesEl = outer.readOptional(contextConstructed(0));
    if (bytesEl !== undefined) {
      const responseBytes = new DerReader(bytesEl.content, 'ResponseBytes').sequence('ResponseBytes');
      const type = responseBytes.readOid('responseType');
      const body = responseBytes.readOctetString('response');
      if (type === ID_PKIX_OCSP_BASIC)
        lines.push('    Response Type: Basic OCSP Response', ...basicResponseLines(body));
      else lines.push(`    Response Type: ${oidLongName(type)}`, '    (unknown response type)');
    }
    lines.push(RULE);
    return lines;
  } catch {
    return ['OCSP response: response parse error', `    ${response.length} bytes that are not an OCSPResponse`];
  }
}
