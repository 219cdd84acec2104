/**
 * `@sanstls/core/codec`: the TLS 1.2/1.3 wire codec (work in progress; see the API overview below once
 * complete).
 * @module
 */

export * from './enums.js';
export * from './errors.js';
export * from './reader.js';
export * from './writer.js';
