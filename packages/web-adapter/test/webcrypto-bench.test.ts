/**
 * WebCrypto vs noble in Node (the same benchmark the browser test runs in Chromium). Prints the table and
 * checks the two sides agree on every signature (the benchmark verifies WebCrypto's signatures with noble).
 */
import { PEM_cert_to_DER_cert } from '@sanstls/web-adapter';
import { expect, it } from 'vitest';
import { formatRows, runBenchmarks } from './bench.js';
import { testPki } from './helpers/pki.js';

it('measures WebCrypto vs noble in Node', async () => {
  const pki = testPki();
  const rows = await runBenchmarks(
    {
      caPem: pki.caPem,
      serverChainPem: pki.ec.chainPem,
      serverKeyPem: pki.ec.keyPem,
      leafDer: PEM_cert_to_DER_cert(pki.ec.certPem),
      caDer: PEM_cert_to_DER_cert(pki.caPem),
    },
    7,
  );
  console.log(`Node ${process.version}\n${formatRows(rows)}`);
  for (const row of rows) {
    expect(row.noble).toBeGreaterThan(0);
    expect(row.webCrypto).toBeGreaterThan(0);
  }
});
