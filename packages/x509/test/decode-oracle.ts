/**
 * Test helpers: python3's `ssl._ssl._test_decode_cert` as the oracle for `decodeCertificate`, and the
 * openssl CLI for generating edge-case certificates. One python process decodes a whole list of files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DER_cert_to_PEM_cert, DerReader, derSequence, derTLV, PEM_cert_to_DER_cert } from '@sanstls/x509';

export type OracleResult = { ok: unknown } | { error: string };

const ORACLE = `
import json, ssl, sys
out = []
for path in json.load(sys.stdin):
    try:
        out.append({"ok": ssl._ssl._test_decode_cert(path)})
    except Exception as e:
        out.append({"error": type(e).__name__ + ": " + str(e)})
json.dump(out, sys.stdout)
`;

export function hasCommand(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

export const havePython = hasCommand('python3', ['-c', 'import ssl; ssl._ssl._test_decode_cert']);
export const haveOpenssl = hasCommand('openssl', ['version']);

/** Decodes each PEM file with Python (tuples come back as JSON arrays). */
export function pythonDecode(paths: readonly string[]): OracleResult[] {
  const stdout = execFileSync('python3', ['-c', ORACLE], {
    input: JSON.stringify(paths),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as OracleResult[];
}

/** A scratch directory removed by the returned cleanup function. */
export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openssl(args: string[], cwd: string, input?: string): Buffer {
  return execFileSync('openssl', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A self-signed certificate with `subject` (openssl `-subj` syntax) and an extension section, signed
 * with the shared P-256 key in `dir/key.pem`. Returns the PEM path.
 */
export function makeCert(
  dir: string,
  name: string,
  opts: { subj: string; ext?: string; serial?: string; days?: string; extraArgs?: string[]; utf8?: boolean },
): string {
  const conf = join(dir, `${name}.cnf`);
  writeFileSync(
    conf,
    `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n[ext]\n${opts.ext ?? 'basicConstraints = CA:FALSE'}\n`,
  );
  const out = join(dir, `${name}.pem`);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'key.pem',
      '-subj',
      opts.subj,
      ...(opts.utf8 === false ? [] : ['-utf8']),
      '-config',
      conf,
      '-extensions',
      'ext',
      ...(opts.serial === undefined ? [] : ['-set_serial', opts.serial]),
      ...(opts.days === undefined ? ['-days', '30'] : ['-days', opts.days]),
      ...(opts.extraArgs ?? []),
      '-out',
      out,
    ],
    dir,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// DER surgery on real certificates (signatures are not checked by the parser or by Python's decoder).

export function readPemCert(path: string): Uint8Array {
  return PEM_cert_to_DER_cert(readFileSync(path, 'latin1'));
}

export function writePemCert(path: string, der: Uint8Array): string {
  writeFileSync(path, DER_cert_to_PEM_cert(der));
  return path;
}

/** The top-level TLVs of the tbsCertificate. */
export function tbsElements(der: Uint8Array): Uint8Array[] {
  const cert = new DerReader(new DerReader(der).read(0x30).content);
  const tbs = new DerReader(cert.read(0x30).content);
  const out: Uint8Array[] = [];
  while (!tbs.done) out.push(tbs.readAny().raw);
  return out;
}

/** Rebuilds a certificate after `edit` changed the list of tbsCertificate elements. */
export function rebuildCert(der: Uint8Array, edit: (elements: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const cert = new DerReader(new DerReader(der).read(0x30).content);
  cert.readAny();
  const sigAlg = cert.readAny().raw;
  const sig = cert.readAny().raw;
  return derSequence(derSequence(...edit(tbsElements(der))), sigAlg, sig);
}

/** Replaces the extensions of a v3 certificate with `extensions` (each a full Extension TLV). */
export function withExtensions(der: Uint8Array, extensions: Uint8Array[]): Uint8Array {
  return rebuildCert(der, (els) => {
    const last = els[els.length - 1] as Uint8Array;
    const base = last[0] === 0xa3 ? els.slice(0, -1) : els;
    return [...base, derTLV(0xa3, derSequence(...extensions))];
  });
}

/**
 * Finds the string TLV whose content is `marker` (shorter than 128 octets) and rewrites its tag and,
 * optionally, its content octets (same length).
 */
export function patchString(der: Uint8Array, marker: string, tag: number, content?: Uint8Array): Uint8Array {
  const bytes = new TextEncoder().encode(marker);
  const out = der.slice();
  let hits = 0;
  for (let i = 2; i + bytes.length <= out.length; i++) {
    if (out[i - 1] !== bytes.length || !bytes.every((b, j) => out[i + j] === b)) continue;
    out[i - 2] = tag;
    if (content !== undefined) {
      if (content.length !== bytes.length) throw new Error('patch must keep the length');
      out.set(content, i);
    }
    hits++;
  }
  if (hits === 0) throw new Error(`marker ${marker} not found`);
  return out;
}
