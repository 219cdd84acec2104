/** fast-check arbitraries and helpers shared by the codec tests (not a test file itself). */
import { CodecError, type Extension } from '@sanstls/core/codec';
import * as fc from 'fast-check';
import { expect } from 'vitest';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const bytes = (minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength, maxLength });

/** Extension blocks with distinct types (RFC 8446 §4.2), optionally excluding some types. */
export const extensionList = (exclude: readonly number[] = [], maxLength = 6): fc.Arbitrary<Extension[]> =>
  fc.uniqueArray(fc.record({ type: u16.filter((t) => !exclude.includes(t)), body: bytes(0, 24) }), {
    selector: (e) => e.type,
    maxLength,
  });

/** Runs `fn`, expecting a CodecError; returns it. Any other outcome fails the test. */
export function codecFailure(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return e;
  }
  throw new Error('expected a CodecError, but parsing succeeded');
}

/** Expects `fn` to throw a CodecError with this alert (and reason, if given). */
export function expectAlert(fn: () => unknown, alert: number, reason?: string): void {
  const e = codecFailure(fn);
  expect(e.alert, e.message).toBe(alert);
  if (reason !== undefined) expect(e.reason).toBe(reason);
}

/**
 * Go's property (crypto/tls handshake_messages_test.go): no proper prefix of an encoding parses.
 * `allowed` lists prefix lengths that legitimately form a complete, shorter structure.
 */
export function expectNoProperPrefixParses(
  encoded: Uint8Array,
  parse: (b: Uint8Array) => unknown,
  allowed: readonly number[] = [],
): void {
  for (let k = 0; k < encoded.length; k++) {
    if (allowed.includes(k)) continue;
    const prefix = encoded.slice(0, k);
    try {
      parse(prefix);
    } catch (e) {
      if (e instanceof CodecError) continue;
      throw e;
    }
    throw new Error(`prefix of ${k}/${encoded.length} bytes parsed`);
  }
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
