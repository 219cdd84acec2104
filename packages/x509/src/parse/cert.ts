/**
 * X.509 v1/v2/v3 certificate parsing (RFC 5280 §4.1) into the shared {@link Certificate} model, with the
 * well-known extensions (§4.2.1, §4.2.2) decoded. Every structure is read to its end; anything
 * malformed raises {@link X509ParseError}.
 * @module
 */
import {
  contextConstructed,
  contextPrimitive,
  type DerElement,
  DerReader,
  decodeBitString,
  decodeBoolean,
  Tag,
} from '../der.js';
import { X509ParseError } from '../errors.js';
import type {
  AccessDescription,
  AlgorithmIdentifier,
  BasicConstraints,
  Certificate,
  DistributionPoint,
  Extension,
  GeneralSubtree,
  NameConstraints,
  PolicyInformation,
} from '../types.js';
import {
  parseGeneralNameElement,
  parseGeneralNamesContent,
  parseNameElement,
  parseRdnContent,
  parseTime,
  toHex,
} from './name.js';
import { pemBlocks } from './pem.js';

function fail(what: string, detail: string): never {
  throw new X509ParseError(`${what}: ${detail}`);
}

/** Extension OIDs decoded into typed fields (RFC 5280 §4.2.1, §4.2.2.1). */
export const ExtensionOid = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (§4.1.1.2). */
export function parseAlgorithmIdentifier(r: DerReader, what: string): AlgorithmIdentifier {
  const el = r.read(Tag.SEQUENCE, what);
  const inner = new DerReader(el.content, what);
  const oid = inner.readOid(what);
  const parameters = inner.done ? undefined : inner.readAny().raw;
  inner.end(what);
  return { oid, parameters, der: el.raw };
}

/** Version ::= INTEGER { v1(0), v2(1), v3(2) } under [0] EXPLICIT, DEFAULT v1 (§4.1.2.1). */
function readVersion(tbs: DerReader): number {
  const el = tbs.readOptional(contextConstructed(0));
  if (el === undefined) return 1;
  const r = new DerReader(el.content, 'certificate version');
  const v = r.readBigInt('certificate version');
  r.end('certificate version');
  // An explicitly encoded v1 breaks DER's DEFAULT rule, but OpenSSL (and so Python) accepts it.
  if (v < 0n || v > 2n) fail('certificate version', `unsupported version value ${v}`);
  return Number(v) + 1;
}

