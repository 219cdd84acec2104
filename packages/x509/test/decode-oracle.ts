/**
 * Test helpers: python3's `ssl._ssl._test_decode_cert` as the oracle for `decodeCertificate`, and the
 * openssl CLI for generating edge-case certificates. One python process decodes a whole list of files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
