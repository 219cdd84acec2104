/**
 * Name constraints (RFC 5280 §4.2.1.10, applied per §6.1.3(b)–(c) and §6.1.4(g)).
 *
 * The names of a certificate that are checked: its subject DN (when non-empty) as a directoryName, each
 * PKCS #9 emailAddress in the subject as an rfc822Name, every subjectAltName entry, and — for the leaf
 * only, when it has no DNS SAN — each subject commonName that is a syntactically valid host name, as a
 * dNSName (the CN may be used as the host identity, so it must obey DNS constraints as OpenSSL requires).
 *
 * A name of a type with no constraint of that type is unconstrained. Name types we cannot compare
 * (otherName, x400Address, ediPartyName, registeredID) fail closed when a constraint of their type exists.
 * @module
 */
import type { Certificate, GeneralName, GeneralSubtree, Name, NameConstraints } from '../types.js';
import { isValidDnsName } from './hostname.js';
import { attributeValues, nameWithinSubtree, OID_COMMON_NAME, OID_EMAIL_ADDRESS } from './names.js';
import { X509_V_ERR } from './verify-errors.js';

export interface NameConstraintFailure {
  readonly code: number;
  readonly detail: string;
}

type ConstrainableType = GeneralName['type'];

/** Most (names × constraints) comparisons one CA's constraints may cost. */
const NAME_CHECK_MAX = 1 << 20;

function fail(code: number, detail: string): NameConstraintFailure {
  return { code, detail };
}

// ---------------------------------------------------------------------------------------------
// Constraint syntax (checked once per NameConstraints extension).

/** A contiguous netmask (RFC 4632 prefix): ones then zeros. */
function isContiguousMask(mask: Uint8Array): boolean {
  let seenZero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = ((byte >> bit) & 1) === 1;
      if (one && seenZero) return false;
      if (!one) seenZero = true;
    }
  }
  return true;
}

function validateSubtree(subtree: GeneralSubtree, strict: boolean): NameConstraintFailure | undefined {
  // §4.2.1.10: "Within this profile, the minimum and maximum fields are not used with any name forms,
  // thus, the minimum MUST be zero, and maximum MUST be absent."
  if (subtree.minimum !== 0 || subtree.maximum !== undefined) {
    return fail(X509_V_ERR.SUBTREE_MINMAX, 'name constraint with minimum/maximum');
  }
  const base = subtree.base;
  switch (base.type) {
    case 'dns': {
      const v = base.value;
      if (v === '') return undefined; // matches every DNS name
      // A leading period is URI syntax, not dNSName syntax (§4.2.1.10); OpenSSL accepts it as "subdomains only".
      const body = v.startsWith('.') && !strict ? v.slice(1) : v;
      if (!isValidDnsName(body, true))
        return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_SYNTAX, `bad DNS constraint ${JSON.stringify(v)}`);
      return undefined;
    }
    case 'ip':
      if (
        (base.bytes.length !== 8 && base.bytes.length !== 32) ||
        !isContiguousMask(base.bytes.subarray(base.bytes.length / 2))
      ) {
        return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_SYNTAX, 'bad iPAddress constraint');
      }
      return undefined;
    case 'email': {
      const v = base.value;
      const at = v.indexOf('@');
      if (at >= 0) {
        if (at !== v.lastIndexOf('@') || parseMailbox(v) === undefined) {
          return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_SYNTAX, `bad rfc822Name constraint ${JSON.stringify(v)}`);
        }
        return undefined;
      }
      const domain = v.startsWith('.') ? v.slice(1) : v;
      if (!isValidDnsName(domain, true))
        return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_SYNTAX, `bad rfc822Name constraint ${JSON.stringify(v)}`);
      return undefined;
    }
    case 'uri': {
      const domain = base.value.startsWith('.') ? base.value.slice(1) : base.value;
      if (!isValidDnsName(domain, true))
        return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_SYNTAX, `bad URI constraint ${JSON.stringify(base.value)}`);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Checks a NameConstraints extension's own well-formedness (§4.2.1.10). */
