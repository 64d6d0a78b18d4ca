import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, type CpuSharing } from '../../src/kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen, type Task } from '../../src/kernel/task.js';
import { run_for_ns, schedule_timeout } from '../../src/kernel/sched.js';

/** One step of a task's program. */
type Step =
  | { op: 'run'; ns: number }
  | { op: 'sleep'; jiffies: number }
  | { op: 'wake'; target: number }
  | { op: 'softirq'; cpu: number; ns: number };

interface World {
  cpus: number;
  programs: { cpu: number; steps: Step[] }[];
}

/** Runs the programs and returns everything observable: the action log and the counters. */
function play(w: World, sharing: CpuSharing, inline: boolean, seed: number): { log: string[]; events: number; switches: number; nvcsw: number[]; now: number; inlined: number } {
  const k = new Kernel({ hz: 1000, cpus: w.cpus, seed, cpu_sharing: sharing, inline_runs: inline });
  const log: string[] = [];
  const tasks: Task[] = [];
  w.programs.forEach((prog, ti) => {
    tasks.push(
      k.kthread_run(`t${ti}`, prog.cpu % w.cpus, 0, function* (): KGen {
        for (const [si, s] of prog.steps.entries()) {
          log.push(`${k.now} t${ti}.${si} ${s.op}`);
          if (s.op === 'run') yield* run_for_ns(k, s.ns);
          else if (s.op === 'sleep') {
            k.current.state = TASK_UNINTERRUPTIBLE;
            yield* schedule_timeout(k, s.jiffies);
          } else if (s.op === 'wake') {
            const target = tasks[s.target % tasks.length];
            if (target !== undefined) k.wake_up_process(target);
          } else k.softirq_charge(s.cpu % w.cpus, s.ns);
        }
        log.push(`${k.now} t${ti} done`);
      }),
    );
  });
  k.sim.run();
  return { log, events: k.sim.events, switches: k.nr_switches, nvcsw: tasks.map((t) => t.nvcsw), now: k.now, inlined: k.nr_inline_runs };
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('run' as const), ns: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3_000_000 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sleep' as const), jiffies: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wake' as const), target: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('softirq' as const), cpu: fc.nat(3), ns: fc.integer({ min: 1, max: 200_000 }) }) },
);
const world: fc.Arbitrary<World> = fc.record({
  cpus: fc.integer({ min: 1, max: 3 }),
  programs: fc.array(fc.record({ cpu: fc.nat(3), steps: fc.array(step, { minLength: 1, maxLength: 40 }) }), { minLength: 1, maxLength: 6 }),
});

for (const sharing of ['overlap', 'fifo', 'slice'] as const) {
  test(`runInline (${sharing}): skipping resume events changes nothing: same actions at the same times, same event and switch counts (property)`, () => {
    let inlined = 0;
    fc.assert(
      fc.property(world, fc.nat(1000), (w, seed) => {
        const { inlined: none, ...withEvents } = play(w, sharing, false, seed);
        const { inlined: some, ...inline } = play(w, sharing, true, seed);
        assert.equal(none, 0);
        inlined += some;
        assert.deepEqual(inline, withEvents);
        return true;
      }),
      { numRuns: 150, seed: 20261202 },
    );
    assert.ok(inlined > 100, `the property exercised the inline path (${inlined} inline charges)`);
    // One task alone has nothing to interleave with: every charge runs inline.
    const k = new Kernel({ hz: 1000, cpus: 1, seed: 1, cpu_sharing: sharing });
    k.kthread_run('alone', 0, 0, function* (): KGen {
      for (let i = 0; i < 10; i++) yield* run_for_ns(k, 1000);
    });
    k.sim.run();
    assert.equal(k.now, 10_000);
    assert.equal(k.nr_inline_runs, 10);
  });
}
