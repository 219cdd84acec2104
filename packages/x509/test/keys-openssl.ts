/**
 * Test helper: runs the openssl CLI in a private temporary directory. Used by keys-*.test.ts and
 * sig-*.test.ts as an independent oracle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslDir {
  readonly dir: string;
  /** Runs `openssl …args` in the directory and returns stdout. */
  run(args: readonly string[], input?: Uint8Array | string): Buffer;
  path(name: string): string;
  read(name: string): Uint8Array;
  readText(name: string): string;
  write(name: string, data: Uint8Array | string): string;
  cleanup(): void;
}

export function opensslDir(prefix = 'sanstls-keys-'): OpensslDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = (name: string): string => join(dir, name);
  return {
    dir,
    run: (args, input) => execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }),
    path,
    read: (name) => new Uint8Array(readFileSync(path(name))),
    readText: (name) => readFileSync(path(name), 'utf8'),
    write: (name, data) => {
      writeFileSync(path(name), data);
      return path(name);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
