// The example page's logic: connect through the relay, run TLS in the page, GET the path, show the session.
import {
  connectTls,
  decodeCertificate,
  httpRequest,
  relayUrl,
  SSLCertVerificationError,
  websocketTransport,
} from '../dist/browser/sanstls-web.min.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('relay').value = params.get('relay') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/tunnel`;
for (const key of ['target', 'sni', 'path']) if (params.has(key)) $(key).value = params.get(key);

function nameOf(rdns) {
  return rdns.map((rdn) => rdn.map(([k, v]) => `${k}=${v}`).join('+')).join(', ');
}

function show(id, text) {
  $(id).textContent = text;
}

async function anchors() {
  const list = [];
  if ($('anchors').value.trim() !== '') list.push($('anchors').value);
  if ($('mozilla').checked) {
    const roots = await import('../dist/browser/mozilla-roots.min.js');
    show('roots-date', `${roots.MOZILLA_ROOTS_SOURCE.count} roots of ${roots.MOZILLA_ROOTS_DATE}`);
    list.push(...roots.mozillaRoots());
  }
  return list;
}

async function run(event) {
  event?.preventDefault();
  $('error').hidden = true;
  $('session').hidden = true;
  $('response').hidden = true;
  $('chain-title').hidden = true;
  $('chain').replaceChildren();
  $('go').disabled = true;
  const target = $('target').value.trim();
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
  try {
    if (m === null) throw new Error('host:port expected');
    const host = m[1].replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    const serverHostname = $('sni').value.trim() || host;
    show('status', 'opening the tunnel…');
    const started = performance.now();
    const tunnel = await websocketTransport(relayUrl($('relay').value, host, port));
    show('status', 'TLS handshake…');
    const tls = await connectTls(tunnel, {
      serverHostname,
      trustAnchors: await anchors(),
      alpnProtocols: ['http/1.1'],
    });
    const handshakeMs = performance.now() - started;
    const { info } = tls;
    show('protocol', info.protocol);
    show('cipher', `${info.cipher} (${info.cipherBits} bits)`);
    show('group', info.group ?? '—');
    show('alpn', info.alpn ?? 'none');
    show('verifier', info.webCryptoVerified ? 'WebCrypto (signatures), sanstls x509 (policy)' : 'sanstls x509 (noble)');
    show('timing', `${handshakeMs.toFixed(0)} ms including the tunnel`);
    $('session').hidden = false;
    $('chain-title').hidden = false;
    for (const der of info.peerCertificateChain) {
      const cert = decodeCertificate(der);
      const li = document.createElement('li');
      li.textContent = `subject: ${nameOf(cert.subject)} — issuer: ${nameOf(cert.issuer)} — valid until ${cert.notAfter}`;
      $('chain').append(li);
    }
    show('status', 'fetching…');
    const portSuffix = port === 443 ? '' : `:${port}`;
    const response = await httpRequest(tls, { host: `${serverHostname}${portSuffix}`, path: $('path').value || '/' });
    show('response', `${response.version} ${response.status} ${response.statusText}\n\n${response.text()}`);
    $('response').hidden = false;
    show('status', `done: HTTP ${response.status}`);
    $('status').className = 'ok';
  } catch (error) {
    $('status').className = '';
    show('status', 'failed');
    const kind = error instanceof SSLCertVerificationError ? `certificate error ${error.verifyCode}` : error.name;
    show('error', `${kind}: ${error.message}`);
    $('error').hidden = false;
  } finally {
    $('go').disabled = false;
  }
}

$('form').addEventListener('submit', run);
if (params.get('autorun') === '1') run();
