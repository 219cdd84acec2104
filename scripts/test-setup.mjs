#!/usr/bin/env node
// Installs the TLS peers and tools the interop tests drive (Debian packages), where this machine allows it.
// Tests that need a tool still missing afterwards skip with a printed reason.
import { execFileSync, spawnSync } from 'node:child_process';

const wanted = [
  { bin: 'openssl', pkg: 'openssl' },
  { bin: 'gnutls-cli', pkg: 'gnutls-bin' },
  { bin: 'python3', pkg: 'python3' },
  // gnutls-serv binds every address, so the interop tests run it inside a private network namespace.
  { bin: 'unshare', pkg: 'util-linux' },
  { bin: 'ip', pkg: 'iproute2' },
];
// Chromium runs the web-adapter's browser tests (part of the normal run; SANSTLS_BROWSER_TESTS=0 leaves it out).
if (process.env.SANSTLS_BROWSER_TESTS !== '0') wanted.push({ bin: 'chromium', pkg: 'chromium' });

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = wanted.filter((t) => !has(t.bin));
if (missing.length === 0) {
  console.log('test-setup: all interop tools present');
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  console.log(
    `test-setup: missing ${missing.map((t) => t.bin).join(', ')}; not root or no apt-get, so the tests needing them will skip`,
  );
  process.exit(0);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  console.log(`test-setup: installing ${missing.map((t) => t.pkg).join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((t) => t.pkg)], {
    stdio: 'inherit',
    env,
  });
} catch (err) {
  console.log(`test-setup: apt-get failed (${err.message}); the tests needing these tools will skip`);
}
