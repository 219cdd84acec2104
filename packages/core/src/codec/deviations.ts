/**
 * Lenient, deviation-reporting parsing (issue #11). Strict parsing (the default, no collector) throws at
 * the first violation. When a {@link DeviationCollector} is passed, *rule* violations — a vector length
 * outside its RFC `<min..max>` bounds that the data still covers, a duplicate extension, pre_shared_key
 * not last, an extension not allowed in its message, a record longer than the limit — are reported to it
 * with the RFC section and parsing continues. *Structural* failures (overrun, trailing bytes) still throw:
 * past them there is nothing left to parse.
 * @module
 */
import type { CodecError } from './errors.js';

/** One RFC deviation seen while parsing. */
export interface Deviation {
  /** Where the rule comes from, e.g. `RFC 8446 §4.2`. */
  readonly section: string;
  /** The message strict mode would have thrown. */
  readonly message: string;
  /** The alert a strict peer sends for it (RFC 8446 §6.2). */
  readonly alert: number;
  /** OpenSSL-style reason mnemonic of the strict error. */
  readonly reason: string;
}

/** Receives deviations in the order they are found. */
export type DeviationCollector = (deviation: Deviation) => void;

/**
 * A rule violation: throws `error` in strict mode (`collector` undefined), otherwise reports it and
 * returns so the caller continues. The error object is only built on the failure path.
 */
export function deviate(collector: DeviationCollector | undefined, section: string, error: CodecError): void {
  if (collector === undefined) throw error;
  collector({ section, message: error.strerror, alert: error.alert, reason: error.reason ?? 'UNKNOWN' });
}

/** A collector that keeps every deviation in `list`. */
export function deviationList(): { readonly list: Deviation[]; readonly collect: DeviationCollector } {
  const list: Deviation[] = [];
  return { list, collect: (d) => list.push(d) };
}
