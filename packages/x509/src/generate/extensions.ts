/**
 * Encoders for the certificate and CRL extensions the generation helpers write (RFC 5280 §4.2, §5.2,
 * §5.3). Each returns an {@link Extension}: OID, criticality and the extnValue contents.
 * @module
 */
import { sha1 } from '@noble/hashes/legacy.js';
import {
  contextConstructed,
  contextPrimitive,
  DerReader,
  derBitString,
  derBoolean,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derString,
  derTLV,
  encodeOid,
  Tag,
} from '../der.js';
import { ExtensionOid } from '../parse/cert.js';
import { type Extension, KeyUsageBit, type KeyUsageName } from '../types.js';
import { parseIpAddress } from '../verify/ip.js';
import { invalidArgument } from './errors.js';
import { encodeName, type NameInput } from './name.js';

/** CRL extension and entry-extension OIDs (RFC 5280 §5.2.3, §5.3.1). */
export const CrlExtensionOid = { cRLNumber: '2.5.29.20', reasonCode: '2.5.29.21' } as const;

/** RFC 5280 §4.2.1.12 key purposes, plus anyExtendedKeyUsage. */
export const ExtKeyUsageOid = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
} as const;
export type ExtKeyUsageName = keyof typeof ExtKeyUsageOid;

/** Subject (or issuer) alternative names, by GeneralName kind. */
export interface AltNames {
  /** dNSName; Unicode labels are converted to A-labels (IDNA), a leading `*.` is kept. */
  readonly dns?: readonly string[];
  /** iPAddress from IPv4 or IPv6 text. */
  readonly ip?: readonly string[];
  /** rfc822Name. */
  readonly email?: readonly string[];
  /** uniformResourceIdentifier. */
  readonly uri?: readonly string[];
  /** directoryName. */
  readonly dirName?: readonly NameInput[];
  /** registeredID (dotted OID). */
  readonly registeredId?: readonly string[];
}

/** Name-constraint subtrees (RFC 5280 §4.2.1.10). `ip` entries are CIDR text: `10.0.0.0/8`, `fd00::/8`. */
export interface NameSubtrees {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly email?: readonly string[];
  readonly uri?: readonly string[];
  readonly dirName?: readonly NameInput[];
}

export interface NameConstraintsInput {
  readonly permitted?: NameSubtrees;
  readonly excluded?: NameSubtrees;
}

/** CRL reason codes (RFC 5280 §5.3.1). */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReasonName = keyof typeof CrlReason;

const ACCESS_METHOD = { ocsp: '1.3.6.1.5.5.7.48.1', caIssuers: '1.3.6.1.5.5.7.48.2' } as const;

const ext = (oid: string, critical: boolean, value: Uint8Array): Extension => ({ oid, critical, value });

// ---------------------------------------------------------------------------------------------
// GeneralName (RFC 5280 §4.2.1.6): IMPLICIT tags [1] rfc822Name, [2] dNSName, [4] directoryName
// (EXPLICIT, as Name is a CHOICE), [6] URI, [7] iPAddress, [8] registeredID.

function ascii(value: string, what: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: IA5String is 7-bit ASCII
  if (!/^[\x00-\x7f]*$/.test(value)) throw invalidArgument(`${what} "${value}" must be ASCII (IA5String)`);
  return value;
}

/**
 * A DNS name as an IA5String: Unicode labels become A-labels through the WHATWG URL host parser
 * (UTS #46 processing), which every JavaScript runtime provides; a wildcard label is kept as is.
 */
export function toDnsIa5(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const wildcard = name.startsWith('*.');
  const rest = wildcard ? name.slice(2) : name;
  let host: string;
  try {
    host = new URL(`http://${rest}/`).hostname;
  } catch {
    throw invalidArgument(`"${name}" is not a valid internationalized domain name`);
  }
  return wildcard ? `*.${host}` : host;
}

const dnsName = (name: string): Uint8Array => derString(contextPrimitive(2), toDnsIa5(name));
const emailName = (v: string): Uint8Array => derString(contextPrimitive(1), ascii(v, 'email'));
const uriName = (v: string): Uint8Array => derString(contextPrimitive(6), ascii(v, 'URI'));
const dirName = (n: NameInput): Uint8Array => derTLV(contextConstructed(4), encodeName(n));
const registeredIdName = (oid: string): Uint8Array => derTLV(contextPrimitive(8), encodeOid(oid));

function ipBytes(text: string): Uint8Array {
  const bytes = parseIpAddress(text);
  if (bytes === undefined) throw invalidArgument(`"${text}" is not an IPv4 or IPv6 address`);
  return bytes;
}

const ipName = (text: string): Uint8Array => derTLV(contextPrimitive(7), ipBytes(text));

