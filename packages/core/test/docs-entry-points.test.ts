import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Every `types` path under a package's `exports` (conditions such as `node` nest one level deeper). */
function typedExports(exports: unknown): string[] {
  if (typeof exports !== 'object' || exports === null) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(exports)) {
    if (key === 'types' && typeof value === 'string') out.push(value);
    else out.push(...typedExports(value));
  }
  return out;
}

// The API reference (`pnpm docs`, typedoc.json) documents what the packages export: an entry point
// added to a package.json `exports` map but not to typedoc.json is public API without a reference page
// (issue #10 follow-up: @sanstls/core/client and @sanstls/web-adapter/client were missing).
describe('typedoc entry points', () => {
  it('cover every typed export of every package, and name only existing sources', () => {
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    const expected: string[] = [];
    for (const pkg of readdirSync(join(root, 'packages'))) {
      const manifest = join(root, 'packages', pkg, 'package.json');
      if (!existsSync(manifest)) continue;
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown };
      for (const types of typedExports(json.exports)) {
        // ./dist/x/y.d.ts is compiled from ./src/x/y.ts (tsconfig rootDir src, outDir dist).
        const match = /^\.\/dist\/(.+)\.d\.ts$/.exec(types);
        expect(match, `${pkg}: ${types}`).not.toBeNull();
        expected.push(`packages/${pkg}/src/${match?.[1]}.ts`);
      }
    }
    expect(expected).toContain('packages/core/src/client-only.ts');
    expect(expected).toContain('packages/web-adapter/src/client.ts');
    expect([...config.entryPoints].sort()).toEqual([...expected].sort());
    for (const entry of config.entryPoints) expect(existsSync(join(root, entry)), entry).toBe(true);
  });
});
