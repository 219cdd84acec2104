/**
 * The quick-start demo (`pnpm demo`). No network: everything happens on 127.0.0.1 in a few seconds.
 *
 * What it shows today: certificates made by sanstls (a CA and a server certificate), decoded into Python's
 * getpeercert() dict, validated by sanstls's RFC 5280 verifier (and rejected for the wrong name), and checked
 * independently by Node's own X.509 code and, when present, `openssl verify`. The TLS part (sanstls server, our
 * client, Node's tls client, `openssl s_client`, `https.get` over a sanstls socket) joins as the engine lands.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCertificate, loadPrivateKey, SSLCertVerificationError, verifyChain } from '@sanstls/x509';
import { createCertificate } from '@sanstls/x509/generate';

const started = performance.now();
const shown: string[] = [];
const step = (title: string): void => console.log(`\n== ${title}`);
const ok = (text: string): void => {
  console.log(`  ok  ${text}`);
  shown.push(text);
};
const info = (text: string): void => console.log(`      ${text}`);

function p256Key() {
  // Key generation in @sanstls/x509 is still being written; Node makes the key, sanstls reads it (PKCS #8).
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return loadPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
}

step('1. Certificates made by sanstls (@sanstls/x509/generate)');
const caKey = p256Key();
const ca = createCertificate({
  subject: 'CN=sanstls demo CA,O=sanstls',
  key: caKey,
  isCa: true,
  days: 1,
});
const serverKey = p256Key();
const server = createCertificate({
  subject: 'CN=localhost,O=sanstls',
  key: serverKey,
  issuer: { certificate: ca.der, key: caKey },
  extKeyUsage: ['serverAuth'],
  subjectAltNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
  days: 1,
});
ok('ECDSA P-256 CA and a server certificate for localhost / 127.0.0.1');

step("2. Decoded as Python's getpeercert() dict");
const dict = decodeCertificate(server.der);
info(`subject         ${JSON.stringify(dict.subject)}`);
info(`issuer          ${JSON.stringify(dict.issuer)}`);
info(`subjectAltName  ${JSON.stringify(dict.subjectAltName)}`);
info(`valid           ${dict.notBefore} .. ${dict.notAfter}`);
ok('decodeCertificate');

step('3. Chain validation by sanstls (RFC 5280)');
const chain = verifyChain({ leaf: server.der, trustAnchors: [ca.der], hostname: 'localhost' });
ok(`server → CA verifies for "localhost" (path of ${chain.chain.length} certificates)`);
try {
  verifyChain({ leaf: server.der, trustAnchors: [ca.der], hostname: 'example.com' });
  console.log('  FAIL  a certificate for localhost was accepted for example.com');
  process.exitCode = 1;
} catch (err) {
  if (!(err instanceof SSLCertVerificationError)) throw err;
  ok(`rejected for "example.com": X509_V_ERR ${err.verifyCode} (${err.verifyMessage})`);
}

step('4. The same certificates checked by other implementations');
const nodeCa = new X509Certificate(ca.pem);
const nodeLeaf = new X509Certificate(server.pem);
if (nodeLeaf.checkIssued(nodeCa) && nodeLeaf.verify(nodeCa.publicKey) && nodeLeaf.checkHost('localhost')) {
  ok("Node's X509Certificate: issued by the CA, signature valid, host localhost matches");
} else {
  console.log("  FAIL  Node's X509Certificate does not accept the chain");
  process.exitCode = 1;
}
const dir = mkdtempSync(join(tmpdir(), 'sanstls-demo-'));
try {
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'server.pem'), server.pem);
  const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ok(`openssl verify: ${out.trim().replace(`${dir}/`, '')}`);
} catch (err) {
  const e = err as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOENT') info('openssl not installed: skipped');
  else {
    console.log(`  FAIL  openssl verify: ${e.stderr ?? e.message}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

step('5. TLS');
info('The TLS 1.3 engine (@sanstls/core SSLContext) is still being written: no handshake is shown yet.');

console.log(`\nsanstls demo: ${shown.length} things shown in ${Math.round(performance.now() - started)} ms.`);
