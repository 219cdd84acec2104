/**
 * Error constructors shared by keys/. Messages name the structure and the rule broken, never key
 * material.
 * @module
 */
import { SSLError, X509ParseError } from '../errors.js';

/** A malformed or invalid key encoding. */
export function keyDecodeError(text: string): X509ParseError {
  return new X509ParseError(text, { library: 'X509', reason: 'KEY_DECODE_ERROR' });
}

/** A well-formed input that uses an algorithm or format sanstls does not implement. */
export function unsupportedKeyError(text: string): SSLError {
  return new SSLError(`not supported: ${text}`, { library: 'X509', reason: 'UNSUPPORTED_ALGORITHM' });
}
