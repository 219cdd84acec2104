/**
 * "Works unchanged in Deno, Bun, workers and Node": the same smoke run (test/runtimes/smoke.ts — TLS 1.3 and 1.2
 * in memory, a certificate error, then an HTTPS GET to `openssl s_server -www` over the runtime's own socket as
 * a Web Streams pair, and the same GET through the WebSocket relay with the runtime's own `WebSocket`) bundled
 * once from the sources and executed by
 *  - Node under plain `node` (socket: `Duplex.toWeb(net.connect())`; WebSocket: undici's, behind Node 20's
 *    `--experimental-websocket`),
 *  - Bun (the same file; Bun runs it through its Node compatibility; its own WebSocket),
 *  - Deno (socket: `Deno.connect()`, whose conn is a stream pair),
 *  - workerd, Cloudflare's Workers runtime, as a fetch handler (socket: `connect()` from `cloudflare:sockets`).
 * Browsers (Chromium, page and module Web Worker) are browser.test.ts.
 *
 * Bun, Deno and workerd come from `$SANSTLS_BUN`/`$SANSTLS_DENO`/`$SANSTLS_WORKERD`, else PATH, else npm through
 * `npx` (they publish prebuilt binaries there: bun@1, deno@2, workerd@1); a runtime that cannot be had (offline,
 * unsupported platform) skips with the reason printed. `SANSTLS_RUNTIME_TESTS=0` leaves them all out.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Relay, startRelay } from '@sanstls/web-adapter/relay';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPki } from './helpers/pki.js';
import { freePort, opensslServer, type RunningServer } from './helpers/servers.js';
import type { SmokeResult } from './runtimes/smoke.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const smokeModule = fileURLToPath(new URL('./runtimes/smoke.ts', import.meta.url));
const optedOut = process.env.SANSTLS_RUNTIME_TESTS === '0';
if (optedOut) console.log('runtimes.test: skipped: SANSTLS_RUNTIME_TESTS=0');

/** A runtime's executable: the environment variable, PATH, or npm's prebuilt package through npx. */
async function findRuntime(bin: string, npmSpec: string): Promise<{ path: string } | { reason: string }> {
  const given = process.env[`SANSTLS_${bin.toUpperCase()}`];
  if (given !== undefined && given !== '') {
    return existsSync(given) ? { path: given } : { reason: `${given} does not exist` };
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, bin))) return { path: join(dir, bin) };
  }
  try {
    // --prefer-offline: once fetched, npx answers from its cache without asking the registry.
    const { stdout } = await run(
      'npx',
      [
        '--yes',
        '--prefer-offline',
        // Offline machines fail fast instead of retrying with back-off.
        '--fetch-retries=1',
        '--fetch-timeout=60000',
        `--package=${npmSpec}`,
        '-c',
        `command -v ${bin} && ${bin} --version`,
      ],
      { timeout: 180_000, cwd: tmpdir() },
    );
    const [path, version] = stdout.trim().split('\n');
    if (path === undefined || !existsSync(path)) return { reason: `npx gave no ${bin}` };
    console.log(`runtimes.test: ${bin} ${version ?? ''} from npm (${npmSpec})`);
    return { path };
  } catch (e) {
    return { reason: `not on PATH and npx could not fetch ${npmSpec} (${String(e).split('\n')[0]})` };
  }
}

const [bun, deno, workerd] = optedOut
  ? []
  : await Promise.all([
      findRuntime('bun', 'bun@1'),
      findRuntime('deno', 'deno@2'),
      findRuntime('workerd', 'workerd@1'),
    ]);
for (const [name, found] of [
  ['Bun', bun],
  ['Deno', deno],
  ['workerd', workerd],
] as const) {
  if (found !== undefined && 'reason' in found) console.log(`runtimes.test: ${name} skipped: ${found.reason}`);
}
const pathOf = (found: typeof bun) => (found !== undefined && 'path' in found ? found.path : null);

