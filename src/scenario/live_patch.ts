/**
 * The live patch: a what-if that applies Hugh Dickins' fix to a running machine (scenario field
 * `live_patch.at`). Not kernel code, and not something 2.6.25 could do: it had no livepatch. It
 * answers a question the verdict alone cannot: is a latched rc8 machine only stuck on a policy
 * (a livelock: give __scsi_get_command its free-list fallback and the same state drains), or has it
 * lost something that no fix to that function would give back?
 *
 * At the instant, one model event swaps the host's __scsi_get_command for the fixed one
 * (src/scsi/scsi.ts scsi_live_patch_get_command), marks `live_patch` (or `live_patch_noop` when the
 * profile already falls back) and logs one line that names the simulator, not the kernel, as its
 * author. Nothing is kicked: the next prep that runs (kblockd's unplug timer retries every 3
 * jiffies in the latch) is the first to use the fixed function, as after a real livepatch.
 */
import { scsi_live_patch_get_command } from '../scsi/scsi.js';
import { lastProgressNs, type Machine } from './machine.js';

/** What the live patch found when it was applied (for the run's reason). */
export interface LivePatchApplied {
  at_ns: number;
  /** Did it change the kernel (false: it already fell back)? */
  changed: boolean;
  /** The last forward progress before it (a page copied or a swap write completed), ns. */
  last_progress_ns: number;
}

const applied = new WeakMap<Machine, LivePatchApplied>();

/** The machine's live patch once applied, or undefined (none asked for, or not yet due). */
export function livePatchApplied(m: Machine): LivePatchApplied | undefined {
  return applied.get(m);
}

/** Schedules the live patch at `at_ns` (a model event: it changes what the machine does next). */
export function armLivePatch(m: Machine, at_ns: number): void {
  const k = m.k;
  const kind = k.sim.register('live_patch', () => {
    const changed = scsi_live_patch_get_command(m.shost);
    applied.set(m, { at_ns: k.now, changed, last_progress_ns: lastProgressNs(m) });
    if (changed) {
      k.mark('live_patch');
      k.printk("reclaimsim: live patch: __scsi_get_command now falls back to the host's free-list command when the sense buffer cannot be allocated (Hugh Dickins' fix; a simulator what-if, 2.6.25 had no livepatch)");
    } else {
      k.mark('live_patch_noop');
    }
  });
  k.sim.at(Math.max(at_ns, k.now), kind, 0);
}
