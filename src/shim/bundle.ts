// What the shim's bundle (dist/shim-main.cjs) exports: the call itself, and a warm-up for its code cache.

export { runShim } from './main.js';
export { warmUp } from './warm-up.js';