/** Bundles smoke.ts with a runtime-specific entry; returns the file written. */
async function bundle(dir: string, name: string, entry: string, platform: 'node' | 'neutral'): Promise<string> {
  const pki = testPki();
  const input = {
    caPem: pki.caPem,
    ec: { chainPem: pki.ec.chainPem, keyPem: pki.ec.keyPem },
    untrusted: { chainPem: pki.untrusted.chainPem, keyPem: pki.untrusted.keyPem },
  };
  const outfile = join(dir, name);
  await build({
    stdin: { contents: entry, resolveDir: dir, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform,
    mainFields: ['module', 'main'],
    target: 'es2022',
    outfile,
    external: ['cloudflare:sockets'],
    alias: {
      '@sanstls/x509': join(root, 'packages/x509/src/index.ts'),
      '@sanstls/core/client-base': join(root, 'packages/core/src/client-base.ts'),
      '@sanstls/core/client': join(root, 'packages/core/src/client-only.ts'),
      '@sanstls/core': join(root, 'packages/core/src/index.ts'),
      '@sanstls/web-adapter': join(root, 'packages/web-adapter/src/index.ts'),
      smoke: smokeModule,
    },
    define: {
      __SMOKE_INPUT__: JSON.stringify(input),
      __SMOKE_PORT__: String(server.port),
      // The runtime's own WebSocket through the relay, where it has one.
      __SMOKE_RELAY__: JSON.stringify({ url: relay.url, port: server.port }),
    },
    logLevel: 'warning',
  });
  return outfile;
}

declare const __SMOKE_INPUT__: never;
let server: RunningServer;
let relay: Relay;
let dir: string;

function expectSmoke(result: SmokeResult): void {
  expect(result.tls13).toMatchObject({ protocol: 'TLSv1.3', peer: 'ec-server', echoed: 'ping' });
  expect(result.tls13.cipher).toMatch(/^TLS_/);
  expect(result.tls12).toMatchObject({ protocol: 'TLSv1.2', peer: 'ec-server', echoed: 'ping' });
  expect(result.tls12.cipher).toMatch(/^ECDHE-ECDSA-/);
  // Every runtime here has crypto.subtle with ECDSA P-256: the chain is checked there.
  expect([result.tls13.webCryptoVerified, result.tls12.webCryptoVerified]).toEqual([true, true]);
  // The rogue server sends its CA along: OpenSSL's X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN.
  expect(result.certificateError).toEqual({ isCertVerificationError: true, verifyCode: 19 });
  expect(result.socket).toEqual({ status: 200, protocol: 'TLSv1.3', cipherInPage: true });
  expect(result.tunnel).toEqual({ status: 200, protocol: 'TLSv1.3', cipherInPage: true });
}

/** The last stdout line is the JSON result. */
const parse = (stdout: string): SmokeResult => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe.skipIf(optedOut)('the web adapter outside vitest and outside Node', () => {
  let nodeFile: string;

  beforeAll(async () => {
    const pki = testPki();
    server = await opensslServer(['-cert', pki.ec.certFile, '-key', pki.ec.keyFile, '-cert_chain', pki.caFile]);
    relay = await startRelay({ allow: [`127.0.0.1:${server.port}`] });
    dir = mkdtempSync(join(tmpdir(), 'sanstls-runtimes-'));
    // Node and Bun: a socket from node:net as Web Streams (Duplex.toWeb), in the runner only.
    nodeFile = await bundle(
      dir,
      'node.mjs',
      `import { runSmoke } from 'smoke';
       import { connect } from 'node:net';
       import { Duplex } from 'node:stream';
       const socket = () => new Promise((resolve, reject) => {
         const s = connect(__SMOKE_PORT__, '127.0.0.1', () => resolve(Duplex.toWeb(s)));
         s.once('error', reject);
       });
       console.log(JSON.stringify(await runSmoke(__SMOKE_INPUT__, { socket, relay: typeof WebSocket === 'function' ? __SMOKE_RELAY__ : undefined })));`,
      'node',
    );
  });

  afterAll(async () => {
    await relay?.close();
    await server?.stop();
  });

  it('Node (plain node, not vitest)', async () => {
    // Node 20 has WebSocket (undici's) behind a flag; Node 22 has it by default.
    const { stdout } = await run(process.execPath, ['--experimental-websocket', nodeFile], { timeout: 60_000 });
    expectSmoke(parse(stdout));
  });

  it.skipIf(pathOf(bun) === null)('Bun', async () => {
    const { stdout } = await run(pathOf(bun)!, ['run', nodeFile], { timeout: 60_000 });
    expectSmoke(parse(stdout));
  });

  it.skipIf(pathOf(deno) === null)('Deno (socket from Deno.connect)', async () => {
    const file = await bundle(
      dir,
      'deno.mjs',
      `import { runSmoke } from 'smoke';
       const socket = async () => {
         const conn = await Deno.connect({ hostname: '127.0.0.1', port: __SMOKE_PORT__ });
         return { readable: conn.readable, writable: conn.writable };
       };
       console.log(JSON.stringify(await runSmoke(__SMOKE_INPUT__, { socket, relay: typeof WebSocket === 'function' ? __SMOKE_RELAY__ : undefined })));`,
      'neutral',
    );
    // Only the server's and the relay's ports: no file, environment or other network access.
    const { stdout } = await run(
      pathOf(deno)!,
      ['run', '--no-prompt', `--allow-net=127.0.0.1:${server.port},${new URL(relay.url).host}`, file],
      {
        timeout: 60_000,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      },
    );
    expectSmoke(parse(stdout));
  });

  it.skipIf(pathOf(workerd) === null)(
    'workerd, Cloudflare Workers runtime (socket from cloudflare:sockets)',
    async () => {
      await bundle(
        dir,
        'worker.js',
        `import { runSmoke } from 'smoke';
       import { connect } from 'cloudflare:sockets';
       const socket = async () => {
         const s = connect({ hostname: '127.0.0.1', port: __SMOKE_PORT__ });
         await s.opened;
         return { readable: s.readable, writable: s.writable };
       };
       export default {
         async fetch() {
           try {
             return Response.json(await runSmoke(__SMOKE_INPUT__, { socket, relay: typeof WebSocket === 'function' ? __SMOKE_RELAY__ : undefined }));
           } catch (e) {
             return new Response(String(e && e.stack || e), { status: 500 });
           }
         },
       };`,
        'neutral',
      );
      const port = await freePort();
      // The worker's outbound network may reach loopback only (the openssl server); workerd's default is public.
      writeFileSync(
        join(dir, 'config.capnp'),
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .smokeWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const smokeWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`,
      );
      const child = spawn(pathOf(workerd)!, ['serve', join(dir, 'config.capnp')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += d));
      child.stderr.on('data', (d: Buffer) => (log += d));
      try {
        let response: Response | null = null;
        for (let i = 0; i < 100 && response === null && child.exitCode === null; i++) {
          response = await fetch(`http://127.0.0.1:${port}/`).catch(
            () => new Promise<null>((r) => setTimeout(() => r(null), 200)),
          );
        }
        expect(response, `workerd did not answer: ${log}`).not.toBeNull();
        const text = await response!.text();
        expect(response!.status, text).toBe(200);
        expectSmoke(JSON.parse(text));
      } finally {
        child.kill();
      }
    },
  );
});
