/**
 * `reclaimsim replay <id>`: re-runs a stored run and checks that it reproduces byte for byte (trace
 * hash and full result JSON); `reclaimsim replay <scenario> --set ... --seed N [--sched-salt S]`
 * runs the explicit form. Prints the equivalent `reclaimsim run ...` command line, to which the
 * observability options (reports, dmesg, traces) apply.
 */
import type { Command } from 'commander';
import { DEFAULT_DB, ResultStore, runCommandLine, runOnce, type ExploreParams } from '../../explore/index.js';
import { firstDifference, replayRecord } from '../../explore/replay.js';
import { modelVersion } from '../../explore/version.js';
import { paramsFromScenario } from '../../scenario/params.js';
import { verdictLabel } from '../../scenario/result.js';
import { formatTimeline } from '../../scenario/timeline.js';
import { squeezeSection } from '../../scenario/squeezes.js';
import { addForceOption, addSetOption, checkHostMemory, loadScenarioArg } from '../scenario-source.js';
import type { ResolvedScenario } from '../../scenario/load.js';
import { parseIntFlag } from '../args.js';
import { EXIT_ASSERTION, EXIT_USAGE, ExitRequest, UsageError } from '../exit.js';
import { out, write } from '../io.js';
import { usage } from './sweep.js';

interface ReplayOpts {
  db: string;
  set: string[];
  seed?: number;
  schedSalt?: number;
  json?: boolean;
  force?: boolean;
}

export function register(program: Command): void {
  addForceOption(addSetOption(
    program
      .command('replay')
      .description('re-run a stored run by id (or a scenario with --set/--seed) and check it reproduces byte for byte')
      .argument('<id|scenario>', 'run id from `reclaimsim sweep`/`results`, or a scenario file or bundled name')
      .option('--db <file>', 'results store (with an id)', DEFAULT_DB)
      .option('--seed <n>', 'with a scenario: the seed', parseIntFlag('--seed', 0, Number.MAX_SAFE_INTEGER))
      .option('--sched-salt <n>', 'with a scenario: the scheduler salt of a swarm run, instead of the scenario\'s sched_salt (0: none)', parseIntFlag('--sched-salt', 0, 2 ** 32 - 1))
      .option('--json', 'print the replayed result as JSON'),
  )).action((arg: string, o: ReplayOpts) => {
    if (/^\d+$/.test(arg)) {
      if (o.set.length > 0 || o.seed !== undefined || o.schedSalt !== undefined) {
        const given = [o.set.length > 0 ? '--set' : '', o.seed !== undefined ? '--seed' : '', o.schedSalt !== undefined ? '--sched-salt' : ''].filter((x) => x !== '');
        throw new UsageError(`${given.join(', ')}: not with a run id (the stored run fixes ${given.length > 1 ? 'them' : 'it'}); give a scenario instead of an id, such as reclaimsim replay flagship ${given.includes('--seed') ? `--seed ${o.seed}` : '--seed N'}`);
      }
      const id = Number(arg);
      const store = usage(() => ResultStore.open(o.db, { mustExist: true }));
      const rec = store.get(id);
      store.close();
      if (!rec) throw new UsageError(`replay ${arg}: no run #${arg} in ${o.db}; list runs with reclaimsim results --db ${o.db} --list`);
      checkHostMemory(JSON.parse(rec.scenario_json) as ResolvedScenario, o.force === true);
      const r = replayRecord(rec);
      if (o.json) out(r.json);
      else {
        out(`reclaimsim replay: run #${rec.id} (${rec.profile}${rec.variants.length ? `+${rec.variants.join(',')}` : ''}, seed ${rec.seed}${rec.sched_salt !== null ? `, sched_salt ${rec.sched_salt}` : ''}${rec.cell_label ? `, ${rec.cell_label}` : ''}), stored ${rec.verdict}`);
        out(`verdict: ${verdictLabel(r.result.verdict, r.result.stall)}; reason: ${r.result.reason}`);
        out('timeline:');
        for (const l of formatTimeline(r.result.timeline ?? [])) out(l);
        for (const l of squeezeSection(r.result)) out(l);
        out(`trace hash: stored ${rec.trace_hash}, replayed ${r.result.trace_hash}: ${r.traceHashMatches ? 'match' : 'MISMATCH'}`);
        out(`result JSON (${r.json.length} bytes): ${r.jsonMatches ? 'identical' : `DIFFERS (${firstDifference(rec.result_json, r.json)})`}`);
        out(`full outputs (reports, dmesg, traces): ${runCommandLine(rec)} [observability options]`);
      }
      if (!r.traceHashMatches || !r.jsonMatches) {
        // Another model version may give another result by design (src/explore/version.ts): that is
        // not a simulator bug, and says so. The same version must reproduce byte for byte.
        const mv = modelVersion();
        if (rec.model_version !== mv) {
          write(process.stderr, `reclaimsim: replay ${arg}: run #${rec.id} was stored by model ${rec.model_version}, this reclaimsim is model ${mv}, whose results may differ by design; replay it with the build that stored it, or sweep again to store this model's results\n`);
          throw new ExitRequest(EXIT_USAGE);
        }
        write(process.stderr, `reclaimsim: SIMULATOR BUG: run #${rec.id} did not reproduce (model ${rec.model_version}, the same as this reclaimsim's)\n`);
        throw new ExitRequest(EXIT_ASSERTION);
      }
      return;
    }
    const s = loadScenarioArg(arg, o.set);
    checkHostMemory(s, o.force === true);
    const p: ExploreParams = { ...paramsFromScenario(s), seed: o.seed ?? s.seed };
    if (o.schedSalt !== undefined) {
      if (o.schedSalt !== 0) p.sched_salt = o.schedSalt;
      else delete p.sched_salt;
    }
    const result = runOnce(p);
    if (o.json) out(JSON.stringify(result));
    else {
      out(`verdict: ${verdictLabel(result.verdict, result.stall)}; reason: ${result.reason}`);
      out('timeline:');
      for (const l of formatTimeline(result.timeline)) out(l);
      for (const l of squeezeSection(result)) out(l);
      out(`trace hash: ${result.trace_hash}`);
      out(`full outputs: ${runCommandLine({ source: arg, sets: o.set, seed: p.seed, sched_salt: p.sched_salt ?? null })} [observability options]`);
    }
  });
}
