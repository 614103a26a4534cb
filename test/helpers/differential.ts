// The loop both SQL differential tests run (real-psql-differential, real-mariadb-differential): seeded
// scripts judged in process as an agent's, the allowed ones run for real against a production database
// that must not change, a sample of the refused ones run to show the generator does destroy things, and
// every so often one through the built shim, which must decide the same. Each test brings its server,
// its generator and how to run, snapshot and reset a database; the counting and the checks are here.
// (The config read once per run is in cached-rules.ts: the mock of the rules module loads it, and this
// file, which loads evaluate and so the rules module, cannot be loaded from inside that mock.)

import { execa } from 'execa';
import { evaluate } from '../../src/evaluate.js';
import { emptyHome } from './evaluate.js';
import { systemPath, type Sandbox } from './sandbox.js';

export interface DifferentialScript {
  seed: number;
  /** The script, on the client's stdin. */
  text: string;
  /** Whether any fragment hides a destructive statement; when given, refusals of benign-only scripts are counted. */
  destroys?: boolean;
}

export interface Differential<S extends DifferentialScript> {
  /** Names the run in its summary line. */
  name: string;
  scripts: number;
  firstSeed: number;
  workers: number;
  /** Script k for worker w (seed firstSeed + k). */
  generate(seed: number, w: number): S;
  /** The client (as the agent types it), and its arguments for a script. */
  tool: string;
  args(script: S): string[];
  /** Whose shims judge the scripts that go through the built shim: one in `shimEvery`. */
  sandbox: Sandbox;
  shimEvery: number;
  /** One in this many refused scripts (those with k % sampleEvery === 1) is run for real. */
  sampleEvery: number;
  /** Runs the script with the real client, as the shim would; `refused`: a sample of the refused ones. */
  run(script: S, w: number, refused: boolean): Promise<unknown>;
  /** Worker w's production database, as a digest. */
  snapshot(w: number): Promise<string>;
  reset(w: number): Promise<unknown>;
  /** What a violation says after "allowed, and production changed": how to replay the script. */
  replay(script: S, after: string): string;
}

export interface DifferentialResult {
  violations: string[];
  destroyedWhenRun: number;
}

/** Runs the scripts over the workers; `clean` is the production database's snapshot before any. */
export async function runDifferential<S extends DifferentialScript>(d: Differential<S>, clean: string): Promise<DifferentialResult> {
  const violations: string[] = [];
  let allowed = 0;
  let refused = 0;
  let sampled = 0;
  let destroyedWhenRun = 0;
  let shimChecked = 0;
  let benignScripts = 0;
  let benignRefused = 0;
  const worker = async (w: number) => {
    for (let k = w; k < d.scripts; k += d.workers) {
      const script = d.generate(d.firstSeed + k, w);
      const args = d.args(script);
      const env = { HOME: emptyHome, PATH: `${d.sandbox.shims}:${systemPath}`, CHAPERONE_ACTOR: 'agent' };
      const ev = await evaluate({ tool: d.tool, args, cwd: emptyHome, env, input: script.text }, { terminal: () => false });
      const denied = ev.decision.verdict !== 'allow';
      if (script.destroys === false) {
        benignScripts++;
        if (denied) benignRefused++;
      }
      const viaShim = k % d.shimEvery === 0;
      if (viaShim) {
        // The built shim decides the same as the pipeline in process (and runs the real client when allowed).
        shimChecked++;
        const shimRefused = (await d.sandbox.run(d.tool, args, { input: script.text, env: { CHAPERONE_ACTOR: 'agent' } })).exitCode === 77;
        if (shimRefused !== denied) violations.push(`seed ${script.seed}: the shim ${shimRefused ? 'refused' : 'ran'} what evaluate ${denied ? 'refused' : 'allowed'}`);
      }
      if (denied) {
        refused++;
        if (k % d.sampleEvery !== 1) continue;
        // A sample of refused scripts, run for real, shows the generator does destroy things.
        sampled++;
        await d.run(script, w, true);
        if ((await d.snapshot(w)) !== clean) destroyedWhenRun++;
        await d.reset(w);
        continue;
      }
      allowed++;
      if (!viaShim) await d.run(script, w, false);
      const after = await d.snapshot(w);
      if (after !== clean) {
        violations.push(`seed ${script.seed}: allowed, and production changed${d.replay(script, after)}`);
        await d.reset(w);
      }
    }
  };
  await Promise.all(Array.from({ length: d.workers }, (_, w) => worker(w)));
  console.log(
    `${d.name}: ${d.scripts} scripts run (first seed ${d.firstSeed}): ${allowed} allowed, ${refused} refused, ${shimChecked} through the shim; ` +
      `${destroyedWhenRun} of ${sampled} sampled refused scripts destroyed data when run; ` +
      (benignScripts > 0 ? `${benignRefused} of ${benignScripts} benign-only scripts refused; ` : '') +
      `violations ${violations.length}`,
  );
  return { violations, destroyedWhenRun };
}

/** Runs the real client (no shim) with the script on stdin, in an empty home, as the shim would run it. */
export function runClient(file: string, args: string[], input: string) {
  return execa(file, args, { input, env: { PATH: systemPath, HOME: emptyHome, LANG: 'C.UTF-8' }, extendEnv: false, reject: false, timeout: 20_000 });
}

/** A snapshot, or what stopped it being taken: a database a script broke still compares unequal. */
export async function snapshotOr(take: () => Promise<string>): Promise<string> {
  try {
    return await take();
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}