export function validateNameConstraints(nc: NameConstraints, strict: boolean): NameConstraintFailure | undefined {
  const permitted = nc.permitted ?? [];
  const excluded = nc.excluded ?? [];
  // §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence."
  if (permitted.length === 0 && excluded.length === 0) {
    return fail(X509_V_ERR.INVALID_EXTENSION, 'empty name constraints');
  }
  for (const s of [...permitted, ...excluded]) {
    const bad = validateSubtree(s, strict);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Matching one name against one constraint base of the same type.

function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
}

/**
 * Could some host name that the (possibly wildcard) presented name `pattern` matches lie within `c`?
 * Used for excluded subtrees: `*.example.com` must be rejected by an exclusion of `bar.example.com`
 * (RFC 9525 wildcards meet RFC 5280 constraints: fail safe).
 */
function dnsMayIntersect(pattern: string, c: string): boolean {
  if (dnsWithin(pattern, c)) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(2).toLowerCase();
  const lc = c.toLowerCase().replace(/^\./, '');
  const dot = lc.indexOf('.');
  return dot > 0 && lc.slice(dot + 1) === suffix;
}

/** `local@domain` split at the last `@`, or undefined when either side is malformed. */
function parseMailbox(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  // RFC 5322 §3.4.1 local-part: dot-atom (a quoted local part may hold `@`).
  const quoted = /^"(?:[^"\\]|\\.)*"$/.test(local);
  if (!quoted && (local.includes('@') || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local))) return undefined;
  if (!isValidDnsName(domain, true)) return undefined;
  return { local, domain };
}

function emailWithin(address: string, constraint: string): boolean {
  const mailbox = parseMailbox(address);
  if (mailbox === undefined) return false;
  if (constraint.includes('@')) {
    const c = parseMailbox(constraint);
    // §4.2.1.10: a particular mailbox; local parts are case-sensitive, domains are not (RFC 5321 §2.4).
    return c !== undefined && c.local === mailbox.local && c.domain.toLowerCase() === mailbox.domain.toLowerCase();
  }
  const domain = mailbox.domain.toLowerCase();
  const c = constraint.toLowerCase();
  // ".example.com": any host in that domain; "example.com": all mailboxes on that host.
  if (c.startsWith('.')) return domain.endsWith(c);
  return domain === c;
}

/** The host of a URI with an authority component (RFC 3986 §3.2.2), lower-cased; undefined when absent. */
function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (m === null) return undefined;
  let authority = m[1] as string;
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority.startsWith('[')) return undefined; // IP-literal: not a domain name
  const host = authority.replace(/:[0-9]*$/, '').toLowerCase();
  return host === '' ? undefined : host;
}

function uriWithin(uri: string, constraint: string): boolean {
  const host = uriHost(uri);
  if (host === undefined || !isValidDnsName(host, true)) return false;
  const c = constraint.toLowerCase();
  // §4.2.1.10: ".example.com" names any host in the domain; "example.com" names that host only.
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  const half = constraint.length / 2;
  if (address.length !== half) return false;
  for (let i = 0; i < half; i++) {
    const mask = constraint[half + i] as number;
    if (((address[i] as number) & mask) !== ((constraint[i] as number) & mask)) return false;
  }
  return true;
}

/** A name as checked against constraints, with its type; `dnsFromCn` marks a CN used as a host name. */
type CheckedName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'dirName'; readonly name: Name }
  | { readonly type: 'otherName' | 'x400Address' | 'ediPartyName' | 'registeredId' };

function within(name: CheckedName, base: GeneralName, forExclusion: boolean): boolean {
  switch (name.type) {
    case 'dns':
      if (base.type !== 'dns') return false;
      return forExclusion ? dnsMayIntersect(name.value, base.value) : dnsWithin(name.value, base.value);
    case 'email':
      return base.type === 'email' && emailWithin(name.value, base.value);
    case 'uri':
      return base.type === 'uri' && uriWithin(name.value, base.value);
    case 'ip':
      return base.type === 'ip' && ipWithin(name.bytes, base.bytes);
    case 'dirName':
      return base.type === 'dirName' && nameWithinSubtree(name.name, base.name);
    default:
      return false;
  }
}

