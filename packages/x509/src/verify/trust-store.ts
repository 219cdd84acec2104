/**
 * A set of trust anchors (and CRLs) for {@link verifyChain}. An anchor is a subject name and a public
 * key (RFC 5280 §6.1.1(d)); anchors arrive as certificates, whose self-signatures are never checked.
 *
 * Adding is cheap — DER is stored as given, deduplicated by its bytes — and parsing happens once, on the
 * first lookup, which builds the subject-name and key-identifier indexes. A store with thousands of
 * roots therefore costs nothing until a handshake needs it, and a lookup is then a map access.
 * @module
 */
import { compareBytes, contextConstructed, DerReader, Tag } from '../der.js';
import { X509ParseError } from '../errors.js';
import { parseCertificate, parseCrl, parseName, pemBlocks, toHex } from '../parse/index.js';
import type { Certificate, CertificateRevocationList, Name } from '../types.js';
import { nameKey } from './names.js';

/** The subject Name of a certificate, read without parsing the rest (RFC 5280 §4.1: its 6th TBS field). */
function subjectOf(der: Uint8Array): Name {
  const tbs = new DerReader(der, 'certificate').sequence('certificate').sequence('tbsCertificate');
  tbs.readOptional(contextConstructed(0)); // version
  for (let i = 0; i < 4; i++) tbs.readAny(); // serialNumber, signature, issuer, validity
  return parseName(tbs.read(Tag.SEQUENCE, 'subject').raw, 'subject');
}

interface Entry {
  readonly der: Uint8Array;
  parsed: Certificate | undefined;
  /** Set when the DER could not be parsed: the entry is then ignored by lookups. */
  error: Error | undefined;
}

export class TrustStore {
  private readonly entries: Entry[] = [];
  /** Entries by DER length, to drop exact duplicates without hashing every certificate. */
  private readonly byLength = new Map<number, Entry[]>();
  private readonly crlList: CertificateRevocationList[] = [];
  private bySubject: Map<string, Entry[]> | undefined;
  private bySki: Map<string, Certificate[]> | undefined;
  private changes = 0;

  /** Counts the anchors and CRLs added: a verdict remembered under one generation is stale under the next. */
  get generation(): number {
    return this.changes;
  }

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
    const sameLength = this.byLength.get(der.length);
    if (sameLength?.some((e) => compareBytes(e.der, der) === 0)) return;
    const entry: Entry = { der, parsed: cert instanceof Uint8Array ? undefined : cert, error: undefined };
    this.entries.push(entry);
    addToIndex(this.byLength, der.length, entry);
    this.changes++;
    this.bySubject = undefined;
    this.bySki = undefined;
  }

  /** Adds a CRL (RFC 5280 §5), parsed now so a malformed CRL is reported to the caller that supplied it. */
  addCrl(crl: Uint8Array | CertificateRevocationList): void {
    this.crlList.push(crl instanceof Uint8Array ? parseCrl(crl) : crl);
    this.changes++;
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

  private parse(entry: Entry): Certificate | undefined {
    if (entry.parsed === undefined && entry.error === undefined) {
      try {
        entry.parsed = parseCertificate(entry.der);
      } catch (e) {
        entry.error = e instanceof Error ? e : new X509ParseError(String(e));
      }
    }
    return entry.parsed;
  }

  /** Subject index: only each anchor's subject is decoded; full parsing waits until a lookup hits it. */
  private subjectIndex(): Map<string, Entry[]> {
    if (this.bySubject === undefined) {
      const index = new Map<string, Entry[]>();
      for (const entry of this.entries) {
        let key: string;
        try {
          key = nameKey(entry.parsed?.subject ?? subjectOf(entry.der));
        } catch (e) {
          entry.error = e instanceof Error ? e : new X509ParseError(String(e));
          continue;
        }
        addToIndex(index, key, entry);
      }
      this.bySubject = index;
    }
    return this.bySubject;
  }

  /** Anchors whose subject equals `name` under RFC 5280 §7.1 comparison. */
  findBySubject(name: Name): readonly Certificate[] {
    const entries = this.subjectIndex().get(nameKey(name)) ?? [];
    return entries.flatMap((e) => this.parse(e) ?? []);
  }

  /** Anchors whose subjectKeyIdentifier equals `keyIdentifier` (parses every anchor on first use). */
  findByKeyIdentifier(keyIdentifier: Uint8Array): readonly Certificate[] {
    if (this.bySki === undefined) {
      const index = new Map<string, Certificate[]>();
      for (const entry of this.entries) {
        const cert = this.parse(entry);
        if (cert?.subjectKeyIdentifier !== undefined) addToIndex(index, toHex(cert.subjectKeyIdentifier), cert);
      }
      this.bySki = index;
    }
    return this.bySki.get(toHex(keyIdentifier)) ?? [];
  }

  /** True when a trusted anchor has the same subject name and public key as `cert` (RFC 5280 §6.1.1(d)). */
  isAnchor(cert: Certificate): boolean {
    return this.findBySubject(cert.subject).some((a) => compareBytes(a.spki.der, cert.spki.der) === 0);
  }

  /** Entries whose DER could not be parsed (they are ignored), with the reason. */
  unparsable(): { der: Uint8Array; error: Error }[] {
    for (const entry of this.entries) this.parse(entry);
    return this.entries.flatMap((e) => (e.error === undefined ? [] : [{ der: e.der, error: e.error }]));
  }
}

/** Appends `value` to the list at `key` of a multimap. */
export function addToIndex<K, T>(index: Map<K, T[]>, key: K, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/** Identity of a trust anchor: its subject name and its public key (RFC 5280 §6.1.1(d)). */
export function anchorKey(cert: Certificate): string {
  return `${nameKey(cert.subject)}|${toHex(cert.spki.der)}`;
}
