// `sanstls s_client -sess_out/-sess_in/-early_data` and `sanstls s_server -early_data` (issue #7), against openssl.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliHarness } from './helpers/cli.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { peerAvailability, skipUnless, startOpenSslClient, startOpenSslServer } from './helpers/peers.js';
import type { Child } from './helpers/processes.js';

let cli: CliHarness;
let fx: Fixtures;
const children: Child[] = [];
beforeAll(async () => {
  cli = await buildCli();
  fx = makeFixtures(['ecdsa']);
});
afterAll(async () => {
  for (const child of children) await child.stop();
  cli?.cleanup();
  fx?.cleanup();
});

const ecdsa = () => fx.chains.ecdsa;
const serverArgs = () => ['-cert', ecdsa().serverCert, '-key', ecdsa().serverKey];

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('sanstls s_client sessions and 0-RTT', () => {
  it('-sess_out then -sess_in resumes an openssl s_server session', async () => {
    const server = await startOpenSslServer([...serverArgs(), '-www', '-tls1_3']);
    children.push(server.child);
    const sess = join(fx.dir, 'sanstls-sess.pem');
    const base = ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', ecdsa().caCert, '-ign_eof'];
    const input = 'GET / HTTP/1.0\r\n\r\n';
    const first = await cli.run([...base, '-sess_out', sess], { input, timeoutMs: 20_000 });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('New, TLSv1.3');
    const second = await cli.run([...base, '-sess_in', sess], { input, timeoutMs: 20_000 });
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/^Reused, TLSv1\.3$/m);
    expect(second.stdout).toContain('Reused, TLSv1.3'); // openssl's own page agrees
    // A file that is not a session is refused.
    writeFileSync(join(fx.dir, 'not-a-session.pem'), 'hello');
    const bad = await cli.run([...base, '-sess_in', join(fx.dir, 'not-a-session.pem')], { input });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not a session saved by sanstls/);
  });

  it('-early_data sends the file as 0-RTT data, accepted by openssl s_server -early_data', async () => {
    const server = await startOpenSslServer([...serverArgs(), '-early_data', '-tls1_3']);
    children.push(server.child);
    const sess = join(fx.dir, 'sanstls-sess-early.pem');
    const early = join(fx.dir, 'early.txt');
    writeFileSync(early, 'zero round trips\n');
    const base = ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', ecdsa().caCert];
    // openssl s_server (no -www) prints what it reads; stdin ends, s_client closes after a moment.
    const first = await cli.run([...base, '-sess_out', sess], { input: 'first\n', timeoutMs: 20_000 });
    expect(first.status).toBe(0);
    const second = await cli.run([...base, '-sess_in', sess, '-early_data', early], {
      input: 'second\n',
      timeoutMs: 20_000,
    });
    expect(second.stderr).toMatch(/^Early data was accepted$/m);
    await server.child.waitFor(/zero round trips/, 10_000);
    await server.child.waitFor(/Early data received/, 10_000);
  });
});

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('sanstls s_server -early_data', () => {
  it('accepts openssl s_client -early_data and echoes it', async () => {
    const child = cli.start(['s_server', '-accept', '127.0.0.1:0', ...serverArgs(), '-early_data']);
    children.push(child);
    const port = Number((await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 15_000, 'stdout'))[1]);
    const sess = join(fx.dir, 'openssl-sess.pem');
    const early = join(fx.dir, 'early-from-openssl.txt');
    writeFileSync(early, 'early from openssl\n');
    const first = startOpenSslClient(port, ['-CAfile', ecdsa().caCert, '-sess_out', sess, '-tls1_3']);
    children.push(first);
    first.write('hello\n');
    await first.waitFor(/^hello$/m, 15_000, 'stdout');
    first.endInput();
    await first.exited(10_000);
    const second = startOpenSslClient(port, ['-CAfile', ecdsa().caCert, '-sess_in', sess, '-early_data', early]);
    children.push(second);
    await second.waitFor(/Early data was accepted/, 15_000);
    await second.waitFor(/^early from openssl$/m, 15_000, 'stdout'); // echoed back
    expect(second.stdout()).toContain('Reused, TLSv1.3');
    second.endInput();
  });
});
