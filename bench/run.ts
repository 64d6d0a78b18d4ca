/**
 * Benchmarks for the engine and kernel primitives (npm run bench; `npm run -s bench -- --json` for
 * machine-readable output, `--quick` for a short smoke run). Not tests: they measure, print a
 * table, and compare with the targets of the Foundation issue:
 *   (a) engine: schedule + pop with a large resident queue, >= 10M events/s;
 *   (b) task resumption through a wait queue (prepare_to_wait / schedule / wake_up), >= 5M/s;
 *   (c) the M/M/1 model on the engine (src/sim/mm1.ts), customers/s;
 *   (d) the same model in SimPy (bench/mm1_simpy.py), measured in the same run: (c) >= 20x (d).
 * Each row is the median of several repetitions after a warm-up. Wall-clock use is allowed here
 * (bench/ is not model code).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { median } from './median.js';
import { Sim } from '../src/sim/engine.js';
import { Prng } from '../src/sim/prng.js';
import { runMm1 } from '../src/sim/mm1.js';
import { Kernel } from '../src/kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../src/kernel/task.js';
import { schedule } from '../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../src/kernel/wait.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
for (const a of args) {
  if (!['--json', '--quick'].includes(a)) {
    process.stderr.write(`bench: unknown argument ${a} (expected --json, --quick)\n`);
    process.exit(1);
  }
}
const scale = quick ? 0.1 : 1;
const REPS = quick ? 1 : 5;
const log = (s: string): void => {
  if (!json) process.stdout.write(`${s}\n`);
  else process.stderr.write(`${s}\n`);
};

interface Row {
  id: string;
  what: string;
  unit: string;
  /** Median rate over repetitions. */
  rate: number;
  /** All repetitions' rates. */
  runs: number[];
  target: string;
  pass: boolean | null;
  /** For the SimPy row: engine M/M/1 rate / SimPy rate, measured in this run. */
  ratio?: number;
  note?: string;
}

/** Runs `once` (which returns [work units, seconds]) once to warm up, then REPS times. */
function measure(once: () => [number, number]): number[] {
  once();
  const rates: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const [n, s] = once();
    rates.push(n / s);
  }
  return rates;
}

/** (a) Hold model: `resident` events in the queue; each dispatched event schedules one more. */
function engineOnce(resident: number, ops: number): [number, number] {
  const sim = new Sim(1024); // grows to the resident size while filling
  const rng = Prng.seeded(1);
  const delays = new Float64Array(1 << 16);
  for (let i = 0; i < delays.length; i++) delays[i] = rng.exponential(1_000_000);
  let d = 0;
  const hold = sim.register('hold', () => {
    sim.after(delays[d++ & 0xffff]!, hold, 0);
  });
  for (let i = 0; i < resident; i++) sim.at(rng.below(resident * 1000), hold, i);
  const t0 = performance.now();
  sim.run({ maxEvents: ops });
  const s = (performance.now() - t0) / 1000;
  if (sim.events !== ops || sim.pending !== resident) throw new Error('engine bench: wrong event count');
  return [ops, s];
}

/** (b) Two kernel tasks ping-pong through two wait queues; counts context switches into tasks. */
function pingPongOnce(rounds: number): [number, number] {
  const k = new Kernel({ hz: 1000, cpus: 1, seed: 1 });
  const q = [new wait_queue_head_t('ping'), new wait_queue_head_t('pong')];
  let turn = 0;
  function* player(me: number): KGen {
    const mine = q[me]!, other = q[1 - me]!;
    for (let r = 0; r < rounds; r++) {
      for (;;) {
        prepare_to_wait(k, mine, TASK_UNINTERRUPTIBLE);
        if (turn === me) break;
        yield* schedule(k);
      }
      finish_wait(k, mine);
      turn = 1 - me;
      wake_up(k, other);
    }
  }
  k.kthread_run('ping', 0, 0, () => player(0));
  k.kthread_run('pong', 0, 0, () => player(1));
  const t0 = performance.now();
  k.sim.run();
  const s = (performance.now() - t0) / 1000;
  if (k.nr_switches < 2 * rounds) throw new Error(`ping-pong bench: only ${k.nr_switches} switches`);
  return [k.nr_switches, s];
}

/** (c) The M/M/1 demo model at rho = 0.8. */
function mm1Once(customers: number): [number, number] {
  const t0 = performance.now();
  const r = runMm1({ seed: 1, meanArrivalNs: 1_000_000, meanServiceNs: 800_000, customers });
  const s = (performance.now() - t0) / 1000;
  if (r.served !== customers) throw new Error('mm1 bench: wrong count');
  return [customers, s];
}

