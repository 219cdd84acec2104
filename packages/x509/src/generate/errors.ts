/**
 * Errors raised by the generation helpers: bad arguments and unsupported requests, both in the
 * SSLError family so callers handle them like every other sanstls failure.
 * @module
 */
import { SSLError } from '../errors.js';

export function invalidArgument(text: string): SSLError {
  return new SSLError(text, { library: 'X509', reason: 'INVALID_ARGUMENT' });
}

export function notSupported(text: string): SSLError {
  return new SSLError(`${text} is not supported`, { library: 'X509', reason: 'UNSUPPORTED' });
}