/** Parses one DER certificate. */
export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw new X509ParseError('certificate: expected DER bytes');
  const top = new DerReader(der, 'certificate');
  const certEl = top.read(Tag.SEQUENCE, 'certificate');
  top.end('certificate (trailing data after the certificate)');
  const cert = new DerReader(certEl.content, 'certificate');
  const tbsEl = cert.read(Tag.SEQUENCE, 'tbsCertificate');
  const signatureAlgorithm = parseAlgorithmIdentifier(cert, 'signatureAlgorithm');
  const signature = cert.readBitString('signatureValue');
  cert.end('certificate');
  if (signature.unusedBits !== 0) fail('signatureValue', 'signature BIT STRING has unused bits');

  const tbs = new DerReader(tbsEl.content, 'tbsCertificate');
  const version = readVersion(tbs);
  const serialNumber = tbs.readIntegerBytes('serialNumber');
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(tbs, 'tbsCertificate.signature');
  const issuer = parseNameElement(tbs.read(Tag.SEQUENCE, 'issuer'), 'issuer');
  const validity = tbs.sequence('validity');
  const notBefore = parseTime(validity.readAny(), 'notBefore');
  const notAfter = parseTime(validity.readAny(), 'notAfter');
  validity.end('validity');
  const subject = parseNameElement(tbs.read(Tag.SEQUENCE, 'subject'), 'subject');
  const spkiEl = tbs.read(Tag.SEQUENCE, 'subjectPublicKeyInfo');
  const spkiReader = new DerReader(spkiEl.content, 'subjectPublicKeyInfo');
  const spkiAlgorithm = parseAlgorithmIdentifier(spkiReader, 'subjectPublicKeyInfo.algorithm');
  const publicKeyBits = spkiReader.readBitString('subjectPublicKey');
  spkiReader.end('subjectPublicKeyInfo');
  if (publicKeyBits.unusedBits !== 0) fail('subjectPublicKey', 'public key BIT STRING has unused bits');

  // §4.1.2.8: unique identifiers only in v2 and v3; §4.1.2.9: extensions only in v3.
  const issuerUid = tbs.readOptional(contextPrimitive(1));
  const subjectUid = tbs.readOptional(contextPrimitive(2));
  if ((issuerUid !== undefined || subjectUid !== undefined) && version < 2) {
    fail('tbsCertificate', 'unique identifiers require version 2 or 3');
  }
  const extensionsEl = tbs.readOptional(contextConstructed(3));
  tbs.end('tbsCertificate');
  if (extensionsEl !== undefined && version !== 3) fail('tbsCertificate', 'extensions require version 3');
  const extensions = extensionsEl === undefined ? [] : parseExtensions(extensionsEl);

  return {
    der: certEl.raw,
    tbs: tbsEl.raw,
    version,
    serialNumber,
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    signatureValue: signature.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: { der: spkiEl.raw, algorithm: spkiAlgorithm, publicKey: publicKeyBits.bytes },
    issuerUniqueId: issuerUid === undefined ? undefined : decodeBitString(issuerUid.content, 'issuerUniqueID').bytes,
    subjectUniqueId:
      subjectUid === undefined ? undefined : decodeBitString(subjectUid.content, 'subjectUniqueID').bytes,
    extensions,
    ...decodeKnownExtensions(extensions),
  };
}

/**
 * Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (§4.1.2.9);
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
 * §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
 */
export function parseExtensions(wrapper: DerElement, what = 'extensions'): Extension[] {
  const outer = new DerReader(wrapper.content, what);
  const list = outer.read(Tag.SEQUENCE, what);
  outer.end(what);
  return parseExtensionList(list, what);
}

/** The Extensions SEQUENCE itself (CRL entries carry it without an EXPLICIT wrapper, RFC 5280 §5.1). */
export function parseExtensionList(sequence: DerElement, what = 'extensions'): Extension[] {
  if (sequence.tag !== Tag.SEQUENCE) fail(what, 'Extensions must be a SEQUENCE');
  const list = new DerReader(sequence.content, what);
  const extensions: Extension[] = [];
  const seen = new Set<string>();
  while (!list.done) {
    const r = list.sequence('extension');
    const oid = r.readOid('extension');
    const criticalEl = r.readOptional(Tag.BOOLEAN);
    // An explicit FALSE breaks DER's DEFAULT rule but is common in the wild and accepted by OpenSSL.
    const critical = criticalEl === undefined ? false : decodeBoolean(criticalEl.content, `extension ${oid}`);
    const value = r.readOctetString(`extension ${oid}`);
    r.end(`extension ${oid}`);
    if (seen.has(oid)) fail(what, `duplicate extension ${oid} (RFC 5280 §4.2)`);
    seen.add(oid);
    extensions.push({ oid, critical, value });
  }
  if (extensions.length === 0) fail(what, 'empty extensions list (RFC 5280 §4.1: SIZE (1..MAX))');
  return extensions;
}

type KnownExtensions = Pick<
  Certificate,
  | 'basicConstraints'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'subjectAltName'
  | 'issuerAltName'
  | 'nameConstraints'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier'
  | 'authorityInfoAccess'
  | 'crlDistributionPoints'
  | 'certificatePolicies'
>;

