/**
 * `reclaimsim results`: queries and summarises the results store; exports records as NDJSON or CSV.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_DB, formatSummary, replayCommandLine, ResultStore, summarize, type RunRecord } from '../../explore/index.js';
import { failureLine, rerunCommandLine } from '../../explore/sweep.js';
import type { StoredFailure } from '../../explore/store.js';
import { parseParamFilter } from '../../explore/filter.js';
import { RECORD_COLUMNS, type RecordFilter } from '../../explore/store.js';
import { PROFILES, VARIANTS } from '../../scenario/schema.js';
import { STALL_KINDS, verdictLabel } from '../../scenario/result.js';
import { collect } from '../scenario-source.js';
import { parseChoiceFlag } from '../args.js';
import { EXIT_LIVENESS, ExitRequest, UsageError } from '../exit.js';
import { compareRuns, formatComparison, parseSide, sideLabel } from '../../explore/compare.js';
import { out, write, writeFileAtomic } from '../io.js';
import { scenarioLabel } from '../../explore/stats.js';
import { usage } from './sweep.js';

const VERDICTS = ['LIVELOCK', 'DEADLOCK', 'COMPLETED', 'LIMIT'] as const;

function exportValue(r: RunRecord, k: keyof RunRecord): unknown {
  return r[k];
}

export function toNdjson(records: readonly RunRecord[]): string {
  return records.map((r) => JSON.stringify(Object.fromEntries(RECORD_COLUMNS.map((k) => [k, exportValue(r, k)])))).join('\n') + (records.length ? '\n' : '');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records: readonly RunRecord[]): string {
  const head = RECORD_COLUMNS.join(',');
  return [head, ...records.map((r) => RECORD_COLUMNS.map((k) => csvCell(exportValue(r, k))).join(','))].join('\n') + '\n';
}

interface ResultsOpts {
  db: string;
  verdict?: string;
  stall?: string;
  variant?: string;
  profile?: string;
  param: string[];
  export?: 'ndjson' | 'csv';
  out?: string;
  json?: boolean;
  list?: boolean;
  failures?: boolean;
  baseline?: string;
  candidate?: string;
}

/** Flags that pick runs by verdict or kernel, which a paired comparison cannot take. */
const NOT_WITH_COMPARE: [keyof ResultsOpts, string][] = [
  ['verdict', '--verdict'],
  ['stall', '--stall'],
  ['variant', '--variant'],
  ['profile', '--profile'],
  ['export', '--export'],
  ['list', '--list'],
  ['failures', '--failures'],
];

/**
 * `--baseline A --candidate B`: pairs the two kernels' runs (same scenario, seed and model) and
 * prints what changed; exit 5 when the candidate stalled in any pair.
 */
function compareCommand(o: ResultsOpts, filter: RecordFilter): void {
  if (o.baseline === undefined || o.candidate === undefined) {
    throw new UsageError(`${o.baseline === undefined ? '--baseline' : '--candidate'}: missing; a comparison needs both --baseline and --candidate (kernel[+variants], such as 2.6.25-rc8 and 2.6.25)`);
  }
  for (const [k, flag] of NOT_WITH_COMPARE) {
    if (o[k] !== undefined && o[k] !== false) throw new UsageError(`${flag}: not with --baseline/--candidate, which pair every run of the two kernels (narrow the runs with --param)`);
  }
  const baseline = usage(() => parseSide(o.baseline!, '--baseline'));
  const candidate = usage(() => parseSide(o.candidate!, '--candidate'));
  const store = usage(() => ResultStore.open(o.db, { mustExist: true }));
  let records: RunRecord[];
  try {
    records = store.query(filter);
  } finally {
    store.close();
  }
  const c = usage(() => compareRuns(records, baseline, candidate));
  if (c.pairs === 0) {
    throw new UsageError(
      `--baseline ${sideLabel(baseline)} --candidate ${sideLabel(candidate)}: no pairs in ${o.db} (${c.unpaired.baseline} and ${c.unpaired.candidate} run(s)); ` +
        'pair runs by sweeping the same seeds with each kernel, such as --grid profile=2.6.25-rc8,2.6.25, or two --swarm sweeps with --set profile=...',
    );
  }
  const replay = (id: number): string => replayCommandLine(id, o.db, DEFAULT_DB);
  if (o.json) {
    const withReplay = (refs: typeof c.still) => refs.map((p) => ({ ...p, replay: replay(p.candidate_id) }));
    out(JSON.stringify({ db: o.db, ...c, still: withReplay(c.still), new: withReplay(c.new) }, null, 2));
  } else {
    out(`reclaimsim results: ${o.db}, ${c.baseline} (baseline) against ${c.candidate} (candidate): ${c.pairs} pair(s) of runs with the same scenario, seed and model`);
    out('');
    out(formatComparison(c, replay));
  }
  if (c.still_stalled + c.new_stalls > 0) throw new ExitRequest(EXIT_LIVENESS);
}


