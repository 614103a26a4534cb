// The approval PIN: a secret the human knows and the agent does not, so an agent that manages to get
// a pseudo-terminal still cannot approve its own commands. Stored as a slow scrypt hash, 0600.

import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaperoneConfigDir, chaperoneStateDir, readTextIfExists } from '../context/files.js';
import { EnvironmentFault, StoreFault } from '../errors.js';

export interface PinFile {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

const cost = { N: 2 ** 15, r: 8, p: 1 };

export function pinPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneConfigDir(env), 'pin');
}

function derive(pin: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(pin.normalize('NFKC'), salt, 32, { ...params, maxmem: 256 * params.N * params.r });
}

export function readPin(env: NodeJS.ProcessEnv): PinFile | undefined {
  const path = pinPath(env);
  const fix = `as the human who set it, remove the file (rm ${path}) and set a new PIN: chaperone pin set`;
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch (error) {
    throw error instanceof EnvironmentFault ? new StoreFault(path, `the PIN file cannot be read: ${error.problem}`, fix) : error;
  }
  if (text === undefined) return undefined;
  // A PIN file that is not one is not "no PIN": that would let whoever broke it skip the PIN.
  try {
    const pin = JSON.parse(text) as PinFile;
    if (pin.algorithm === 'scrypt' && [pin.N, pin.r, pin.p].every(Number.isSafeInteger) && typeof pin.salt === 'string' && typeof pin.hash === 'string') return pin;
  } catch {
    // reported below
  }
  throw new StoreFault(path, 'not a PIN file chaperone wrote', fix);
}

export function setPin(env: NodeJS.ProcessEnv, pin: string): void {
  const salt = randomBytes(16);
  const file: PinFile = { algorithm: 'scrypt', ...cost, salt: salt.toString('base64'), hash: derive(pin, salt, cost).toString('base64') };
  mkdirSync(join(pinPath(env), '..'), { recursive: true, mode: 0o700 });
  writeFileSync(pinPath(env), `${JSON.stringify(file)}\n`, { mode: 0o600 });
}

export function clearPin(env: NodeJS.ProcessEnv): void {
  rmSync(pinPath(env), { force: true });
}

export function checkPin(file: PinFile, pin: string): boolean {
  const expected = Buffer.from(file.hash, 'base64');
  const actual = derive(pin, Buffer.from(file.salt, 'base64'), file);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Wrong PINs allowed in a window before asking stops until the window has passed. */
const maxFailures = 5;
const failureWindowMs = 15 * 60_000;

function failuresPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'pin-failures.json');
}

function recentFailures(env: NodeJS.ProcessEnv, now: number): number[] {
  try {
    const times = JSON.parse(readFileSync(failuresPath(env), 'utf8')) as unknown;
    return Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number' && now - t < failureWindowMs) : [];
  } catch {
    return [];
  }
}

/**
 * When asking for the PIN is locked after too many wrong ones (guessing a 4-digit PIN one prompt at a
 * time would otherwise only be slow), the time it opens again; else undefined.
 */
export function pinLockedUntil(env: NodeJS.ProcessEnv, now = Date.now()): Date | undefined {
  const failures = recentFailures(env, now);
  return failures.length >= maxFailures ? new Date(Math.min(...failures) + failureWindowMs) : undefined;
}

/** Checks a typed PIN, and counts a wrong one towards the lock (a right one clears the count). */
export function verifyPin(env: NodeJS.ProcessEnv, file: PinFile, typed: string | undefined): boolean {
  const ok = typed !== undefined && checkPin(file, typed);
  const now = Date.now();
  try {
    mkdirSync(chaperoneStateDir(env), { recursive: true, mode: 0o700 });
    writeFileSync(failuresPath(env), `${JSON.stringify(ok ? [] : [...recentFailures(env, now), now])}\n`, { mode: 0o600 });
  } catch {
    // The count is a brake, not the lock: a PIN is still checked when it cannot be kept.
  }
  return ok;
}
