// What the shim's bundle (dist/shim-main.cjs) exports: the call itself, and a warm-up for its code cache.
// The warm-up is loaded only when the cache is made: its imports (the approval binding with
// node:crypto, the refusal's wording) would otherwise be evaluated at the start of every call.

export { runShim } from './main.js';

export async function warmUp(): Promise<void> {
  return (await import('./warm-up.js')).warmUp();
}
