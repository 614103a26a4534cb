// The digests chaperone takes of its own small inputs (the approval binding, the audit chain, a
// token's fingerprint, a rules file's cache key, docker's and pulumi's file names), and the random
// letters of an approval code.
//
// Loading node:crypto costs a decision 3 to 8 ms (it brings node:stream with it), more than the rest
// of a refusal's own work, so small inputs are hashed in JavaScript. A decision runs for milliseconds,
// so that JavaScript runs cold, in V8's interpreter: SHA-256 is written out here as one function with
// its state in locals (FIPS 180-4, section 6.2), which hashes an audit record in 0.1-0.2 ms on its
// first call. @noble/hashes' sha256, built of classes, a DataView and a call per step, took about 1 ms
// there, and was hot enough that V8 started compiling it with TurboFan on another thread, which the
// exiting process then waited for (BENCHMARKS.md). test/unit/hash.test.ts checks it against
// node:crypto at every length across several blocks and on seeded inputs. From a few kilobytes on (a
// rules file's text, stdin read ahead) loading the native hash is cheaper; once loaded, it does all.

import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const nativeFrom = 4096;
let native: typeof import('node:crypto') | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (native === undefined && bytes.length < nativeFrom) return sha256Small(bytes);
  native ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return native.createHash('sha256').update(bytes).digest('hex');
}

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2). */
const k = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of a small input, as lower-case hex. Every sum is taken modulo 2^32 (`| 0`). */
function sha256Small(data: Uint8Array): string {
  // The message, a 1 bit, zeros, and its length in bits as a 64-bit big-endian number, in 64-byte blocks.
  const blocks = Math.floor((data.length + 8) / 64) + 1;
  const message = new Uint8Array(blocks * 64);
  message.set(data);
  message[data.length] = 0x80;
  const view = new DataView(message.buffer);
  view.setUint32(message.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(message.length - 4, (data.length * 8) >>> 0);
  const w = new Int32Array(64);
  // The first 32 bits of the fractional parts of the square roots of the first 8 primes (5.3.3).
  let h0 = 0x6a09e667 | 0, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372 | 0, h3 = 0xa54ff53a | 0, h4 = 0x510e527f | 0, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab | 0, h7 = 0x5be0cd19 | 0;
  for (let block = 0; block < message.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(block + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const sigma0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const sigma1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (sigma1 + w[t - 7] + sigma0 + w[t - 16]) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + sum1 + choose + k[t] + w[t]) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sum0 + majority) | 0;
      // Plain assignments: a destructuring swap would go through the iterator protocol, slowly, cold.
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  return [h0, h1, h2, h3, h4, h5, h6, h7].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

/** SHA-1, only where another tool names its files by it (pulumi's workspace settings). */
export function sha1Hex(text: string): string {
  return bytesToHex(sha1(Buffer.from(text, 'utf8')));
}

/** A uniformly random whole number below `n` (n ≤ 256), from the kernel's random source. */
export function randomBelow(n: number): number {
  // Bytes at or above the largest multiple of n are skipped, so every result is equally likely.
  const limit = 256 - (256 % n);
  const bytes = Buffer.alloc(16);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (;;) {
      readSync(fd, bytes, 0, bytes.length, null);
      for (const byte of bytes) if (byte < limit) return byte % n;
    }
  } finally {
    closeSync(fd);
  }
}
