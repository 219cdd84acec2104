// `sanstls x509` against Python's own decoder and `sanstls verify` against `openssl verify`: same output lines,
// same exit statuses, on certificates made by openssl.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliHarness } from './helpers/cli.js';
import { type Fixtures, keyKinds, makeFixtures } from './helpers/fixtures.js';
import { peerAvailability, skipUnless } from './helpers/peers.js';
import { run } from './helpers/processes.js';

let cli: CliHarness;
let fx: Fixtures;
beforeAll(async () => {
  cli = await buildCli();
  if (peerAvailability.openssl()) fx = makeFixtures();
});
afterAll(() => {
  cli?.cleanup();
  fx?.cleanup();
});

describe('sanstls (dispatch)', () => {
  it('no command: usage on stderr, status 1; help: usage on stdout, status 0', async () => {
    const none = await cli.run([]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('Usage: sanstls <command>');
    const help = await cli.run(['help']);
    expect(help.status).toBe(0);
    for (const name of ['s_server', 's_client', 'x509', 'verify']) expect(help.stdout).toContain(name);
  });

  it('an unknown command is status 1', async () => {
    const r = await cli.run(['frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Invalid command 'frobnicate'");
  });

  it.each(['s_server', 's_client', 'x509', 'verify'])('%s -help lists its options, status 0', async (name) => {
    const r = await cli.run([name, '-help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: sanstls ${name}`));
    expect(r.stdout).toContain(' -help');
  });

  it.each([
    ['s_server', '-bogus'],
    ['s_client', '-nonsense'],
    ['x509', '-what'],
    ['verify', '-nope'],
  ])('%s %s: unknown option in OpenSSL words, status 1', async (name, flag) => {
    const r = await cli.run([name, flag]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${name}: Unknown option: ${flag}\n${name}: Use -help for summary.\n`);
  });

  it('an option missing its value is status 1', async () => {
    const r = await cli.run(['verify', '-CAfile']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Option -CAfile needs a value');
  });

  it.each([
    ['s_client', ['-reconnect']],
    ['s_client', ['-starttls', 'smtp']],
    ['s_client', ['-tls1_1']],
    ['x509', ['-text']],
    ['verify', ['-crl_check']],
  ])('%s %s: a feature not built yet fails at once with status 2', async (name, flags) => {
    const r = await cli.run([name, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not supported yet/);
    expect(r.stdout).toBe('');
  });
});

describe.skipIf(skipUnless(peerAvailability.openssl() && peerAvailability.python(), 'openssl + python3'))(
  'sanstls x509',
  () => {
    const pythonDecode = async (file: string): Promise<string> => {
      const r = await run('python3', [
        '-c',
        'import ssl,json,sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))',
        file,
      ]);
      expect(r.status).toBe(0);
      return r.stdout;
    };

    it.each(keyKinds)(
      "prints exactly Python's json.dumps of _test_decode_cert (%s CA, server, client)",
      async (kind) => {
        const chain = fx.chains[kind];
        // The six processes run side by side (each is mostly start-up time).
        const files = [chain.caCert, chain.serverCert, chain.clientCert];
        const results = await Promise.all(
          files.map(async (file) => [await cli.run(['x509', '-in', file]), await pythonDecode(file)] as const),
        );
        for (const [ours, theirs] of results) {
          expect(ours.status).toBe(0);
          expect(ours.stdout).toBe(theirs);
        }
      },
    );

    it('reads standard input and DER', async () => {
      const chain = fx.chains.ecdsa;
      const expected = await pythonDecode(chain.serverCert);
      const fromStdin = await cli.run(['x509'], { input: chain.pem(chain.serverCert) });
      expect(fromStdin.stdout).toBe(expected);
      const der = join(fx.dir, 'x509-test.der');
      expect((await run('openssl', ['x509', '-in', chain.serverCert, '-outform', 'DER', '-out', der])).status).toBe(0);
      const fromDer = await cli.run(['x509', '-inform', 'DER', '-in', der]);
      expect(fromDer.stdout).toBe(expected);
    });

    it('a missing file or garbage is an error with status 1', async () => {
      const missing = await cli.run(['x509', '-in', join(fx.dir, 'missing.pem')]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/ENOENT/);
      const garbage = join(fx.dir, 'garbage.pem');
      writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      const bad = await cli.run(['x509', '-in', garbage]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/^x509: \[/);
    });
  },
);

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('sanstls verify against openssl verify', () => {
  /** Runs both with the same arguments; returns both results. */
  const both = async (args: string[]) => {
    const [ours, theirs] = await Promise.all([cli.run(['verify', ...args]), run('openssl', ['verify', ...args])]);
    return { ours, theirs };
  };

  const cases: Array<[string, (f: Fixtures) => string[]]> = [
    [
      'a good server chain',
      (f) => ['-CAfile', f.chains.ecdsa.caCert, '-purpose', 'sslserver', f.chains.ecdsa.serverCert],
    ],
    ['rsa, any purpose', (f) => ['-CAfile', f.chains.rsa.caCert, f.chains.rsa.serverCert]],
    [
      'ed25519 client',
      (f) => ['-CAfile', f.chains.ed25519.caCert, '-purpose', 'sslclient', f.chains.ed25519.clientCert],
    ],
    ['a CA against itself', (f) => ['-CAfile', f.chains.ecdsa.caCert, f.chains.ecdsa.caCert]],
    ['the wrong CA (20)', (f) => ['-CAfile', f.otherCaCert, f.chains.ecdsa.serverCert]],
    ['an untrusted self-signed certificate (18)', (f) => ['-CAfile', f.otherCaCert, f.chains.rsa.caCert]],
    [
      'the wrong purpose (26)',
      (f) => ['-CAfile', f.chains.ecdsa.caCert, '-purpose', 'sslclient', f.chains.ecdsa.serverCert],
    ],
    [
      'hostname ok',
      (f) => ['-CAfile', f.chains.ecdsa.caCert, '-verify_hostname', 'localhost', f.chains.ecdsa.serverCert],
    ],
    [
      'hostname mismatch (62)',
      (f) => ['-CAfile', f.chains.ecdsa.caCert, '-verify_hostname', 'localhost', f.chains.ecdsa.wrongNameCert],
    ],
    ['IP ok', (f) => ['-CAfile', f.chains.rsa.caCert, '-verify_ip', '127.0.0.1', f.chains.rsa.serverCert]],
    ['IP mismatch (64)', (f) => ['-CAfile', f.chains.rsa.caCert, '-verify_ip', '10.0.0.1', f.chains.rsa.serverCert]],
    ['not yet valid (9)', (f) => ['-CAfile', f.chains.ecdsa.caCert, '-attime', '1000000000', f.chains.ecdsa.caCert]],
    [
      'several certificates, one bad',
      (f) => ['-CAfile', f.chains.ecdsa.caCert, f.chains.ecdsa.serverCert, f.chains.rsa.serverCert],
    ],
  ];

  it.each(cases)('%s: same stdout, stderr and status', async (_, args) => {
    const { ours, theirs } = await both(args(fx));
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.status).toBe(theirs.status);
  });

  it('expired: status 2 and the error 10 line openssl prints for the leaf', async () => {
    const args = ['-CAfile', fx.chains.ecdsa.caCert, '-attime', '4102444800', fx.chains.ecdsa.serverCert];
    const { ours, theirs } = await both(args);
    expect(ours.status).toBe(theirs.status);
    expect(theirs.stderr).toContain('error 10 at 0 depth lookup: certificate has expired');
    // OpenSSL carries on past expiry and also reports the (equally expired) CA at depth 1; sanstls stops at the
    // first error, so it prints one of OpenSSL's error lines.
    expect(theirs.stderr.split('\n')).toEqual(expect.arrayContaining(ours.stderr.split('\n')));
  });

  it('an intermediate from -untrusted', async () => {
    // leaf ← server CA (intermediate) ← root: the fixture's CA re-signed by the other CA stands in as an intermediate.
    const chain = fx.chains.ecdsa;
    const intermediate = join(fx.dir, 'intermediate.pem');
    const ext = join(fx.dir, 'intermediate.ext');
    writeFileSync(
      ext,
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
    );
    const signed = await run('openssl', [
      'x509',
      '-in',
      chain.caCert,
      '-CA',
      fx.otherCaCert,
      '-CAkey',
      fx.otherCaCert.replace(/\.pem$/, '.key'),
      '-set_serial',
      '77',
      '-days',
      '5',
      '-extfile',
      ext,
      '-out',
      intermediate,
    ]);
    expect(signed.status).toBe(0);
    for (const args of [
      ['-CAfile', fx.otherCaCert, '-untrusted', intermediate, chain.serverCert],
      ['-CAfile', fx.otherCaCert, chain.serverCert],
      ['-CAfile', fx.chains.rsa.caCert, '-untrusted', intermediate, chain.serverCert],
    ]) {
      const { ours, theirs } = await both(args);
      expect({ args, status: ours.status, stdout: ours.stdout, stderr: ours.stderr }).toEqual({
        args,
        status: theirs.status,
        stdout: theirs.stdout,
        stderr: theirs.stderr,
      });
    }
  });

  it('-CApath: an openssl rehash directory', async () => {
    const dir = join(fx.dir, 'verify-capath');
    await run('mkdir', ['-p', dir]);
    await run('cp', [fx.chains.rsa.caCert, dir]);
    expect((await run('openssl', ['rehash', dir])).status).toBe(0);
    const { ours, theirs } = await both(['-CApath', dir, fx.chains.rsa.serverCert]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.status).toBe(0);
  });

  it('unreadable trust file: status 1 as openssl; unreadable certificate: status 2 as openssl', async () => {
    const missing = join(fx.dir, 'missing.pem');
    const badCa = await both(['-CAfile', missing, fx.chains.ecdsa.serverCert]);
    expect(badCa.ours.status).toBe(1);
    expect(badCa.theirs.status).toBe(1);
    expect(badCa.ours.stderr).toContain(`Error loading file ${missing}`);
    const badCert = await both(['-CAfile', fx.chains.ecdsa.caCert, missing]);
    expect(badCert.theirs.status).toBe(2);
    expect(badCert.ours.status).toBe(2);
    const badPurpose = await cli.run(['verify', '-purpose', 'sslwhatever', fx.chains.ecdsa.serverCert]);
    expect(badPurpose.status).toBe(1);
  });

  it('without -CAfile the system store is used (SSL_CERT_FILE honoured)', async () => {
    const env = { ...process.env, SSL_CERT_FILE: fx.chains.ecdsa.caCert, SSL_CERT_DIR: join(fx.dir, 'none') };
    const ours = await cli.run(['verify', fx.chains.ecdsa.serverCert], { env });
    const theirs = await run('openssl', ['verify', fx.chains.ecdsa.serverCert], { env });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.status).toBe(0);
  });
});
