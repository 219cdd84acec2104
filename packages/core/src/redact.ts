/**
 * Keeps key material out of `util.inspect` and `JSON.stringify` (issue #10): public objects that hold
 * secrets (connections, sessions, contexts with ticket keys) print a summary of public facts instead of
 * their fields. The inspect hook is `Symbol.for('nodejs.util.inspect.custom')`, a registered symbol, so
 * this module needs no Node built-in and is inert elsewhere (Deno and Bun honour the same symbol).
 * @module
 */

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type InspectFn = (value: unknown, options?: unknown) => string;

/**
 * Makes instances of `cls` print as `Name { …summary }` under util.inspect and serialise as the summary
 * under JSON.stringify. The summary must hold only public, non-secret facts.
 */
export function redactSecrets<T extends object>(
  cls: { readonly prototype: T; readonly name: string },
  summary: (self: T) => Record<string, unknown>,
): void {
  Object.defineProperty(cls.prototype, 'toJSON', {
    value(this: T): Record<string, unknown> {
      return summary(this);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(cls.prototype, INSPECT, {
    value(this: T, _depth: number, options: unknown, inspect?: InspectFn): unknown {
      const facts = summary(this);
      return typeof inspect === 'function' ? `${cls.name} ${inspect(facts, options)}` : facts;
    },
    configurable: true,
    writable: true,
  });
}

/** Overwrites `bytes` with zeros (best effort: copies made by the JIT, GC or crypto backends survive). */
export function wipe(bytes: Uint8Array | null | undefined): void {
  bytes?.fill(0);
}
