/**
 * The discrete-event engine: integer-nanosecond time, an event queue ordered by (time, seq),
 * handlers registered by kind, and run limits. It knows nothing of kernels.
 *
 * Handlers receive one integer argument; owners keep their own tables (timers, tasks) and use the
 * argument as an index, so dispatch allocates nothing. `currentSeq` lets owners cancel lazily:
 * an owner remembers the seq of its pending event and ignores an event whose seq is stale.
 */
import { assert, SimulatorError } from './assert.js';
import { EventQueue } from './queue.js';

export type Handler = (arg: number) => void;

export type StopReason = 'empty' | 'time-limit' | 'event-limit' | 'stopped';

export interface RunLimits {
  /** Stop before dispatching any event later than this simulated instant (ns). */
  untilNs?: number;
  /** Stop after this many events in total. */
  maxEvents?: number;
}

export class Sim {
  /** Current simulated time, ns. */
  now = 0;
  /** Events dispatched so far. */
  events = 0;
  /** Sequence number of the event being dispatched. */
  currentSeq = -1;
  private readonly queue: EventQueue;
  private readonly handlers: Handler[] = [];
  private readonly names: string[] = [];
  private stopRequested: string | null = null;
  /** Optional per-event observer (tracing, invariant checks); kept out of the hot path when null. */
  observer: ((kind: number, arg: number) => void) | null = null;
  /** The limits of the run in progress (none outside run(): no inline advance then). */
  private runUntil = -Infinity;
  private runMaxEvents = 0;

  constructor(capacity = 1024) {
    this.queue = new EventQueue(capacity);
  }

  /** Per kind: 1 if its events only observe (samplers), so they are not counted as model events. */
  private readonly observerKind: number[] = [];
  /** Events dispatched for observer kinds (included in `events`). */
  observerEvents = 0;

  /**
   * Registers a handler and returns its kind number. An `observer` kind (a metrics sampler, a
   * snapshot timer) only reads state: its events are counted apart, so attaching outputs never
   * changes a run's event count, limits or result.
   */
  register(name: string, handler: Handler, opts: { observer?: boolean } = {}): number {
    this.handlers.push(handler);
    this.names.push(name);
    this.observerKind.push(opts.observer ? 1 : 0);
    return this.handlers.length - 1;
  }

  /** Events of the model itself (all events minus observer events). */
  get modelEvents(): number {
    return this.events - this.observerEvents;
  }

  kindName(kind: number): string {
    return this.names[kind] ?? `kind${kind}`;
  }

  /** Schedules `kind(arg)` at absolute time `timeNs` (>= now); returns the event's seq. */
  at(timeNs: number, kind: number, arg: number): number {
    if (!(timeNs >= this.now && Number.isSafeInteger(timeNs))) {
      throw this.annotate(new SimulatorError(`event scheduled at ${timeNs}ns, before now (${this.now}ns) or not a safe integer`));
    }
    return this.queue.push(timeNs, kind, arg);
  }

  /** Schedules `kind(arg)` after `delayNs` (>= 0). */
  after(delayNs: number, kind: number, arg: number): number {
    return this.at(this.now + delayNs, kind, arg);
  }

  get pending(): number {
    return this.queue.size;
  }

  peekTime(): number {
    return this.queue.peekTime();
  }

  /** Asks the run loop to stop after the current event. */
  stop(reason: string): void {
    this.stopRequested = reason;
  }

  get stopReason(): string | null {
    return this.stopRequested;
  }

  /** Dispatches events until the queue empties, a limit is reached, or stop() is called. */
  run(limits: RunLimits = {}): StopReason {
    const until = limits.untilNs ?? Infinity;
    const maxEvents = limits.maxEvents ?? Infinity;
    const q = this.queue;
    const handlers = this.handlers;
    const observerKind = this.observerKind;
    this.stopRequested = null;
    this.runUntil = until;
    this.runMaxEvents = maxEvents;
    try {
      for (;;) {
        if (this.stopRequested !== null) return 'stopped';
        if (q.size === 0) return 'empty';
        if (until !== Infinity && q.peekTime() > until) {
          this.now = until;
          return 'time-limit';
        }
        if (this.events - this.observerEvents >= maxEvents) return 'event-limit';
        q.pop();
        this.now = q.topTime;
        this.currentSeq = q.topSeq;
        this.events++;
        if (observerKind[q.topKind] === 1) this.observerEvents++;
        handlers[q.topKind]!(q.topArg);
        if (this.observer !== null) this.observer(q.topKind, q.topArg);
      }
    } catch (e) {
      throw this.annotate(e);
    } finally {
      this.runUntil = -Infinity;
    }
  }

  /**
   * May a handler move the clock to `t` itself, standing for `n` events it need not schedule?
   * Only inside run(), with no stop requested, nothing queued at or before `t`, `t` within the
   * run's time limit and `n` more events within its event limit: then popping those `n` events
   * would have been the next thing the engine did, and nothing else could have run in between.
   */
  canAdvanceInline(t: number, n: number): boolean {
    return this.stopRequested === null && t <= this.runUntil && t < this.queue.peekTime() && this.events - this.observerEvents + n <= this.runMaxEvents;
  }

  /**
   * Moves the clock to `t` and counts the `n` events (and their sequence numbers) that the caller
   * stands for, so that event counts and tie order stay what they would have been. The caller
   * checked canAdvanceInline.
   */
  advanceInline(t: number, n: number): void {
    this.now = t;
    this.events += n;
    this.queue.skipSeq(n);
  }

  private annotate(e: unknown): unknown {
    if (e instanceof SimulatorError && e.timeNs === undefined) {
      e.timeNs = this.now;
      e.event = this.events;
    }
    return e;
  }

  /** Asserts with this engine's time and event number attached. */
  assert(cond: unknown, msg: string | (() => string)): asserts cond {
    try {
      assert(cond, msg);
    } catch (e) {
      throw this.annotate(e);
    }
  }
}
