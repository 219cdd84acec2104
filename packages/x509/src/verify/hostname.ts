/**
 * Server identity checks.
 *
 * - {@link matchHostname}: Python 3.7's `ssl.match_hostname` on a `getpeercert()` dict, with its exact
 *   messages (RFC 6125 §6.4 with Python's wildcard restrictions).
 * - {@link checkHostname} / {@link checkIp}: the checks {@link verifyChain} applies to the parsed leaf,
 *   with OpenSSL's `X509_check_host(…, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)` / `X509_check_ip` rules,
 *   as Python's `SSLContext.check_hostname` configures them.
 * @module
 */

import { compareBytes } from '../der.js';
import { CertificateError, SSLError } from '../errors.js';
import type { Certificate } from '../types.js';
import { parseIpAddress, parseIpv4, parseIpv6 } from './ip.js';
import { attributeValues, OID_COMMON_NAME, OID_EMAIL_ADDRESS } from './names.js';

/** The parts of a `getpeercert()` dict (see `decodeCertificate`) that hostname matching reads. */
export interface HostnameMatchInput {
  readonly subject?: readonly (readonly (readonly [string, string])[])[];
  readonly subjectAltName?: readonly (readonly [string, unknown])[];
}

/** Python's `repr()` of a str, for messages that must read exactly as Python's. */
export function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function certificateError(message: string, code = 62): CertificateError {
  return new CertificateError(code, message, { text: message, library: undefined, reason: undefined });
}

/**
 * Python 3.7 `_dnsname_match`: RFC 6125 §6.4.3 matching where a wildcard must be the whole leftmost
 * label and must match one non-empty label; other wildcard forms raise.
 */
function pythonDnsnameMatch(dn: string, hostname: string): boolean {
  if (dn === '') return false;
  const wildcards = dn.split('*').length - 1;
  if (wildcards === 0) return dn.toLowerCase() === hostname.toLowerCase();
  if (wildcards > 1) throw certificateError(`too many wildcards in certificate DNS name: ${pythonRepr(dn)}.`);
  const dot = dn.indexOf('.');
  const leftmost = dot < 0 ? dn : dn.slice(0, dot);
  const remainder = dot < 0 ? '' : dn.slice(dot + 1);
  if (remainder.includes('*')) {
    throw certificateError(`wildcard can only be present in the leftmost label: ${pythonRepr(dn)}.`);
  }
  if (dot < 0) {
    throw certificateError(`sole wildcard without additional labels are not support: ${pythonRepr(dn)}.`);
  }
  if (leftmost !== '*') {
    throw certificateError(`partial wildcards in leftmost label are not supported: ${pythonRepr(dn)}.`);
  }
  const hostDot = hostname.indexOf('.');
  if (hostDot <= 0) return false;
  return remainder.toLowerCase() === hostname.slice(hostDot + 1).toLowerCase();
}

/** Python 3.7 `_inet_paton`: strict IPv4 dotted quad, else IPv6 text; undefined for neither. */
function pythonInetPaton(text: string): Uint8Array | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

/**
 * Python 3.7 `ssl.match_hostname(cert, hostname)`: returns when `hostname` matches the certificate dict,
 * raises {@link CertificateError} otherwise. DNS and IP subjectAltName entries are tried first; the
 * subject commonName is consulted only when there is no DNS/IP SAN (and `hostnameChecksCommonName`,
 * default true as in Python 3.7, allows it). IP literals match only `IP Address` entries, compared as bytes.
 */
export function matchHostname(
  cert: HostnameMatchInput,
  hostname: string,
  options: { hostnameChecksCommonName?: boolean } = {},
): void {
  if (cert === null || typeof cert !== 'object' || Object.keys(cert).length === 0) {
    throw new SSLError(
      'empty or no certificate, match_hostname needs a SSL socket or SSL context with either CERT_OPTIONAL or CERT_REQUIRED',
      { reason: 'NO_CERTIFICATE' },
    );
  }
  const hostIp = pythonInetPaton(hostname);
  const names: string[] = [];
  for (const entry of cert.subjectAltName ?? []) {
    const [key, value] = entry;
    if (typeof value !== 'string') continue;
    if (key === 'DNS') {
      if (hostIp === undefined && pythonDnsnameMatch(value, hostname)) return;
      names.push(value);
    } else if (key === 'IP Address') {
      if (hostIp !== undefined) {
        const certIp = pythonInetPaton(value.trimEnd());
        if (certIp === undefined) {
          throw new SSLError(`${pythonRepr(value.trimEnd())} is neither an IPv4 nor an IP6 address.`, {
            reason: 'BAD_IP_ADDRESS',
          });
        }
        if (compareBytes(certIp, hostIp) === 0) return;
      }
      names.push(value);
    }
  }
  if (names.length === 0 && options.hostnameChecksCommonName !== false) {
    for (const rdn of cert.subject ?? []) {
      for (const attr of rdn) {
        const [key, value] = attr;
        if (key === 'commonName') {
          if (pythonDnsnameMatch(value, hostname)) return;
          names.push(value);
        }
      }
    }
  }
  const code = hostIp === undefined ? 62 : 64;
  if (names.length > 1) {
    throw certificateError(
      `hostname ${pythonRepr(hostname)} doesn't match either of ${names.map(pythonRepr).join(', ')}`,
      code,
    );
  }
  if (names.length === 1) {
    throw certificateError(`hostname ${pythonRepr(hostname)} doesn't match ${pythonRepr(names[0] as string)}`, code);
  }
  throw certificateError('no appropriate commonName or subjectAltName fields were found', code);
}

