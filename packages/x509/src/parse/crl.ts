/**
 * X.509 v1/v2 CRL parsing (RFC 5280 §5.1) into the shared {@link CertificateRevocationList} model.
 * @module
 */
import { contextConstructed, DerReader, integerToBigInt, Tag } from '../der.js';
import { X509ParseError } from '../errors.js';
import type { CertificateRevocationList, Extension } from '../types.js';
import { parseAlgorithmIdentifier, parseExtensionList } from './cert.js';
import { parseNameElement, parseTime } from './name.js';
import { pemBlocks } from './pem.js';

function fail(what: string, detail: string): never {
  throw new X509ParseError(`${what}: ${detail}`);
}

const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const OID_CRL_REASON = '2.5.29.21';

const isTimeTag = (tag: number | undefined): boolean => tag === Tag.UTCTime || tag === Tag.GeneralizedTime;

/**
 * CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier,
 * signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE { version Version OPTIONAL (v2), signature AlgorithmIdentifier, issuer Name,
 * thisUpdate Time, nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE {
 * userCertificate CertificateSerialNumber, revocationDate Time, crlEntryExtensions Extensions OPTIONAL }
 * OPTIONAL, crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
export function parseCrl(der: Uint8Array): CertificateRevocationList {
  if (!(der instanceof Uint8Array)) throw new X509ParseError('CRL: expected DER bytes');
  const top = new DerReader(der, 'CRL');
  const listEl = top.read(Tag.SEQUENCE, 'CRL');
  top.end('CRL (trailing data after the CRL)');
  const list = new DerReader(listEl.content, 'CRL');
  const tbsEl = list.read(Tag.SEQUENCE, 'tbsCertList');
  const signatureAlgorithm = parseAlgorithmIdentifier(list, 'CRL signatureAlgorithm');
  const signature = list.readBitString('CRL signatureValue');
  list.end('CRL');
  if (signature.unusedBits !== 0) fail('CRL signatureValue', 'signature BIT STRING has unused bits');

  const tbs = new DerReader(tbsEl.content, 'tbsCertList');
  let version = 1;
  if (tbs.peekTag() === Tag.INTEGER) {
    // §5.1.2.1: "if present, MUST specify version 2".
    if (tbs.readBigInt('CRL version') !== 1n) fail('CRL version', 'only v2 may be encoded');
    version = 2;
  }
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(tbs, 'tbsCertList.signature');
  const issuer = parseNameElement(tbs.read(Tag.SEQUENCE, 'CRL issuer'), 'CRL issuer');
  const thisUpdate = parseTime(tbs.readAny(), 'thisUpdate');
  const nextUpdate = isTimeTag(tbs.peekTag()) ? parseTime(tbs.readAny(), 'nextUpdate') : undefined;
  const revoked: CertificateRevocationList['revoked'][number][] = [];
  let entryExtensionsSeen = false;
  if (tbs.peekTag() === Tag.SEQUENCE) {
    const entries = tbs.sequence('revokedCertificates');
    while (!entries.done) {
      const entry = entries.sequence('revoked certificate');
      const serialNumber = entry.readIntegerBytes('revoked userCertificate');
      const revocationDate = parseTime(entry.readAny(), 'revocationDate');
      let reason: number | undefined;
      if (!entry.done) {
        entryExtensionsSeen = true;
        const extensions = parseExtensionList(entry.read(Tag.SEQUENCE, 'crlEntryExtensions'), 'crlEntryExtensions');
        reason = readReason(extensions);
      }
      entry.end('revoked certificate');
      revoked.push({ serialNumber, revocationDate, reason });
    }
  }
  const extensionsEl = tbs.readOptional(contextConstructed(0));
  tbs.end('tbsCertList');
  if ((extensionsEl !== undefined || entryExtensionsSeen) && version !== 2) {
    fail('tbsCertList', 'extensions require a v2 CRL (RFC 5280 §5.1.2.1)');
  }
  let extensions: Extension[] = [];
  if (extensionsEl !== undefined) {
    const wrapper = new DerReader(extensionsEl.content, 'crlExtensions');
    extensions = parseExtensionList(wrapper.read(Tag.SEQUENCE, 'crlExtensions'), 'crlExtensions');
    wrapper.end('crlExtensions');
  }
  return {
    der: listEl.raw,
    tbs: tbsEl.raw,
    version,
    signatureAlgorithm,
    tbsSignatureAlgorithm,
    signatureValue: signature.bytes,
    issuer,
    thisUpdate,
    nextUpdate,
    revoked,
    extensions,
    authorityKeyIdentifier: readAkiKeyId(extensions),
    crlNumber: readCrlNumber(extensions),
  };
}

function extensionReader(extensions: readonly Extension[], oid: string, what: string): DerReader | undefined {
  const ext = extensions.find((e) => e.oid === oid);
  return ext === undefined ? undefined : new DerReader(ext.value, what);
}

/** §5.3.1: CRLReason ::= ENUMERATED { unspecified (0) … aACompromise (10) }, 7 unused. */
function readReason(extensions: readonly Extension[]): number | undefined {
  const r = extensionReader(extensions, OID_CRL_REASON, 'reasonCode');
  if (r === undefined) return undefined;
  const el = r.read(Tag.ENUMERATED, 'reasonCode');
  r.end('reasonCode');
  if (el.content.length !== 1) fail('reasonCode', 'reason out of range');
  const reason = el.content[0] as number;
  if (reason > 10 || reason === 7) fail('reasonCode', `unknown reason ${reason}`);
  return reason;
}

/** §5.2.3: CRLNumber ::= INTEGER (0..MAX), at most 20 octets. */
function readCrlNumber(extensions: readonly Extension[]): bigint | undefined {
  const r = extensionReader(extensions, OID_CRL_NUMBER, 'cRLNumber');
  if (r === undefined) return undefined;
  const bytes = r.readIntegerBytes('cRLNumber');
  r.end('cRLNumber');
  const n = integerToBigInt(bytes);
  if (n < 0n || bytes.length > 21) fail('cRLNumber', 'out of range');
  return n;
}

/** §5.2.1: the keyIdentifier of the CRL's AuthorityKeyIdentifier. */
function readAkiKeyId(extensions: readonly Extension[]): Uint8Array | undefined {
  const r = extensionReader(extensions, OID_AUTHORITY_KEY_IDENTIFIER, 'CRL authorityKeyIdentifier');
  if (r === undefined) return undefined;
  const seq = r.sequence('CRL authorityKeyIdentifier');
  r.end('CRL authorityKeyIdentifier');
  const keyId = seq.readOptional(0x80)?.content;
  seq.readOptional(contextConstructed(1));
  seq.readOptional(0x82);
  seq.end('CRL authorityKeyIdentifier');
  return keyId;
}

/** CRLs from PEM text (`X509 CRL` blocks) or one DER CRL. */
export function loadCrls(pemOrDer: string | Uint8Array): CertificateRevocationList[] {
  if (typeof pemOrDer !== 'string') return [parseCrl(pemOrDer)];
  const blocks = pemBlocks(pemOrDer).filter((b) => b.label === 'X509 CRL');
  if (blocks.length === 0)
    throw new X509ParseError('no CRL found (expected a "-----BEGIN X509 CRL-----" block)', {
      library: 'PEM',
      reason: 'NO_START_LINE',
    });
  return blocks.map((b) => parseCrl(b.der));
}
