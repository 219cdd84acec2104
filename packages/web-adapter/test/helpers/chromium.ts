/**
 * Where the browser tests find Chromium: `$SANSTLS_CHROMIUM`, else Debian's `chromium` (or
 * `chromium-browser`) on PATH; null when absent or opted out with SANSTLS_BROWSER_TESTS=0.
 * Shared by the web-adapter browser tests and core's Chromium interop test.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findChromium(): string | null {
  if (process.env.SANSTLS_BROWSER_TESTS === '0') return null;
  const given = process.env.SANSTLS_CHROMIUM;
  if (given !== undefined && given !== '') return existsSync(given) ? given : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}
