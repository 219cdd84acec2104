/**
 * The crypto providers to measure: the pure-JS noble provider from core, and a node:crypto provider if
 * any built package exports one (an object implementing CryptoProvider whose name is not "noble", or a
 * `create…Provider` factory returning one). Absent providers are reported as such, never faked.
 */
import { dist, hasDist } from './dist.mjs';

const isProvider = (v) =>
  v !== null &&
  typeof v === 'object' &&
  typeof v.name === 'string' &&
  typeof v.aead === 'function' &&
  typeof v.group === 'function' &&
  typeof v.hash === 'function' &&
  typeof v.sign === 'function';

export async function findProviders() {
  const core = await import(dist('core', 'index.js'));
  const found = [
    { name: core.defaultProvider.name, provider: core.defaultProvider, source: '@sanstls/core defaultProvider' },
  ];
  for (const pkg of ['node-adapter', 'core']) {
    if (!hasDist(pkg)) continue;
    const mod = await import(dist(pkg, 'index.js'));
    for (const [exportName, value] of Object.entries(mod)) {
      let candidate = value;
      if (typeof value === 'function' && /^create\w*Provider$/.test(exportName) && !/noble/i.test(exportName)) {
        try {
          candidate = value();
        } catch {
          continue;
        }
      }
      if (isProvider(candidate) && !found.some((f) => f.provider === candidate || f.name === candidate.name)) {
        found.push({ name: candidate.name, provider: candidate, source: `@sanstls/${pkg} ${exportName}` });
      }
    }
  }
  return found;
}
