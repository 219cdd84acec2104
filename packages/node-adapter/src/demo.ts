/**
 * The quick-start demo. It grows with the project: each issue that lands replaces a part of it with
 * the real thing (certificates, then a TLS handshake, then Node/OpenSSL peers).
 */
import { SSLError } from '@sanstls/core';

console.log('sanstls demo');
console.log(`error family loaded: ${new SSLError('ok', { library: 'SSL', reason: 'DEMO' }).message}`);
