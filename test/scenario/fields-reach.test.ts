import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIO_FIELDS, type SectionDesc } from '../../src/scenario/schema.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';
import { paramsFromScenario } from '../../src/scenario/params.js';

/**
 * For every scenario field, a value other than the flagship's. Setting it must change the run
 * parameters the model receives, unless the field is listed in NOT_IN_PARAMS with where it is used
 * instead. A field the schema accepts but nothing reads (as `device.elevator` was before
 * MODEL_VERSION 12) fails here; so does a new field without an entry.
 */
const OTHER_VALUE: Record<string, string> = {
  name: 'other',
  description: 'other',
  profile: '2.6.25',
  variants: 'noop-ctor',
  seed: '2',
  sched_salt: '5',
  'machine.ram': '3GiB',
  'machine.cpus': '4',
  'machine.hz': '250',
  'machine.cache_line': '128',
  'machine.timer_stats': 'true',
  'machine.cpu_sharing': 'fifo',
  'machine.completion_cost.request': '6us',
  'machine.completion_cost.per_bio': '600ns',
  'machine.completion_cost.end_bios': 'one_by_one',
  'machine.failure_report_cost': '7ms',
  'machine.vmstat': 'per_cpu',
  'machine.reclaim_cost.per_page': '200ns',
  'machine.reclaim_cost.charge': 'page',
  'device.can_queue': '16',
  'device.queue_depth': '16',
  'device.sg_tablesize': '64',
  'device.max_sectors': '512',
  'device.elevator': 'deadline',
  'device.unchecked_isa_dma': 'true',
  'device.service.seek': '5ms',
  'device.service.seek_jitter': '1ms',
  'device.service.transfer_rate': '80MiB/s',
  'device.service.per_command_overhead': '50us',
  'swap.size': '4GiB',
  'swap.priority': '5',
  'workload.copies': '3',
  'workload.tree_size': '512MiB',
  'workload.file_size_mix': '[{size: 4KiB, weight: 1}]',
  'workload.files_per_dir': '10',
  'workload.copy_bandwidth': '100MiB/s',
  'workload.start_stagger': '20ms',
  'workload.rounds': '3',
  'workload.remove_cost': '5us',
  'workload.boot_read': '2MiB',
  'live_patch.at': '60s',
  'checks.watchdog_window': '150s',
  'checks.time_limit': '300s',
  'checks.event_limit': '1000000',
  'checks.hung_task_timeout': '60s',
  'checks.invariants': 'full',
  'checks.full_interval': '100ms',
  'outputs.trace_events': 'block:*',
  'outputs.trace_buffer_kb': '1024',
  'outputs.metrics_interval': '50ms',
  'outputs.proc_snapshots': '1s',
};

/** Fields that do not reach the run parameters, and where they are used instead. */
const NOT_IN_PARAMS: Record<string, string> = {
  description: 'shown by `reclaimsim scenarios` and `show`',
  'swap.priority': 'one swap area: the priority orders nothing (its doc says so)',
  'outputs.proc_snapshots': 'read by `run --proc-dir` (src/cli/commands/run.ts)',
  'workload.remove_cost': 'reaches remove_ns only with workload.rounds above 1 (a run without removals has no use for it); the rounds test in test/mm/shmem-truncate.test.ts sets both',
};

function leaves(d: SectionDesc, prefix = ''): string[] {
  return Object.entries(d.fields).flatMap(([k, sub]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return sub.kind === 'section' ? leaves(sub, p) : [p];
  });
}

test('every scenario field has a test value here, and each reaches the run parameters or says where it is used', () => {
  const paths = leaves(SCENARIO_FIELDS);
  assert.deepEqual([...paths].sort(), Object.keys(OTHER_VALUE).sort(), 'a field was added or removed: give it a value above');
  const base = JSON.stringify(paramsFromScenario(loadScenarioArg('flagship')));
  for (const path of paths) {
    const changed = JSON.stringify(paramsFromScenario(loadScenarioArg('flagship', [`${path}=${OTHER_VALUE[path]}`]))) !== base;
    if (path in NOT_IN_PARAMS) assert.equal(changed, false, `${path} now reaches the run parameters: drop it from NOT_IN_PARAMS`);
    else assert.ok(changed, `${path}=${OTHER_VALUE[path]} does not change the run parameters: nothing in the model reads it`);
  }
});