function decodeKnownExtensions(extensions: readonly Extension[]): KnownExtensions {
  const find = (oid: string): Uint8Array | undefined => extensions.find((e) => e.oid === oid)?.value;
  const decode = <T>(oid: string, name: string, decoder: (r: DerReader, what: string) => T): T | undefined => {
    const value = find(oid);
    if (value === undefined) return undefined;
    const r = new DerReader(value, name);
    const result = decoder(r, name);
    r.end(name);
    return result;
  };
  return {
    basicConstraints: decode(ExtensionOid.basicConstraints, 'basicConstraints', readBasicConstraints),
    keyUsage: decode(ExtensionOid.keyUsage, 'keyUsage', readKeyUsage),
    extKeyUsage: decode(ExtensionOid.extKeyUsage, 'extKeyUsage', readOidList),
    subjectAltName: decode(ExtensionOid.subjectAltName, 'subjectAltName', readGeneralNames),
    issuerAltName: decode(ExtensionOid.issuerAltName, 'issuerAltName', readGeneralNames),
    nameConstraints: decode(ExtensionOid.nameConstraints, 'nameConstraints', readNameConstraints),
    subjectKeyIdentifier: decode(ExtensionOid.subjectKeyIdentifier, 'subjectKeyIdentifier', (r, w) =>
      r.readOctetString(w),
    ),
    authorityKeyIdentifier: decode(
      ExtensionOid.authorityKeyIdentifier,
      'authorityKeyIdentifier',
      readAuthorityKeyIdentifier,
    ),
    authorityInfoAccess: decode(ExtensionOid.authorityInfoAccess, 'authorityInfoAccess', readAccessDescriptions),
    crlDistributionPoints: decode(ExtensionOid.crlDistributionPoints, 'crlDistributionPoints', readDistributionPoints),
    certificatePolicies: decode(ExtensionOid.certificatePolicies, 'certificatePolicies', readPolicies),
  };
}

