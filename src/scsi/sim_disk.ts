/**
 * The simulated HBA and disk behind a SCSI host: the low-level driver's queuecommand, a device
 * queue of up to `queue_depth` commands, one actuator serving them in arrival order, and
 * completion interrupts.
 *
 * Not kernel code: it stands for the hardware and the LLD. Service time per command is a seek
 * (skipped when the command starts where the previous one ended) plus a uniform jitter, a fixed
 * per-command overhead, and the transfer at a constant rate. Completions interrupt CPU `irq_cpu`
 * and call the midlayer's done callback in interrupt context.
 */
import { IRQ_ENTRY, type Kernel } from '../kernel/kernel.js';
import type { Prng } from '../sim/prng.js';
import type { scsi_cmnd } from './scsi.js';
import type { scsi_host_template } from './scsi_lib.js';

export interface DiskModel {
  seek_ns: number;
  seek_jitter_ns: number;
  per_command_overhead_ns: number;
  /** Transfer rate, bytes per second. */
  transfer_bytes_per_s: number;
  irq_cpu: number;
}

/** The transfer time of `bytes` at the model's rate, ns (rounded up). */
export function transfer_ns(m: Pick<DiskModel, 'transfer_bytes_per_s'>, bytes: number): number {
  return Math.ceil((bytes * 1e9) / m.transfer_bytes_per_s);
}

/**
 * The longest a command of `bytes` can take: the overhead, a seek with its whole jitter, and the
 * transfer (the scenario rule that the watchdog window outlasts the disk's largest request).
 */
export function worst_service_ns(m: Omit<DiskModel, 'irq_cpu'>, bytes: number): number {
  return m.per_command_overhead_ns + m.seek_ns + m.seek_jitter_ns + transfer_ns(m, bytes);
}

export class SimDisk implements scsi_host_template {
  private readonly queue: { cmd: scsi_cmnd; done: (cmd: scsi_cmnd) => void }[] = [];
  private busy = false;
  private lastEndSector = -1;
  private readonly KIND_DONE: number;
  /** Statistics. */
  readonly stat = { commands: 0, bytes: 0, busy_ns: 0, seeks: 0 };

  constructor(
    private readonly k: Kernel,
    private readonly model: DiskModel,
    private readonly rng: Prng,
  ) {
    this.KIND_DONE = k.sim.register('disk-done', () => this.complete());
  }

  /** The LLD's queuecommand: always accepts (the midlayer enforces queue_depth and can_queue). */
  queuecommand(cmd: scsi_cmnd, done: (cmd: scsi_cmnd) => void): number {
    this.queue.push({ cmd, done });
    if (!this.busy) this.start();
    return 0;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  private start(): void {
    const head = this.queue[0]!;
    const rq = head.cmd.request!;
    let t = this.model.per_command_overhead_ns;
    if (rq.sector !== this.lastEndSector) {
      t += this.model.seek_ns + (this.model.seek_jitter_ns > 0 ? this.rng.below(this.model.seek_jitter_ns + 1) : 0);
      this.stat.seeks++;
    }
    const bytes = rq.nr_sectors * 512;
    t += transfer_ns(this.model, bytes);
    this.lastEndSector = rq.sector + rq.nr_sectors;
    this.busy = true;
    this.stat.busy_ns += t;
    this.stat.bytes += bytes;
    this.stat.commands++;
    this.k.sim.after(t, this.KIND_DONE, 0);
  }

  private complete(): void {
    const head = this.queue.shift()!;
    this.busy = false;
    this.k.inInterrupt(this.model.irq_cpu, () => head.done(head.cmd), IRQ_ENTRY);
    if (this.queue.length > 0 && !this.busy) this.start();
  }
}
