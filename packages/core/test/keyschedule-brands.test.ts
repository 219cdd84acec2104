/** The key-schedule stage brands reject misuse at compile time (see keyschedule-brands.fixture.ts). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const fixture = fileURLToPath(new URL('./keyschedule-brands.fixture.ts', import.meta.url));
const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));

test('tsc accepts the legal chain and rejects every cross-stage use', () => {
  const run = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--noUncheckedIndexedAccess',
      '--target',
      'ES2022',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--skipLibCheck',
      '--types',
      'node',
      fixture,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
}, 90_000);