/** §4.2.1.9: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function readBasicConstraints(r: DerReader, what: string): BasicConstraints {
  const seq = r.sequence(what);
  const caEl = seq.readOptional(Tag.BOOLEAN);
  const ca = caEl === undefined ? false : decodeBoolean(caEl.content, what);
  const pathLenConstraint = seq.done ? undefined : seq.readSmallInt(`${what} pathLenConstraint`);
  seq.end(what);
  return { ca, pathLenConstraint };
}

/** §4.2.1.3: KeyUsage ::= BIT STRING; bit n is the nth bit from the most significant of the first octet. */
function readKeyUsage(r: DerReader, what: string): ReadonlySet<number> {
  const { bytes, unusedBits } = r.readBitString(what);
  const bits = new Set<number>();
  const total = bytes.length * 8 - unusedBits;
  for (let i = 0; i < total; i++) if ((((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1) === 1) bits.add(i);
  return bits;
}

/** §4.2.1.12: ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
function readOidList(r: DerReader, what: string): string[] {
  const seq = r.sequence(what);
  const oids: string[] = [];
  while (!seq.done) oids.push(seq.readOid(what));
  if (oids.length === 0) fail(what, 'must list at least one purpose');
  return oids;
}

function readGeneralNames(r: DerReader, what: string) {
  return parseGeneralNamesContent(r.read(Tag.SEQUENCE, what).content, what);
}

/**
 * §4.2.1.10: NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 * excludedSubtrees [1] GeneralSubtrees OPTIONAL }; "Conforming CAs MUST NOT issue certificates where
 * name constraints is an empty sequence".
 */
function readNameConstraints(r: DerReader, what: string): NameConstraints {
  const seq = r.sequence(what);
  const permitted = seq.readOptional(contextConstructed(0));
  const excluded = seq.readOptional(contextConstructed(1));
  seq.end(what);
  if (permitted === undefined && excluded === undefined) fail(what, 'empty NameConstraints');
  return {
    permitted: permitted === undefined ? undefined : readSubtrees(permitted.content, `${what} permittedSubtrees`),
    excluded: excluded === undefined ? undefined : readSubtrees(excluded.content, `${what} excludedSubtrees`),
  };
}

/** GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL } */
function readSubtrees(content: Uint8Array, what: string): GeneralSubtree[] {
  const r = new DerReader(content, what);
  const subtrees: GeneralSubtree[] = [];
  while (!r.done) {
    const s = r.sequence(what);
    const base = parseGeneralNameElement(s.readAny(), what);
    const minEl = s.readOptional(contextPrimitive(0));
    const maxEl = s.readOptional(contextPrimitive(1));
    s.end(what);
    const minimum = minEl === undefined ? 0 : smallIntFromContent(minEl, what);
    const maximum = maxEl === undefined ? undefined : smallIntFromContent(maxEl, what);
    subtrees.push({ base, minimum, maximum });
  }
  if (subtrees.length === 0) fail(what, 'GeneralSubtrees must not be empty');
  return subtrees;
}

/** An IMPLICIT [n] INTEGER's content as a small non-negative number. */
function smallIntFromContent(el: DerElement, what: string): number {
  if (el.content.length > 7) fail(what, 'integer out of range');
  return new DerReader(Uint8Array.of(Tag.INTEGER, el.content.length, ...el.content), what).readSmallInt(what);
}

/**
 * §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OCTET STRING OPTIONAL,
 * authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] INTEGER OPTIONAL }
 * (IMPLICIT tags).
 */
function readAuthorityKeyIdentifier(r: DerReader, what: string): NonNullable<Certificate['authorityKeyIdentifier']> {
  const seq = r.sequence(what);
  const keyId = seq.readOptional(contextPrimitive(0));
  const issuer = seq.readOptional(contextConstructed(1));
  const serial = seq.readOptional(contextPrimitive(2));
  seq.end(what);
  if ((issuer === undefined) !== (serial === undefined)) {
    fail(what, 'authorityCertIssuer and authorityCertSerialNumber must appear together');
  }
  return {
    keyIdentifier: keyId?.content,
    authorityCertIssuer: issuer === undefined ? undefined : parseGeneralNamesContent(issuer.content, what),
    authorityCertSerialNumber: serial === undefined ? undefined : checkIntegerContent(serial.content, what),
  };
}

function checkIntegerContent(content: Uint8Array, what: string): Uint8Array {
  if (content.length > 0x7f) fail(what, 'serial number too long');
  return new DerReader(Uint8Array.of(Tag.INTEGER, content.length, ...content), what).readIntegerBytes(what);
}

/** §4.2.2.1: AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription */
function readAccessDescriptions(r: DerReader, what: string): AccessDescription[] {
  const seq = r.sequence(what);
  const out: AccessDescription[] = [];
  while (!seq.done) {
    const ad = seq.sequence(what);
    const method = ad.readOid(what);
    const location = parseGeneralNameElement(ad.readAny(), what);
    ad.end(what);
    out.push({ method, location });
  }
  if (out.length === 0) fail(what, 'must contain at least one AccessDescription');
  return out;
}

/**
 * §4.2.1.13: CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint;
 * DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL,
 * reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames OPTIONAL };
 * DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RDN }.
 */
function readDistributionPoints(r: DerReader, what: string): DistributionPoint[] {
  const seq = r.sequence(what);
  const out: DistributionPoint[] = [];
  while (!seq.done) {
    const dp = seq.sequence(what);
    const nameEl = dp.readOptional(contextConstructed(0));
    const reasonsEl = dp.readOptional(contextPrimitive(1));
    const issuerEl = dp.readOptional(contextConstructed(2));
    dp.end(what);
    let fullName: DistributionPoint['fullName'];
    if (nameEl !== undefined) {
      const choice = new DerReader(nameEl.content, what);
      const el = choice.readAny();
      choice.end(what);
      if (el.tag === contextConstructed(0)) fullName = parseGeneralNamesContent(el.content, what);
      else if (el.tag === contextConstructed(1)) {
        // nameRelativeToCRLIssuer: an RDN (SET OF AttributeTypeAndValue); checked, not modelled.
        parseRdnContent(el.content, what);
      } else fail(what, 'bad DistributionPointName');
    }
    // "either distributionPoint or cRLIssuer MUST be present"
    if (nameEl === undefined && issuerEl === undefined)
      fail(what, 'DistributionPoint without distributionPoint or cRLIssuer');
    out.push({
      fullName,
      reasons: reasonsEl === undefined ? undefined : decodeBitString(reasonsEl.content, `${what} reasons`).bytes,
      crlIssuer: issuerEl === undefined ? undefined : parseGeneralNamesContent(issuerEl.content, what),
    });
  }
  if (out.length === 0) fail(what, 'must contain at least one DistributionPoint');
  return out;
}

/**
 * §4.2.1.4: certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation;
 * PolicyInformation ::= SEQUENCE { policyIdentifier OID, policyQualifiers SEQUENCE SIZE (1..MAX) OF
 * PolicyQualifierInfo OPTIONAL }; "A certificate policy OID MUST NOT appear more than once".
 */
function readPolicies(r: DerReader, what: string): PolicyInformation[] {
  const seq = r.sequence(what);
  const out: PolicyInformation[] = [];
  const seen = new Set<string>();
  while (!seq.done) {
    const pi = seq.sequence(what);
    const policyIdentifier = pi.readOid(what);
    if (!pi.done) {
      const qualifiers = pi.sequence(what);
      let count = 0;
      while (!qualifiers.done) {
        // PolicyQualifierInfo ::= SEQUENCE { policyQualifierId OID, qualifier ANY }
        const q = qualifiers.sequence(what);
        q.readOid(what);
        q.readAny();
        q.end(what);
        count++;
      }
      if (count === 0) fail(what, 'empty policyQualifiers');
    }
    pi.end(what);
    if (seen.has(policyIdentifier)) fail(what, `policy ${policyIdentifier} appears more than once`);
    seen.add(policyIdentifier);
    out.push({ policyIdentifier });
  }
  if (out.length === 0) fail(what, 'must contain at least one PolicyInformation');
  return out;
}

/** Serial number as OpenSSL prints it in messages: upper-case hex of the content octets. */
export function serialHex(cert: Pick<Certificate, 'serialNumber'>): string {
  return toHex(cert.serialNumber).toUpperCase();
}

/**
 * Certificates from PEM text (one or many `CERTIFICATE` blocks; other blocks such as keys are skipped)
 * or from DER bytes (exactly one certificate). PEM given as bytes is recognised too.
 */
export function loadCertificates(pemOrDer: string | Uint8Array): Certificate[] {
  return certificateDers(pemOrDer).map(parseCertificate);
}

/** The first certificate only, as OpenSSL's `PEM_read_bio_X509` (and so Python) reads a file. */
export function firstCertificate(pemOrDer: string | Uint8Array): Certificate {
  return parseCertificate(certificateDers(pemOrDer)[0] as Uint8Array);
}

function certificateDers(pemOrDer: string | Uint8Array): Uint8Array[] {
  if (typeof pemOrDer !== 'string') {
    if (!(pemOrDer instanceof Uint8Array)) throw new X509ParseError('certificates: expected PEM text or DER bytes');
    if (pemOrDer[0] === Tag.SEQUENCE) return [pemOrDer];
    pemOrDer = new TextDecoder('latin1').decode(pemOrDer);
  }
  // "X509 CERTIFICATE" is the pre-RFC 7468 label OpenSSL still reads as a certificate.
  const ders = pemBlocks(pemOrDer)
    .filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE')
    .map((b) => b.der);
  if (ders.length === 0) {
    throw new X509ParseError('no certificate found (expected a "-----BEGIN CERTIFICATE-----" block)', {
      library: 'PEM',
      reason: 'NO_START_LINE',
    });
  }
  return ders;
}