export function register(program: Command): void {
  program
    .command('results')
    .description('query and summarise the results store of `reclaimsim sweep`; export records as NDJSON or CSV')
    .option('--db <file>', 'results store', DEFAULT_DB)
    .option('--verdict <v>', `only runs with this verdict: ${VERDICTS.join(', ')}`, parseChoiceFlag('--verdict', VERDICTS))
    .option('--stall <kind>', `only LIVELOCK/DEADLOCK runs that stalled this way: ${STALL_KINDS.join(', ')}`, parseChoiceFlag('--stall', STALL_KINDS))
    .option('--variant <v>', `only runs with this variant (${VARIANTS.join(', ')}), or none`, parseChoiceFlag('--variant', [...VARIANTS, 'none']))
    .option('--profile <p>', `only runs of this kernel profile: ${PROFILES.join(', ')}`, parseChoiceFlag('--profile', PROFILES))
    .option('--param <path=value>', 'only runs whose scenario has this value, e.g. machine.ram=256MiB (repeatable)', collect, [])
    .option('--export <format>', 'print the matching records as ndjson or csv instead of the summary', parseChoiceFlag('--export', ['ndjson', 'csv'] as const))
    .option('--out <file>', 'with --export: write to this file (atomically) instead of stdout')
    .option('--list', 'list matching runs (id, verdict and stall kind, seed, cell) after the summary')
    .option('--failures', 'list the runs the simulator could not finish (broken invariant, assertion, crash) with their rerun commands')
    .option('--baseline <kernel>', 'compare run by run: the kernel the fix is for, as profile[+variant,...] (such as 2.6.25-rc8); with --candidate')
    .option('--candidate <kernel>', 'the kernel with the fix (such as 2.6.25, or 2.6.25-rc8+noop-ctor): its runs are paired with the baseline\'s of the same scenario and seed; exit 5 if it stalled in any pair')
    .option('--json', 'print the summary as JSON')
    .action((o: ResultsOpts) => {
      if (o.out !== undefined && o.export === undefined) throw new UsageError('--out: only with --export ndjson or --export csv');
      const params = usage(() => o.param.map((p) => parseParamFilter(p)));
      if (o.baseline !== undefined || o.candidate !== undefined) {
        compareCommand(o, { params });
        return;
      }
      const filter: RecordFilter = usage(() => ({
        ...(o.verdict !== undefined ? { verdict: o.verdict } : {}),
        ...(o.stall !== undefined ? { stall: o.stall } : {}),
        ...(o.variant !== undefined ? { variant: o.variant } : {}),
        ...(o.profile !== undefined ? { profile: o.profile } : {}),
        params,
      }));
      if (o.export !== undefined && o.out !== undefined && resolve(o.out) === resolve(o.db)) throw new UsageError(`--out ${o.out}: that is the store itself (--db); give the export another file`);
      const store = usage(() => ResultStore.open(o.db, { mustExist: true }));
      let records: RunRecord[];
      let failures: StoredFailure[];
      try {
        records = usage(() => store.query(filter));
        failures = usage(() => store.failures());
      } finally {
        store.close();
      }
      if (o.export !== undefined) {
        const text = o.export === 'ndjson' ? toNdjson(records) : toCsv(records);
        if (o.out !== undefined) writeFileAtomic(o.out, text, '--out');
        else write(process.stdout, text);
        return;
      }
      const groups = summarize(records);
      if (o.json) {
        out(JSON.stringify({ db: o.db, records: records.length, groups, failures: failures.map((f) => ({ ...f, run: rerunCommandLine(f) })) }, null, 2));
        return;
      }
      out(`reclaimsim results: ${o.db}, ${records.length} matching run(s)`);
      // Failed runs have no record to filter: they are reported whatever the filters.
      if (failures.length > 0) out(`SIMULATOR ERRORS: ${failures.length} run(s) in the store could not finish${o.failures ? ':' : ' (--failures lists them with their rerun commands)'}`);
      else if (o.failures) out('SIMULATOR ERRORS: none (every run in the store finished)');
      if (o.failures) for (const f of failures) out(`  model ${f.model_version}, ${failureLine(f, f)}`);
      if (records.length === 0) return;
      out('');
      out(formatSummary(groups));
      const findings = records.filter((r) => r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK');
      const mismatches = records.filter((r) => r.determinism === 'mismatch');
      out('');
      out(`findings: ${findings.length}${findings.length ? ` (first: ${replayCommandLine(findings[0]!.id, o.db, DEFAULT_DB)})` : ''}; determinism mismatches: ${mismatches.length}`);
      if (o.list) {
        out('');
        // The scenario of each run when the listed runs are of more than one (several sweeps in one store).
        const several = new Set(records.map((r) => scenarioLabel(r))).size > 1;
        for (const r of records) out(`#${r.id}  ${verdictLabel(r.verdict, r.stall).padEnd(9)}  ${several ? `${scenarioLabel(r)}  ` : ''}${sideLabel(r)}  seed ${r.seed}${r.sched_salt !== null ? ` salt ${r.sched_salt}` : ''}  ${r.cell_label}  ${r.trace_hash}`);
      }
    });
}
