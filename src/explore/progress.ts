/**
 * Sweep progress on stderr: a cli-progress bar (runs done, rate, ETA, findings so far) on a
 * terminal; plain lines every 5% of the runs (and at the end) otherwise.
 */
import cliProgress from 'cli-progress';
import type { SweepProgress } from './sweep.js';

export interface ProgressSink {
  update(p: SweepProgress): void;
  stop(): void;
}

export function makeProgress(stream: NodeJS.WriteStream & { isTTY?: boolean }, label: string): ProgressSink {
  const t0 = process.hrtime.bigint();
  let first: SweepProgress | undefined;
  const rate = (p: SweepProgress): { rate: number; eta: number } => {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const ran = p.done - (first?.done ?? 0);
    const r = s > 0 ? ran / s : 0;
    return { rate: r, eta: r > 0 ? (p.total - p.done) / r : 0 };
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {value}/{total} runs | {rate} runs/s | ETA {eta_s} | findings {findings}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        first ??= p;
        const { rate: r, eta } = rate(p);
        const payload = { rate: r.toFixed(2), eta_s: `${Math.round(eta)}s`, findings: p.findings };
        if (!started) {
          bar.start(p.total, p.done, payload);
          started = true;
        } else bar.update(p.done, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastPrinted = -1;
  let last: SweepProgress | undefined;
  const print = (p: SweepProgress): void => {
    const { rate: r, eta } = rate(p);
    stream.write(`${label}: ${p.done}/${p.total} runs, ${r.toFixed(2)} runs/s, ETA ${Math.round(eta)}s, findings ${p.findings}\n`);
    lastPrinted = p.done;
  };
  return {
    update(p) {
      first ??= p;
      last = p;
      const every = Math.max(1, Math.floor(p.total / 20));
      if (p.done > lastPrinted && (p.done === p.total || p.done - Math.max(lastPrinted, first.done) >= every)) print(p);
    },
    stop() {
      if (last && last.done !== lastPrinted) print(last);
    },
  };
}
