/**
 * File access for the Python-shaped file arguments (`certfile`, `keyfile`, `cafile`, `capath`). core takes data
 * only; these helpers turn paths into the PEM text or DER bytes core accepts.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pemBlocks, SSLError, Tag } from '@sanstls/x509';

const PEM_MARKER = '-----BEGIN';

/** An SSLError for a file we could not read; the message names the file and the role it plays. */
export function fileError(role: string, path: string, err: unknown): SSLError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const detail = err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(err);
  return new SSLError(`cannot read ${role} '${path}': ${detail}`, { library: 'SYS', reason: code, cause: err });
}

/** Reads a file, wrapping failures in {@link fileError}. */
export function readFileFor(role: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(role, path, err);
  }
}

/** File contents as core wants them: PEM text when the file holds a PEM block, otherwise the raw (DER) bytes. */
export function pemOrDerFromFile(role: string, path: string): string | Uint8Array {
  const bytes = readFileFor(role, path);
  const text = bytes.toString('latin1');
  if (text.includes(PEM_MARKER)) return text;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A certificate/key argument: a string is PEM when it holds a `-----BEGIN` block and a file path otherwise;
 * bytes are taken as they are (DER, or PEM as bytes).
 */
export function resolvePemOrPath(role: string, value: string | Uint8Array): string | Uint8Array {
  if (typeof value !== 'string') return value;
  if (value.includes(PEM_MARKER)) return value;
  if (value.length === 0) throw new SSLError(`${role}: empty path`, { library: 'SYS', reason: 'ENOENT' });
  return pemOrDerFromFile(role, value);
}

/** Labels OpenSSL accepts for a certificate in a trust file or hashed directory. */
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

/**
 * The certificates (DER) in PEM text. `TRUSTED CERTIFICATE` blocks are OpenSSL's certificate followed by its
 * auxiliary trust settings; only the certificate (the leading SEQUENCE) is kept — the aux settings are not applied.
 */
export function certificatesInPem(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const block of pemBlocks(text)) {
    if (!CERT_LABELS.has(block.label)) continue;
    out.push(block.label === 'TRUSTED CERTIFICATE' ? leadingDerElement(block.der) : block.der);
  }
  return out;
}

/** The first DER TLV in `der` (the certificate of a TRUSTED CERTIFICATE block). */
function leadingDerElement(der: Uint8Array): Uint8Array {
  // X.690 §8.1.3: definite length, short or long form.
  const fail = (): never => {
    throw new SSLError('TRUSTED CERTIFICATE block does not start with a DER SEQUENCE', {
      library: 'PEM',
      reason: 'BAD_ENCODING',
    });
  };
  if (der.length < 2 || der[0] !== Tag.SEQUENCE) fail();
  const first = der[1] as number;
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || der.length < 2 + count) fail();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] as number);
    header = 2 + count;
  }
  if (header + length > der.length) fail();
  return der.subarray(0, header + length);
}

/** What a hashed directory gave: the certificates, and the files skipped with the reason. */
export interface CapathContents {
  readonly certificates: Uint8Array[];
  readonly skipped: ReadonlyArray<{ file: string; reason: string }>;
}

/**
 * Every certificate in an OpenSSL-style directory (`c_rehash` / `openssl rehash` output: `<hash>.<n>` links plus
 * the files they point at). OpenSSL looks certificates up there lazily by subject hash; sanstls has no such lookup,
 * so it loads every regular file, de-duplicated by DER. Files holding no certificate (README, CRLs `<hash>.r<n>`,
 * keys) and files that fail to parse are skipped — as OpenSSL's lookup simply finds nothing in them — and listed
 * in `skipped`.
 */
export function loadCapath(dir: string): CapathContents {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw fileError('capath', dir, err);
  }
  const seen = new Set<string>();
  const certificates: Uint8Array[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, 'latin1');
    } catch (err) {
      skipped.push({ file: path, reason: (err as Error).message });
      continue;
    }
    let found: Uint8Array[];
    try {
      found = certificatesInPem(text);
    } catch (err) {
      skipped.push({ file: path, reason: (err as Error).message });
      continue;
    }
    if (found.length === 0) {
      skipped.push({ file: path, reason: 'no certificate in it' });
      continue;
    }
    for (const der of found) {
      const key = Buffer.from(der).toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      certificates.push(der);
    }
  }
  return { certificates, skipped };
}
