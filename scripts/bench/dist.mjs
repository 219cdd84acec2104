/** Paths into the built packages (`pnpm run build` → packages/<name>/dist). */
import { existsSync } from 'node:fs';

const root = new URL('../../packages/', import.meta.url);

/** The URL string of `packages/<pkg>/dist/<file>`. */
export function dist(pkg, file = 'index.js') {
  return new URL(`${pkg}/dist/${file}`, root).href;
}

/** True when `packages/<pkg>/dist/<file>` exists. */
export function hasDist(pkg, file = 'index.js') {
  return existsSync(new URL(`${pkg}/dist/${file}`, root));
}
