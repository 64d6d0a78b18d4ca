/**
 * `reclaimsim shrink <id>`: the smallest scenario (fewer copies, less RAM, fewer CPUs, a shorter
 * workload, fewer perturbations) that still gives a stored run's verdict and stall kind, as a
 * scenario YAML file with its seed, ready for a bug report. With --candidate, another kernel (the
 * fix) must keep its own verdict on every accepted candidate too.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_DB, ResultStore, runOnce, shrinkScenario, shrinkYaml } from '../../explore/index.js';
import { paramsOfState, type ShrinkOutcome, type ShrinkPartner, type ShrinkState } from '../../explore/shrink.js';
import { parseSide, sideLabel, type Side } from '../../explore/compare.js';
import { resolveScenario, scenarioToYaml, type ResolvedScenario } from '../../scenario/load.js';
import { ScenarioError } from '../../scenario/errors.js';
import { STALL_KINDS, verdictLabel, type StallKind, type Verdict } from '../../scenario/result.js';
import { parseChoiceFlag, parseIntFlag } from '../args.js';
import { UsageError } from '../exit.js';
import { err, out, writeFileAtomic } from '../io.js';
import { shellQuote } from '../../explore/sweep.js';
import { usage } from './sweep.js';

const VERDICTS = ['LIVELOCK', 'DEADLOCK', 'COMPLETED', 'LIMIT'] as const;

interface ShrinkOpts {
  db: string;
  budget: number;
  verdict?: Verdict;
  stall?: StallKind | 'any';
  candidate?: string;
  out?: string;
}

/** The kernel's --set values, as a command line and the scenario layer take them. */
function kernelSets(k: Side): string[] {
  return [`profile=${k.profile}`, `variants=[${k.variants.join(',')}]`];
}

/** `state` with another kernel, through the scenario layer (undefined if it refuses the pair). */
function withKernel(state: ShrinkState, k: Side): ShrinkState | undefined {
  try {
    return { scenario: resolveScenario({ text: scenarioToYaml(state.scenario), name: state.scenario.name, sets: kernelSets(k) }), salt: state.salt };
  } catch (e) {
    if (e instanceof ScenarioError) return undefined;
    throw e;
  }
}

/** `--candidate K` for the run `id`: the kernel, and the start scenario with it. */
function candidateOf(arg: string, start: ShrinkState, id: string): { side: Side; start: ShrinkState } {
  const side = usage(() => parseSide(arg, '--candidate'));
  if (sideLabel(side) === sideLabel({ profile: start.scenario.profile, variants: [...start.scenario.variants].sort() })) {
    throw new UsageError(`--candidate ${arg}: run #${id} already runs this kernel; name the other one (such as the fix)`);
  }
  const withIt = withKernel(start, side);
  if (withIt === undefined) throw new UsageError(`--candidate ${arg}: the scenario of run #${id} does not take this kernel; choose another`);
  return { side, start: withIt };
}

