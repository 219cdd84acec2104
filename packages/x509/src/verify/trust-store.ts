/**
 * A set of trust anchors (and CRLs) for {@link verifyChain}. An anchor is a subject name and a public
 * key (RFC 5280 §6.1.1(d)); anchors arrive as certificates, whose self-signatures are never checked.
 *
 * Adding is cheap — DER is stored as given, deduplicated by its bytes — and parsing happens once, on the
 * first lookup, which builds the subject-name and key-identifier indexes. A store with thousands of
 * roots therefore costs nothing until a handshake needs it, and a lookup is then a map access.
 * @module
 */
import { X509ParseError } from '../errors.js';
import { parseCertificate, parseCrl, pemBlocks } from '../parse/index.js';
import type { Certificate, CertificateRevocationList, Name } from '../types.js';
import { nameKey } from './names.js';

function hexKey(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

interface Entry {
  readonly der: Uint8Array;
  parsed: Certificate | undefined;
  /** Set when the DER could not be parsed: the entry is then ignored by lookups. */
  error: Error | undefined;
}

export class TrustStore {
  private readonly entries: Entry[] = [];
  private readonly seen = new Set<string>();
  private readonly crlList: CertificateRevocationList[] = [];
  private bySubject: Map<string, Certificate[]> | undefined;
  private bySki: Map<string, Certificate[]> | undefined;
  private byAnchorKey: Set<string> | undefined;

  /** A store holding every `CERTIFICATE` (and `X509 CRL`) block of a PEM bundle; other blocks and text between them are ignored. */
  static fromPem(text: string): TrustStore {
    const store = new TrustStore();
    for (const block of pemBlocks(text)) {
      if (block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE') store.add(block.der);
      else if (block.label === 'X509 CRL') store.addCrl(block.der);
    }
    return store;
  }

  /** Adds an anchor. DER is parsed lazily; a parsed Certificate is used as is. Duplicates are ignored. */
  add(cert: Uint8Array | Certificate): void {
    const der = cert instanceof Uint8Array ? cert : cert.der;
    const key = hexKey(der);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.entries.push({ der, parsed: cert instanceof Uint8Array ? undefined : cert, error: undefined });
    this.bySubject = undefined;
    this.bySki = undefined;
    this.byAnchorKey = undefined;
  }

  /** Adds a CRL (RFC 5280 §5), parsed now so a malformed CRL is reported to the caller that supplied it. */
  addCrl(crl: Uint8Array | CertificateRevocationList): void {
    this.crlList.push(crl instanceof Uint8Array ? parseCrl(crl) : crl);
  }

  /** Number of distinct anchors added. */
  get size(): number {
    return this.entries.length;
  }

  /** The anchors' DER, in insertion order. */
  certificates(): Uint8Array[] {
    return this.entries.map((e) => e.der);
  }

  /** The CRLs added with {@link addCrl}. */
  crls(): readonly CertificateRevocationList[] {
    return this.crlList;
  }

  private index(): void {
    if (this.bySubject !== undefined) return;
    const bySubject = new Map<string, Certificate[]>();
    const bySki = new Map<string, Certificate[]>();
    const byAnchorKey = new Set<string>();
    for (const entry of this.entries) {
      if (entry.parsed === undefined && entry.error === undefined) {
        try {
          entry.parsed = parseCertificate(entry.der);
        } catch (e) {
          entry.error = e instanceof Error ? e : new X509ParseError(String(e));
        }
      }
      const cert = entry.parsed;
      if (cert === undefined) continue;
      addToIndex(bySubject, nameKey(cert.subject), cert);
      if (cert.subjectKeyIdentifier !== undefined) addToIndex(bySki, hexKey(cert.subjectKeyIdentifier), cert);
      byAnchorKey.add(anchorKey(cert));
    }
    this.bySubject = bySubject;
    this.bySki = bySki;
    this.byAnchorKey = byAnchorKey;
  }

  /** Anchors whose subject equals `name` under RFC 5280 §7.1 comparison. */
  findBySubject(name: Name): readonly Certificate[] {
    this.index();
    return this.bySubject?.get(nameKey(name)) ?? [];
  }

  /** Anchors whose subjectKeyIdentifier equals `keyIdentifier`. */
  findByKeyIdentifier(keyIdentifier: Uint8Array): readonly Certificate[] {
    this.index();
    return this.bySki?.get(hexKey(keyIdentifier)) ?? [];
  }

  /** True when a trusted anchor has the same subject name and public key as `cert` (RFC 5280 §6.1.1(d)). */
  isAnchor(cert: Certificate): boolean {
    this.index();
    return this.byAnchorKey?.has(anchorKey(cert)) ?? false;
  }

  /** Entries whose DER could not be parsed (they are ignored), with the reason. */
  unparsable(): { der: Uint8Array; error: Error }[] {
    this.index();
    return this.entries.flatMap((e) => (e.error === undefined ? [] : [{ der: e.der, error: e.error }]));
  }
}

/** Identity of a trust anchor: its subject name and its public key (RFC 5280 §6.1.1(d)). */
export function anchorKey(cert: Certificate): string {
  return `${nameKey(cert.subject)}|${hexKey(cert.spki.der)}`;
}

/** Appends `value` to the list at `key` of a multimap. */
export function addToIndex<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}
