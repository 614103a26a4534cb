// The digests chaperone takes of its own small inputs (the approval binding, the audit chain, a
// token's fingerprint, a rules file's cache key, docker's and pulumi's file names), and the random
// letters of an approval code.
//
// Loading node:crypto costs a decision 3 to 8 ms (it brings node:stream with it), more than the rest
// of a refusal's own work; @noble/hashes is plain JavaScript, bundled, and hashes a few kilobytes in
// about a millisecond, cold. Cold JavaScript hashing grows with the input, and from a few kilobytes on
// (a rules file's text, stdin read ahead) loading the native hash is cheaper; once loaded, it does all.

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const nativeFrom = 4096;
let native: typeof import('node:crypto') | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (native === undefined && bytes.length < nativeFrom) return bytesToHex(sha256(bytes));
  native ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return native.createHash('sha256').update(bytes).digest('hex');
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