export function register(program: Command): void {
  program
    .command('shrink')
    .description('search for the smallest scenario that still shows a stored run\'s verdict and stall kind; print it as scenario YAML')
    .argument('<id>', 'run id from `reclaimsim sweep` or `reclaimsim results --list`')
    .option('--db <file>', 'results store', DEFAULT_DB)
    .option('--budget <n>', 'at most this many runs', parseIntFlag('--budget', 1, 100_000), 40)
    .option('--verdict <v>', `the verdict to keep (default: the stored run's): ${VERDICTS.join(', ')}`, parseChoiceFlag('--verdict', VERDICTS))
    .option('--stall <kind>', `the stall kind to keep, or any (default: the run's, as it reruns): ${STALL_KINDS.join(', ')}`, parseChoiceFlag('--stall', [...STALL_KINDS, 'any'] as const))
    .option('--candidate <kernel>', 'also keep what this kernel (profile[+variant,...], such as 2.6.25) gives on the same scenario and seed, typically the fix completing: the file then shows the bug and its fix')
    .option('--out <file>', 'write the scenario YAML to this file (atomically) instead of stdout')
    .action((arg: string, o: ShrinkOpts) => {
      if (o.out !== undefined && resolve(o.out) === resolve(o.db)) throw new UsageError(`--out ${o.out}: that is the store itself (--db); give the shrunk scenario another file`);
      if (!/^\d+$/.test(arg)) throw new UsageError(`shrink ${arg.slice(0, 40)}: expected a run id (a number); list runs with reclaimsim results${o.db !== DEFAULT_DB ? ` --db ${shellQuote(o.db)}` : ''} --list`);
      const store = usage(() => ResultStore.open(o.db, { mustExist: true }));
      const rec = store.get(Number(arg));
      store.close();
      if (!rec) throw new UsageError(`shrink ${arg}: no run #${arg} in ${o.db}; list runs with reclaimsim results --db ${o.db} --list`);
      const target: Verdict = o.verdict ?? rec.verdict;
      // The salt lives in the state, not in its scenario (records made before scenario files had
      // sched_salt have none in their scenario JSON).
      const start: ShrinkState = { scenario: { ...(JSON.parse(rec.scenario_json) as ResolvedScenario), sched_salt: 0 }, salt: rec.sched_salt ?? 0 };
      // A bad --candidate is an error before any run.
      const candidate = o.candidate === undefined ? undefined : candidateOf(o.candidate, start, arg);
      // The start must reproduce the target before anything is shrunk.
      const first = runOnce(paramsOfState(start));
      if (first.verdict !== target) throw new UsageError(`shrink ${arg}: run #${arg} gives ${first.verdict}, not ${target}; choose --verdict ${first.verdict} or another run`);
      // Keep the stall kind too, unless told otherwise: the same verdict can come from another cause.
      const stall: StallKind | undefined = o.stall === 'any' ? undefined : (o.stall ?? first.stall ?? undefined);
      if (stall !== undefined && first.stall !== stall) throw new UsageError(`shrink ${arg}: run #${arg} stalls as ${first.stall ?? 'nothing (no stall)'}, not ${stall}; choose --stall ${first.stall ?? 'any'} or another run`);
      // The candidate kernel's verdict on the start is the one to keep.
      let cand: { side: Side; partner: ShrinkPartner } | undefined;
      if (candidate !== undefined) {
        const { side } = candidate;
        const pr = runOnce(paramsOfState(candidate.start));
        cand = { side, partner: { kernel: (s) => withKernel(s, side), verdict: pr.verdict, stall: pr.stall ?? null } };
      }
      const startRuns = cand ? 2 : 1;
      err(`reclaimsim shrink: run #${rec.id}: ${verdictLabel(target, stall)}${cand ? `, and ${verdictLabel(cand.partner.verdict, cand.partner.stall ?? undefined)} with ${sideLabel(cand.side)}` : ''}, budget ${o.budget} runs`);
      const res = shrinkScenario(start, {
        target,
        ...(stall !== undefined ? { stall } : {}),
        ...(cand !== undefined ? { partner: cand.partner } : {}),
        // The start's runs (one per kernel) count against the budget.
        budget: Math.max(0, o.budget - startRuns),
        run: (p) => runOnce(p),
        onStep: (s, n) => err(`  ${s.path}: ${s.from} -> ${s.to} (after ${n + startRuns} runs)`),
      });
      res.runs += startRuns;
      // The file's own name where --out gives it; printed to stdout, the user names it.
      const self = o.out !== undefined ? shellQuote(o.out) : 'THIS_FILE.yaml';
      const yaml = shrinkYaml(res, [
        `shrunk by reclaimsim shrink ${rec.id}${cand ? ` --candidate ${sideLabel(cand.side)}` : ''} from run #${rec.id} (${rec.source}${rec.sets.map((x) => ` --set ${x}`).join('')}, seed ${rec.seed}${rec.sched_salt !== null ? `, sched_salt ${rec.sched_salt}` : ''})`,
        `model ${rec.model_version}${res.budgetExhausted ? '; the run budget ran out: a larger --budget may shrink further' : ''}`,
        `reproduce: reclaimsim run ${self}`,
        ...(cand
          ? [`with ${sideLabel(cand.side)}: ${verdictLabel(cand.partner.verdict, cand.partner.stall ?? undefined)}: reclaimsim run ${self} ${kernelSets(cand.side).map((x) => `--set '${x}'`).join(' ')}`]
          : []),
      ], shrunkDescription(rec.id, rec.source, res));
      if (o.out !== undefined) {
        writeFileAtomic(o.out, yaml, '--out');
        err(`wrote ${o.out}`);
      } else out(yaml);
    });
}

/**
 * The shrunk file's description: the input's described the machine before shrinking (its copies,
 * RAM, ...), so it would now mislead. At most 200 characters, as the schema allows.
 */
function shrunkDescription(id: number, source: string, res: ShrinkOutcome): string {
  const d = `shrunk by reclaimsim shrink from run #${id} (${source}): ${verdictLabel(res.verdict, res.stall)}${res.steps.length ? `, smaller in ${new Set(res.steps.map((s) => s.path)).size} dimension(s) (the header lists them)` : ''}`;
  return d.length <= 200 ? d : `${d.slice(0, 197)}...`;
}
