/**
 * Drives a run in slices on the event loop, so that Ctrl-C and a wall-clock budget can stop it:
 * signals are only delivered between slices, and the model never reads the clock itself. Either
 * ends the run with verdict LIMIT and a reason naming what stopped it; outputs are then written
 * from the partial run as usual.
 */
import type { RunHandle } from '../scenario/run.js';

/** Model events per slice: well under 100 ms of host time (an event costs up to ~30 us). */
const SLICE = 20_000;

let sigint = false;
let armed = 0;
const onSigint = (): void => {
  sigint = true;
};

/**
 * Catches Ctrl-C from now on (call it before anything slow, such as booting the machine), so a
 * signal that arrives before the run starts still ends the run cleanly. Pair with disarmSigint.
 */
export function armSigint(): void {
  if (armed++ === 0) {
    sigint = false;
    process.on('SIGINT', onSigint);
  }
}

export function disarmSigint(): void {
  if (--armed === 0) process.off('SIGINT', onSigint);
}

export async function driveRun(h: RunHandle, budgetNs?: number): Promise<void> {
  const start = process.hrtime.bigint();
  armSigint();
  try {
    // A signal that arrived before the first slice ends the run at the first slice boundary.
    while (!h.step(SLICE)) {
      if (sigint) {
        h.stopWith('SIGINT (Ctrl-C)');
        break;
      }
      if (budgetNs !== undefined && Number(process.hrtime.bigint() - start) > budgetNs) {
        h.stopWith(`the wall-clock budget (--budget ${budgetNs / 1e9}s)`);
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    disarmSigint();
  }
}
