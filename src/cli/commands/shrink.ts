/**
 * `reclaimsim shrink <id>`: the smallest scenario (fewer copies, less RAM, fewer CPUs, a shorter
 * workload, fewer perturbations) that still gives a stored run's verdict and stall kind, as a
 * scenario YAML file with its seed, ready for a bug report. With --candidate, another kernel (the
 * fix) must keep its own verdict on every accepted candidate too.
 */
import type { Command } from 'commander';
import { DEFAULT_DB, ResultStore, runOnce, shrinkScenario, shrinkYaml } from '../../explore/index.js';
import { paramsOfState, type ShrinkPartner, type ShrinkState } from '../../explore/shrink.js';
import { parseSide, sideLabel, type Side } from '../../explore/compare.js';
import { resolveScenario, scenarioToYaml, type ResolvedScenario } from '../../scenario/load.js';
import { ScenarioError } from '../../scenario/errors.js';
import { STALL_KINDS, verdictLabel, type StallKind, type Verdict } from '../../scenario/result.js';
import { parseChoiceFlag, parseIntFlag } from '../args.js';
import { UsageError } from '../exit.js';
import { err, out, writeFileAtomic } from '../io.js';
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
      if (!/^\d+$/.test(arg)) throw new UsageError(`shrink ${arg.slice(0, 40)}: expected a run id (a number); list runs with reclaimsim results --list`);
      const store = usage(() => ResultStore.open(o.db, { mustExist: true }));
      const rec = store.get(Number(arg));
      store.close();
      if (!rec) throw new UsageError(`shrink ${arg}: no run #${arg} in ${o.db}; list runs with reclaimsim results --db ${o.db} --list`);
      const target: Verdict = o.verdict ?? rec.verdict;
      // The salt lives in the state, not in its scenario (records made before scenario files had
      // sched_salt have none in their scenario JSON).
      const start: ShrinkState = { scenario: { ...(JSON.parse(rec.scenario_json) as ResolvedScenario), sched_salt: 0 }, salt: rec.sched_salt ?? 0 };
      // The start must reproduce the target before anything is shrunk.
      const first = runOnce(paramsOfState(start));
      if (first.verdict !== target) throw new UsageError(`shrink ${arg}: run #${arg} gives ${first.verdict}, not ${target}; choose --verdict ${first.verdict} or another run`);
      // Keep the stall kind too, unless told otherwise: the same verdict can come from another cause.
      const stall: StallKind | undefined = o.stall === 'any' ? undefined : (o.stall ?? first.stall ?? undefined);
      if (stall !== undefined && first.stall !== stall) throw new UsageError(`shrink ${arg}: run #${arg} stalls as ${first.stall ?? 'nothing (no stall)'}, not ${stall}; choose --stall ${first.stall ?? 'any'} or another run`);
      let partner: ShrinkPartner | undefined;
      let candidate: Side | undefined;
      if (o.candidate !== undefined) {
        const k = usage(() => parseSide(o.candidate!, '--candidate'));
        candidate = k;
        const ks = withKernel(start, k);
        if (ks === undefined) throw new UsageError(`--candidate ${o.candidate}: the scenario of run #${arg} does not take this kernel; choose another`);
        if (sideLabel(k) === sideLabel({ profile: start.scenario.profile, variants: [...start.scenario.variants].sort() })) throw new UsageError(`--candidate ${o.candidate}: run #${arg} already runs this kernel; name the other one (such as the fix)`);
        const pr = runOnce(paramsOfState(ks));
        partner = { kernel: (s) => withKernel(s, k), verdict: pr.verdict, stall: pr.stall ?? null };
      }
      err(`reclaimsim shrink: run #${rec.id}: ${verdictLabel(target, stall)}${candidate && partner ? `, and ${verdictLabel(partner.verdict, partner.stall ?? undefined)} with ${sideLabel(candidate)}` : ''}, budget ${o.budget} runs`);
      const res = shrinkScenario(start, {
        target,
        ...(stall !== undefined ? { stall } : {}),
        ...(partner !== undefined ? { partner } : {}),
        budget: Math.max(0, o.budget - 1),
        run: (p) => runOnce(p),
        onStep: (s, n) => err(`  ${s.path}: ${s.from} -> ${s.to} (after ${n} runs)`),
      });
      res.runs += partner ? 2 : 1;
      const yaml = shrinkYaml(res, [
        `shrunk by reclaimsim shrink ${rec.id}${candidate ? ` --candidate ${sideLabel(candidate)}` : ''} from run #${rec.id} (${rec.source}${rec.sets.map((x) => ` --set ${x}`).join('')}, seed ${rec.seed})`,
        `model ${rec.model_version}${res.budgetExhausted ? '; the run budget ran out: a larger --budget may shrink further' : ''}`,
        `reproduce: reclaimsim run THIS_FILE.yaml`,
        ...(candidate && partner
          ? [`with ${sideLabel(candidate)}: ${verdictLabel(partner.verdict, partner.stall ?? undefined)}: reclaimsim run THIS_FILE.yaml ${kernelSets(candidate).map((x) => `--set '${x}'`).join(' ')}`]
          : []),
      ]);
      if (o.out !== undefined) {
        writeFileAtomic(o.out, yaml);
        err(`wrote ${o.out}`);
      } else out(yaml);
    });
}
