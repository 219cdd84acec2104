/**
 * Distinguished-name comparison for path building and name constraints (RFC 5280 §7.1): directory
 * strings compare case-insensitively with leading/trailing whitespace removed and inner runs of
 * whitespace folded to one space (the subset of RFC 4518 preparation OpenSSL and browsers apply);
 * other value types compare by their exact encoding. Attributes within an RDN are unordered (a SET).
 * @module
 */
import { Tag } from '../der.js';
import { toHex } from '../parse/name.js';
import type { AttributeTypeAndValue, Name } from '../types.js';

/** String types compared after preparation (RFC 5280 §7.1; OpenSSL's ASN1_MASK_CANON). */
const DIRECTORY_STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8String,
  Tag.PrintableString,
  Tag.T61String,
  Tag.IA5String,
  Tag.VisibleString,
  Tag.UniversalString,
  Tag.BMPString,
]);

/** Canonical form of one attribute value: prepared text for directory strings, else the hex TLV. */
export function canonicalAttributeValue(atv: AttributeTypeAndValue): string {
  if (DIRECTORY_STRING_TAGS.has(atv.valueTag)) {
    // RFC 4518 §2.6 (insignificant space handling) and §2.4 (case folding), restricted to ASCII spaces and
    // letters as OpenSSL's x509_name_canon() does, so both sides agree on which names chain.
    const folded = atv.value
      .replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '')
      .replace(/[ \t\n\v\f\r]+/g, ' ')
      .replace(/[A-Z]/g, (c) => c.toLowerCase());
    return `s:${folded}`;
  }
  return `x:${toHex(atv.rawValue)}`;
}

function canonicalRdn(rdn: readonly AttributeTypeAndValue[]): string {
  const parts = rdn.map((atv) => `${atv.oid}=${JSON.stringify(canonicalAttributeValue(atv))}`);
  parts.sort();
  return parts.join('+');
}

const nameKeyCache = new WeakMap<Name, string>();

/** A string key such that two Names are equal under RFC 5280 §7.1 exactly when their keys are equal. */
export function nameKey(name: Name): string {
  let key = nameKeyCache.get(name);
  if (key === undefined) {
    key = name.rdns.map(canonicalRdn).join(',');
    nameKeyCache.set(name, key);
  }
  return key;
}

export function namesEqual(a: Name, b: Name): boolean {
  return nameKey(a) === nameKey(b);
}

/** True when `subtree`'s RDNs are a leading prefix of `name`'s (RFC 5280 §4.2.1.10, directoryName). */
export function nameWithinSubtree(name: Name, subtree: Name): boolean {
  if (subtree.rdns.length > name.rdns.length) return false;
  for (let i = 0; i < subtree.rdns.length; i++) {
    if (canonicalRdn(subtree.rdns[i] ?? []) !== canonicalRdn(name.rdns[i] ?? [])) return false;
  }
  return true;
}

export const OID_COMMON_NAME = '2.5.4.3';
/** PKCS #9 emailAddress, constrained as an rfc822Name (RFC 5280 §4.2.1.10). */
export const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** All values of one attribute type in a Name, in order. */
export function attributeValues(name: Name, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const atv of rdn) if (atv.oid === oid) out.push(atv.value);
  return out;
}
