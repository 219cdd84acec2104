/**
 * WebCrypto vs noble in Node (the same benchmark the browser test runs in Chromium). By default one short
 * round, so the benchmark keeps working (every WebCrypto signature it times is also checked by noble, and the
 * handshake row checks which verification path ran); with SANSTLS_BENCH=1 a measuring run whose table is
 * printed. Under vitest noble is 2–4× slower than bundled: the README's Node numbers come from
 * `node packages/web-adapter/test/bench-runtimes.mjs`.
 */
import { PEM_cert_to_DER_cert } from '@sanstls/web-adapter';
import { expect, it } from 'vitest';
import { formatRows, runBenchmarks } from './bench.js';
import { testPki } from './helpers/pki.js';

const measuring = process.env.SANSTLS_BENCH === '1';
if (!measuring) console.log('webcrypto-bench: one short round (set SANSTLS_BENCH=1 to measure)');

it('runs the WebCrypto vs noble benchmark in Node (measures with SANSTLS_BENCH=1)', async () => {
  const pki = testPki();
  const rows = await runBenchmarks(
    {
      caPem: pki.caPem,
      serverChainPem: pki.ec.chainPem,
      serverKeyPem: pki.ec.keyPem,
      leafDer: PEM_cert_to_DER_cert(pki.ec.certPem),
      caDer: PEM_cert_to_DER_cert(pki.caPem),
    },
    measuring ? 7 : 1,
  );
  if (measuring) console.log(`Node ${process.version}\n${formatRows(rows)}`);
  for (const row of rows) {
    expect(row.noble).toBeGreaterThan(0);
    expect(row.webCrypto).toBeGreaterThan(0);
  }
});