function describe(name: CheckedName): string {
  switch (name.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return `${name.type}:${name.value}`;
    case 'ip':
      return `ip:${Array.from(name.bytes).join('.')}`;
    case 'dirName':
      return 'directoryName';
    default:
      return name.type;
  }
}

/** Is this presented name well-formed enough to compare against constraints of its type? */
function nameSyntaxOk(name: CheckedName): boolean {
  switch (name.type) {
    case 'dns': {
      const v = name.value.replace(/\.$/, '');
      return isValidDnsName(v.startsWith('*.') ? v.slice(2) : v, true);
    }
    case 'email':
      return parseMailbox(name.value) !== undefined;
    case 'ip':
      return name.bytes.length === 4 || name.bytes.length === 16;
    default:
      return true;
  }
}

/** The names of `cert` subject to constraints (see the module comment). */
export function constrainedNames(cert: Certificate, isLeaf: boolean): CheckedName[] {
  const names: CheckedName[] = [];
  if (cert.subject.rdns.length > 0) names.push({ type: 'dirName', name: cert.subject });
  for (const email of attributeValues(cert.subject, OID_EMAIL_ADDRESS)) names.push({ type: 'email', value: email });
  const sans = cert.subjectAltName ?? [];
  for (const g of sans) {
    switch (g.type) {
      case 'dns':
      case 'email':
      case 'uri':
        names.push({ type: g.type, value: g.value });
        break;
      case 'ip':
        names.push({ type: 'ip', bytes: g.bytes });
        break;
      case 'dirName':
        names.push({ type: 'dirName', name: g.name });
        break;
      default:
        names.push({ type: g.type });
    }
  }
  // Only without any subjectAltName can the CN carry the host identity (RFC 6125 §6.4.4), as BetterTLS expects.
  if (isLeaf && cert.subjectAltName === undefined) {
    for (const cn of attributeValues(cert.subject, OID_COMMON_NAME)) {
      if (cn.includes('.') && isValidDnsName(cn.replace(/^\*\./, ''), false)) names.push({ type: 'dns', value: cn });
    }
  }
  return names;
}

/**
 * Checks `names` (from {@link constrainedNames}) against one CA's NameConstraints (§6.1.3(b)–(c)).
 * Returns the first violation: 48 when a name is in an excluded subtree, 47 when a name of a constrained
 * type is outside every permitted subtree of that type, 51/53 when a name cannot be compared.
 */
export function checkNameConstraints(
  names: readonly CheckedName[],
  nc: NameConstraints,
): NameConstraintFailure | undefined {
  const permitted = nc.permitted ?? [];
  const excluded = nc.excluded ?? [];
  // Bound the quadratic work as OpenSSL does (NAME_CHECK_MAX in crypto/x509/v3_ncons.c).
  if (names.length * (permitted.length + excluded.length) > NAME_CHECK_MAX) {
    return fail(X509_V_ERR.UNSPECIFIED, 'too many names and name constraints to check');
  }
  const constrainedTypes = new Set<ConstrainableType>([...permitted, ...excluded].map((s) => s.base.type));
  for (const name of names) {
    if (!constrainedTypes.has(name.type)) continue;
    if (
      name.type === 'otherName' ||
      name.type === 'x400Address' ||
      name.type === 'ediPartyName' ||
      name.type === 'registeredId'
    ) {
      return fail(X509_V_ERR.UNSUPPORTED_CONSTRAINT_TYPE, `cannot apply a ${name.type} constraint`);
    }
    if (!nameSyntaxOk(name)) return fail(X509_V_ERR.UNSUPPORTED_NAME_SYNTAX, `malformed ${describe(name)}`);
    for (const s of excluded) {
      if (within(name, s.base, true)) return fail(X509_V_ERR.EXCLUDED_VIOLATION, describe(name));
    }
    const ofType = permitted.filter((s) => s.base.type === name.type);
    if (ofType.length > 0 && !ofType.some((s) => within(name, s.base, false))) {
      return fail(X509_V_ERR.PERMITTED_VIOLATION, describe(name));
    }
  }
  return undefined;
}

export type { CheckedName };
