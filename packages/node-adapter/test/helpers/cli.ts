/**
 * The CLI as a real executable for tests: src/cli.ts bundled by esbuild (with @sanstls/* resolved to the
 * sources, as vitest does) into a temporary .mjs, then spawned with node. This tests the shipped entry point —
 * argument handling, stdio, exit statuses — without depending on `pnpm build` having run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Child, run, type SpawnOptions, start } from './processes.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const sources: Array<[RegExp, string]> = [
  [/^@sanstls\/x509\/generate$/, 'packages/x509/src/generate/index.ts'],
  [/^@sanstls\/x509$/, 'packages/x509/src/index.ts'],
  [/^@sanstls\/core\/codec$/, 'packages/core/src/codec/index.ts'],
  [/^@sanstls\/core\/conformance$/, 'packages/core/src/conformance/index.ts'],
  [/^@sanstls\/core$/, 'packages/core/src/index.ts'],
  [/^@sanstls\/node-adapter$/, 'packages/node-adapter/src/index.ts'],
];

/** Bundles a TypeScript entry point of this package into `dir`; returns the .mjs path. */
export async function bundleEntry(entry: string, dir: string): Promise<string> {
  const outfile = join(dir, `${entry.replace(/\W+/g, '_')}.mjs`);
  await build({
    entryPoints: [join(repo, 'packages/node-adapter/src', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'sanstls-sources',
        setup(b) {
          b.onResolve({ filter: /^@sanstls\// }, (args) => {
            const hit = sources.find(([re]) => re.test(args.path));
            return hit ? { path: join(repo, hit[1]) } : undefined;
          });
        },
      },
    ],
  });
  return outfile;
}

export interface CliHarness {
  readonly path: string;
  run(
    args: readonly string[],
    options?: SpawnOptions & { timeoutMs?: number },
  ): Promise<{ status: number; stdout: string; stderr: string }>;
  start(args: readonly string[], options?: SpawnOptions): Child;
  cleanup(): void;
}

export async function buildCli(): Promise<CliHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-cli-'));
  const path = await bundleEntry('cli.ts', dir);
  return {
    path,
    run: (args, options) => run(process.execPath, [path, ...args], options),
    start: (args, options) => start(process.execPath, [path, ...args], options),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
