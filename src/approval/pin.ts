// The approval PIN: a secret the human knows and the agent does not, so an agent that manages to get
// a pseudo-terminal still cannot approve its own commands. Stored as a slow scrypt hash, 0600.

import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaperoneConfigDir } from '../context/files.js';

interface PinFile {
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
  try {
    return JSON.parse(readFileSync(pinPath(env), 'utf8')) as PinFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`the PIN file ${pinPath(env)} cannot be read: ${(error as Error).message}`);
  }
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