// ---------------------------------------------------------------------------------------------
// verifyChain's identity checks on the parsed leaf.

/** RFC 1034 §3.5 / RFC 1123 §2.1 preferred name syntax (LDH labels); `_` only when `allowUnderscore`. */
export function isValidDnsName(name: string, allowUnderscore: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const label = allowUnderscore ? /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i : /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  return name.split('.').every((l) => label.test(l));
}

/**
 * One presented DNS identifier against a reference hostname (RFC 6125 §6.4): exact match ignoring ASCII
 * case, or a wildcard that is the whole leftmost label of a pattern with at least two further labels
 * (no `*.com`), matching exactly one label (OpenSSL's NO_PARTIAL_WILDCARDS behaviour).
 */
export function dnsPatternMatches(pattern: string, hostname: string, allowUnderscore: boolean): boolean {
  const p = pattern.toLowerCase();
  const h = hostname.toLowerCase();
  if (!p.startsWith('*.')) return isValidDnsName(p, allowUnderscore) && p === h;
  const suffix = p.slice(2);
  if (!isValidDnsName(suffix, allowUnderscore) || !suffix.includes('.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === suffix;
}

/** Options for {@link checkHostname}. */
export interface HostnameCheckOptions {
  /** Fall back to the subject commonName when the certificate has no DNS SAN (OpenSSL's default; Python's hostname_checks_common_name). */
  readonly checkCommonName?: boolean;
  /** Accept `_` in DNS labels (off in VERIFY_X509_STRICT). */
  readonly allowUnderscore?: boolean;
}

/** The DNS identifiers a hostname is checked against: DNS SANs, else (when allowed) the subject CNs. */
export function presentedDnsNames(
  cert: Certificate,
  checkCommonName: boolean,
): { names: string[]; fromCommonName: boolean } {
  const dns = (cert.subjectAltName ?? []).flatMap((g) => (g.type === 'dns' ? [g.value] : []));
  if (dns.length > 0 || !checkCommonName) return { names: dns, fromCommonName: false };
  return { names: attributeValues(cert.subject, OID_COMMON_NAME), fromCommonName: true };
}

/** True when the leaf is valid for `hostname` (X509_V_ERR_HOSTNAME_MISMATCH otherwise). */
export function checkHostname(cert: Certificate, hostname: string, options: HostnameCheckOptions = {}): boolean {
  const allowUnderscore = options.allowUnderscore ?? true;
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (!isValidDnsName(host, allowUnderscore)) return false;
  const { names } = presentedDnsNames(cert, options.checkCommonName ?? false);
  return names.some((n) => dnsPatternMatches(n, host, allowUnderscore));
}

/** True when one of the leaf's iPAddress SANs equals `ip` (text or 4/16 octets) (X509_V_ERR_IP_ADDRESS_MISMATCH otherwise). */
export function checkIp(cert: Certificate, ip: string | Uint8Array): boolean {
  const bytes = typeof ip === 'string' ? parseIpAddress(ip) : ip;
  if (bytes === undefined) return false;
  return (cert.subjectAltName ?? []).some((g) => g.type === 'ip' && compareBytes(g.bytes, bytes) === 0);
}

/** Mailbox equality (RFC 5321 §2.4): the local part is case-sensitive, the domain is not. */
function mailboxesEqual(a: string, b: string): boolean {
  const at = a.lastIndexOf('@');
  const bt = b.lastIndexOf('@');
  if (at <= 0 || bt <= 0) return false;
  return a.slice(0, at) === b.slice(0, bt) && a.slice(at + 1).toLowerCase() === b.slice(bt + 1).toLowerCase();
}

/**
 * True when the leaf is valid for the e-mail address (X509_V_ERR_EMAIL_MISMATCH otherwise): one of its
 * rfc822Name SANs, or — when it has none — a PKCS #9 emailAddress of its subject, as OpenSSL's X509_check_email.
 */
export function checkEmail(cert: Certificate, email: string): boolean {
  const sans = (cert.subjectAltName ?? []).flatMap((g) => (g.type === 'email' ? [g.value] : []));
  const presented = sans.length > 0 ? sans : attributeValues(cert.subject, OID_EMAIL_ADDRESS);
  return presented.some((p) => mailboxesEqual(p, email));
}