/** Finds a python3 that can import simpy, installing Debian's python3-simpy if needed and possible. */
function findSimpyPython(): { python: string } | { skip: string } {
  // Debian's package installs for /usr/bin/python3; a pyenv python3 on PATH does not see it.
  const candidates = ['/usr/bin/python3', 'python3'];
  const works = (py: string): boolean => spawnSync(py, ['-c', 'import simpy'], { stdio: 'ignore' }).status === 0;
  for (const py of candidates) if (works(py)) return { python: py };
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!hasApt) return { skip: 'simpy is not installed and apt-get is not available' };
  // Debian's python3-simpy is SimPy 2 (`import SimPy`, another API); python3-simpy3 is the
  // `import simpy` API that bench/mm1_simpy.py uses.
  log('bench: installing python3-simpy3 with apt-get (SimPy comparison row)...');
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', 'python3-simpy3'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!install()) return { skip: 'apt-get install -y python3-simpy3 failed' };
  }
  for (const py of candidates) if (works(py)) return { python: py };
  return { skip: 'python3-simpy3 installed but no python3 can import simpy' };
}

function simpyOnce(python: string, customers: number): [number, number, string] {
  const script = fileURLToPath(new URL('../../bench/mm1_simpy.py', import.meta.url));
  const out = execFileSync(python, [script, String(customers)], { encoding: 'utf8' });
  const r = JSON.parse(out) as { customers: number; wall_s: number; simpy: string; python: string };
  return [r.customers, r.wall_s, `SimPy ${r.simpy}, Python ${r.python}`];
}

const rows: Row[] = [];
const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1));

const RESIDENT = Math.round(1_000_000 * scale);
const OPS = Math.round(10_000_000 * scale);
log(`engine: ${RESIDENT} resident events, ${OPS} schedule+pop...`);
{
  const runs = measure(() => engineOnce(RESIDENT, OPS));
  const rate = median(runs);
  rows.push({ id: 'engine', what: `engine schedule+pop, ${fmt(RESIDENT)} resident events`, unit: 'events/s', rate, runs, target: '>= 10M events/s', pass: rate >= 10e6 });
}

const ROUNDS = Math.round(2_500_000 * scale);
log(`wait queue: 2 tasks, ${ROUNDS} rounds each...`);
{
  const runs = measure(() => pingPongOnce(ROUNDS));
  const rate = median(runs);
  rows.push({ id: 'waitqueue', what: 'task resumptions via wait queue (2-task ping-pong)', unit: 'resumes/s', rate, runs, target: '>= 5M resumes/s', pass: rate >= 5e6 });
}

const CUSTOMERS = Math.round(2_000_000 * scale);
log(`M/M/1 on the engine: ${CUSTOMERS} customers...`);
const mm1Runs = measure(() => mm1Once(CUSTOMERS));
const mm1Rate = median(mm1Runs);
rows.push({ id: 'mm1', what: 'M/M/1 (rho 0.8) on the engine', unit: 'customers/s', rate: mm1Rate, runs: mm1Runs, target: '', pass: null });

const SIMPY_CUSTOMERS = Math.round(200_000 * scale);
const py = findSimpyPython();
if ('skip' in py) {
  log(`SimPy row skipped: ${py.skip}`);
  rows.push({ id: 'simpy', what: 'M/M/1 (rho 0.8) in SimPy', unit: 'customers/s', rate: NaN, runs: [], target: 'engine >= 20x SimPy', pass: null, note: `skipped: ${py.skip}` });
} else {
  log(`M/M/1 in SimPy (${py.python}): ${SIMPY_CUSTOMERS} customers...`);
  let note = '';
  const runs: number[] = [];
  simpyOnce(py.python, Math.round(SIMPY_CUSTOMERS / 10)); // warm-up (imports, disk cache)
  for (let i = 0; i < Math.min(REPS, 3); i++) {
    const [n, s, v] = simpyOnce(py.python, SIMPY_CUSTOMERS);
    runs.push(n / s);
    note = v;
  }
  const rate = median(runs);
  const ratio = mm1Rate / rate;
  rows.push({ id: 'simpy', what: 'M/M/1 (rho 0.8) in SimPy', unit: 'customers/s', rate, runs, target: 'engine >= 20x SimPy', pass: ratio >= 20, ratio, note: `${note}; engine/SimPy = ${ratio.toFixed(1)}x` });
}

const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version };
if (json) {
  process.stdout.write(`${JSON.stringify({ machine, quick, reps: REPS, rows }, null, 2)}\n`);
} else {
  const header = ['benchmark', 'rate', 'unit', 'target', 'result'];
  const body = rows.map((r) => [
    r.what,
    Number.isNaN(r.rate) ? '-' : fmt(r.rate),
    r.unit,
    r.target || '-',
    r.pass === null ? (r.note ?? '-') : `${r.pass ? 'PASS' : 'MISS'}${r.note ? ` (${r.note})` : ''}`,
  ]);
  log('');
  log(`machine: ${machine.cpus} CPUs, ${machine.model}, node ${machine.node}; median of ${REPS} run(s) after a warm-up${quick ? ' (--quick)' : ''}`);
  log(`| ${header.join(' | ')} |`);
  log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const b of body) log(`| ${b.join(' | ')} |`);
}