/** iPAddress in a name constraint: address then mask, 8 or 32 octets (RFC 5280 §4.2.1.10). */
function ipSubnet(cidr: string): Uint8Array {
  const slash = cidr.indexOf('/');
  if (slash < 0) throw invalidArgument(`IP name constraint "${cidr}" needs a prefix length (CIDR)`);
  const address = ipBytes(cidr.slice(0, slash));
  const prefixText = cidr.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^[0-9]{1,3}$/.test(prefixText) || prefix > address.length * 8) {
    throw invalidArgument(`IP name constraint "${cidr}" has a bad prefix length`);
  }
  const mask = new Uint8Array(address.length);
  for (let bit = 0; bit < prefix; bit++) mask[bit >> 3] = (mask[bit >> 3] as number) | (0x80 >> (bit & 7));
  const out = new Uint8Array(address.length * 2);
  for (let i = 0; i < address.length; i++) out[i] = (address[i] as number) & (mask[i] as number);
  out.set(mask, address.length);
  return derTLV(contextPrimitive(7), out);
}

/** GeneralName encodings for every entry of `names`, in a fixed kind order. */
export function encodeGeneralNameList(names: AltNames): Uint8Array[] {
  return [
    ...(names.dns ?? []).map(dnsName),
    ...(names.ip ?? []).map(ipName),
    ...(names.email ?? []).map(emailName),
    ...(names.uri ?? []).map(uriName),
    ...(names.dirName ?? []).map(dirName),
    ...(names.registeredId ?? []).map(registeredIdName),
  ];
}

// ---------------------------------------------------------------------------------------------
// Certificate extensions

/** §4.2.1.9 BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
export function basicConstraintsExtension(ca: boolean, pathLen: number | undefined, critical: boolean): Extension {
  if (pathLen !== undefined && (!Number.isInteger(pathLen) || pathLen < 0)) {
    throw invalidArgument(`pathLen must be a non-negative integer, got ${pathLen}`);
  }
  // X.690 §11.5: a DEFAULT value is omitted in DER, so cA FALSE is absent.
  const parts = [...(ca ? [derBoolean(true)] : []), ...(pathLen !== undefined ? [derInteger(pathLen)] : [])];
  return ext(ExtensionOid.basicConstraints, critical, derSequence(...parts));
}

/** A BIT STRING of named bits with trailing zero bits removed (X.690 §11.2.2). */
export function namedBitString(bits: Iterable<number>): Uint8Array {
  const set = [...new Set(bits)];
  if (set.length === 0) return derBitString(new Uint8Array(0));
  const highest = Math.max(...set);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const b of set) bytes[b >> 3] = (bytes[b >> 3] as number) | (0x80 >> (b & 7));
  return derBitString(bytes, 7 - (highest & 7));
}

/** §4.2.1.3 KeyUsage; conforming CAs SHOULD mark it critical. */
export function keyUsageExtension(usages: readonly KeyUsageName[], critical = true): Extension {
  if (usages.length === 0) throw invalidArgument('keyUsage needs at least one bit (§4.2.1.3)');
  const bits = usages.map((u) => {
    const bit = KeyUsageBit[u];
    if (bit === undefined) throw invalidArgument(`unknown key usage "${u}"`);
    return bit;
  });
  return ext(ExtensionOid.keyUsage, critical, namedBitString(bits));
}

/** A purpose name from {@link ExtKeyUsageOid} or a dotted OID. */
export function extKeyUsageOid(purpose: string): string {
  const named = (ExtKeyUsageOid as Record<string, string>)[purpose];
  if (named !== undefined) return named;
  if (/^[0-2](\.(0|[1-9][0-9]*))+$/.test(purpose)) return purpose;
  throw invalidArgument(`unknown extended key usage "${purpose}"`);
}

/** §4.2.1.12 ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId. */
export function extKeyUsageExtension(purposes: readonly string[], critical = false): Extension {
  if (purposes.length === 0) throw invalidArgument('extKeyUsage needs at least one purpose (§4.2.1.12)');
  return ext(ExtensionOid.extKeyUsage, critical, derSequence(...purposes.map((p) => derOid(extKeyUsageOid(p)))));
}

/** §4.2.1.6: critical when the subject is empty, non-critical otherwise. */
export function subjectAltNameExtension(names: AltNames, subjectIsEmpty: boolean): Extension {
  const list = encodeGeneralNameList(names);
  if (list.length === 0) throw invalidArgument('subjectAltNames lists no name (§4.2.1.6: SIZE (1..MAX))');
  return ext(ExtensionOid.subjectAltName, subjectIsEmpty, derSequence(...list));
}

/** GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree { base, minimum [0] DEFAULT 0, maximum [1] }. */
function generalSubtrees(tag: number, trees: NameSubtrees): Uint8Array | undefined {
  const bases = [
    ...(trees.dns ?? []).map(dnsName),
    ...(trees.ip ?? []).map(ipSubnet),
    ...(trees.email ?? []).map(emailName),
    ...(trees.uri ?? []).map(uriName),
    ...(trees.dirName ?? []).map(dirName),
  ];
  if (bases.length === 0) return undefined;
  // minimum is 0 (its DEFAULT, hence absent) and maximum absent, as §4.2.1.10 requires.
  return derTLV(contextConstructed(tag), ...bases.map((b) => derSequence(b)));
}

/** §4.2.1.10 NameConstraints; conforming CAs MUST mark it critical. */
export function nameConstraintsExtension(input: NameConstraintsInput, critical = true): Extension {
  const permitted = input.permitted === undefined ? undefined : generalSubtrees(0, input.permitted);
  const excluded = input.excluded === undefined ? undefined : generalSubtrees(1, input.excluded);
  if (permitted === undefined && excluded === undefined) {
    throw invalidArgument('nameConstraints needs permitted or excluded subtrees (§4.2.1.10)');
  }
  const parts = [permitted, excluded].filter((p): p is Uint8Array => p !== undefined);
  return ext(ExtensionOid.nameConstraints, critical, derSequence(...parts));
}

/** The subjectPublicKey BIT STRING contents of an SPKI. */
function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const r = new DerReader(spki, 'SubjectPublicKeyInfo').sequence();
  r.read(Tag.SEQUENCE);
  return r.readBitString().bytes;
}

/** §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  return sha1(subjectPublicKeyBits(spki));
}

/** §4.2.1.2 SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING); non-critical. */
export function subjectKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return ext(ExtensionOid.subjectKeyIdentifier, false, derOctetString(keyId));
}

/** §4.2.1.1 AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING, … }; non-critical. */
export function authorityKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return ext(ExtensionOid.authorityKeyIdentifier, false, derSequence(derTLV(contextPrimitive(0), keyId)));
}

/** §4.2.2.1 AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription; non-critical. */
export function authorityInfoAccessExtension(aia: {
  ocsp?: readonly string[];
  caIssuers?: readonly string[];
}): Extension {
  const descriptions = [
    ...(aia.ocsp ?? []).map((u) => derSequence(derOid(ACCESS_METHOD.ocsp), uriName(u))),
    ...(aia.caIssuers ?? []).map((u) => derSequence(derOid(ACCESS_METHOD.caIssuers), uriName(u))),
  ];
  if (descriptions.length === 0) throw invalidArgument('aia lists no OCSP or caIssuers URI (§4.2.2.1)');
  return ext(ExtensionOid.authorityInfoAccess, false, derSequence(...descriptions));
}

/**
 * §4.2.1.13 CRLDistributionPoints: one DistributionPoint per URI, each
 * `SEQUENCE { distributionPoint [0] { fullName [0] GeneralNames } }`.
 */
export function crlDistributionPointsExtension(uris: readonly string[]): Extension {
  if (uris.length === 0) throw invalidArgument('crlDistributionPoints lists no URI (§4.2.1.13)');
  const points = uris.map((u) => derSequence(derTLV(contextConstructed(0), derTLV(contextConstructed(0), uriName(u)))));
  return ext(ExtensionOid.crlDistributionPoints, false, derSequence(...points));
}

/** §4.2.1.4 certificatePolicies with bare policy identifiers (no qualifiers). */
export function certificatePoliciesExtension(policies: readonly string[]): Extension {
  if (policies.length === 0) throw invalidArgument('policies lists no OID (§4.2.1.4)');
  return ext(ExtensionOid.certificatePolicies, false, derSequence(...policies.map((p) => derSequence(derOid(p)))));
}

// ---------------------------------------------------------------------------------------------
// CRL extensions

/** §5.2.3 CRLNumber ::= INTEGER (0..MAX); non-critical. */
export function crlNumberExtension(n: bigint | number): Extension {
  if (BigInt(n) < 0n) throw invalidArgument('crlNumber must be non-negative (§5.2.3)');
  return ext(CrlExtensionOid.cRLNumber, false, derInteger(n));
}

/** §5.3.1 reasonCode ::= ENUMERATED; non-critical. */
export function reasonCodeExtension(reason: number): Extension {
  return ext(CrlExtensionOid.reasonCode, false, derTLV(Tag.ENUMERATED, derInteger(reason).subarray(2)));
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical DEFAULT FALSE, extnValue }. */
export function encodeExtensions(extensions: readonly Extension[]): Uint8Array {
  const seen = new Set<string>();
  return derSequence(
    ...extensions.map((e) => {
      // §4.2: a certificate MUST NOT include more than one instance of a particular extension.
      if (seen.has(e.oid)) throw invalidArgument(`extension ${e.oid} appears twice (§4.2)`);
      seen.add(e.oid);
      return derSequence(derOid(e.oid), ...(e.critical ? [derBoolean(true)] : []), derOctetString(e.value));
    }),
  );
}
