#!/usr/bin/env node
/**
 * `pnpm fuzz` — the long local fuzz run (CI runs the same targets with a small fixed budget).
 *
 *   pnpm fuzz [--seconds 60] [--target certificate] [--seed 1234] [--no-save]
 *
 * Runs every fuzz and property test file (packages/*\/test/{fuzz,property}-*.test.ts, engine-properties.test.ts)
 * under vitest with FUZZ_SECONDS per target (the engine properties run FUZZ_SECONDS × 5 cases each),
 * a random seed (printed, so a run can be repeated) and FUZZ_SAVE=1: new corpus entries are merged and
 * minimised into test-vectors/fuzz/<target>/corpus and failures land in test-vectors/fuzz/<target>/crashes
 * (commit them together with the regression test that replays them).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const seconds = option('seconds', '60');
const target = option('target', undefined);
const seed = option('seed', String(Math.floor(Math.random() * 2 ** 31)));
const save = !args.includes('--no-save');

const files = [];
for (const pkg of readdirSync(`${root}/packages`)) {
  let tests = [];
  try {
    tests = readdirSync(`${root}/packages/${pkg}/test`);
  } catch {
    continue;
  }
  for (const f of tests) {
    if (/^(fuzz|property)-.*\.test\.ts$|^engine-properties\.test\.ts$/.test(f)) files.push(`packages/${pkg}/test/${f}`);
  }
}

console.log(`fuzz: ${seconds} s per target, seed ${seed}${target ? `, target ${target}` : ''}, save ${save}`);
const vitestArgs = ['run', ...files, '--reporter=verbose', '--no-file-parallelism'];
if (target !== undefined) vitestArgs.push('-t', `fuzz ${target}`);
const result = spawnSync(`${root}/node_modules/.bin/vitest`, vitestArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SECONDS: seconds, FUZZ_SEED: seed, FUZZ_SAVE: save ? '1' : '0' },
});
process.exit(result.status ?? 1);
