/**
 * The simulated kernel log (printk) and printk_ratelimit.
 *
 * Mirrors: kernel/printk.c (printk, __printk_ratelimit), 2.6.25. printk_ratelimit is one global
 * token bucket shared by every caller: the bucket starts full at burst * interval jiffies, gains
 * one token per jiffy, each allowed message costs `interval` tokens, and the next allowed
 * message is preceded by "printk: N messages suppressed." Defaults: interval 5*HZ, burst 10.
 * Simplified: jiffies start at 0 here; the kernel's start at INITIAL_JIFFIES (-300*HZ), so a
 * first printk_ratelimit call between 250 and 300 s of uptime would find a smaller first burst.
 *
 * The log keeps at most `capacity` lines (a ring, like the kernel's log buffer); lines pushed out
 * are counted in `dropped`.
 */
import type { Kernel } from './kernel.js';

export interface LogLine {
  timeNs: number;
  text: string;
}

export class KernelLog {
  readonly lines: LogLine[] = [];
  dropped = 0;
  capacity = 200_000;
  /** __printk_ratelimit's static state. */
  private toks: number;
  private last_msg = 0;
  private missed = 0;
  printk_ratelimit_jiffies: number;
  printk_ratelimit_burst = 10;
  /** Messages allowed and suppressed by printk_ratelimit, for reports. */
  ratelimitAllowed = 0;
  ratelimitSuppressed = 0;

  constructor(private readonly k: Kernel) {
    this.printk_ratelimit_jiffies = 5 * k.HZ;
    this.toks = 10 * 5 * k.HZ;
  }

  printk(text: string): void {
    // One call may carry several lines; each gets the same timestamp, as in dmesg.
    const parts = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const p of parts) {
      if (this.lines.length >= this.capacity) {
        this.lines.shift();
        this.dropped++;
      }
      this.lines.push({ timeNs: this.k.now, text: p });
    }
  }

  /** __printk_ratelimit(ratelimit_jiffies, ratelimit_burst). Returns true if the caller may print. */
  __printk_ratelimit(ratelimit_jiffies: number, ratelimit_burst: number): boolean {
    const now = this.k.jiffies;
    this.toks += now - this.last_msg;
    this.last_msg = now;
    if (this.toks > ratelimit_burst * ratelimit_jiffies) this.toks = ratelimit_burst * ratelimit_jiffies;
    if (this.toks >= ratelimit_jiffies) {
      const lost = this.missed;
      this.missed = 0;
      this.toks -= ratelimit_jiffies;
      if (lost) this.printk(`printk: ${lost} messages suppressed.`);
      this.ratelimitAllowed++;
      return true;
    }
    this.missed++;
    this.ratelimitSuppressed++;
    return false;
  }

  /** printk_ratelimit(): the global bucket with the sysctl defaults. */
  printk_ratelimit(): boolean {
    return this.__printk_ratelimit(this.printk_ratelimit_jiffies, this.printk_ratelimit_burst);
  }
}
