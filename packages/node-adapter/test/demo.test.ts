// The quick-start demo runs to completion, quickly, and says what it showed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bundleEntry } from './helpers/cli.js';
import { hasTool, run } from './helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'sanstls-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the demo exits 0 within seconds and reports every step ok', async () => {
  const demo = await bundleEntry('demo.ts', dir);
  const started = Date.now();
  const r = await run(process.execPath, [demo], { timeoutMs: 30_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(r.stdout).not.toContain('FAIL');
  expect(r.stdout).toMatch(/rejected for "example\.com": X509_V_ERR 62/);
  expect(r.stdout).toMatch(/sanstls demo: \d+ things shown in \d+ ms, no network used\./);
  if (hasTool('openssl')) expect(r.stdout).toContain('openssl s_client: verified and connected');
  expect(r.stdout).toMatch(/https\.get over a sanstls client socket against the sanstls server: 200/);
  expect(r.stdout).toMatch(/noble: [\d.]+ ms per handshake \(both sides, TLS_CHACHA20_POLY1305_SHA256\)/);
  expect(r.stdout).toMatch(/node:crypto: [\d.]+ ms per handshake \(both sides, TLS_AES_256_GCM_SHA384\)/);
});
