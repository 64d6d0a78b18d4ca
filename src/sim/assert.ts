/**
 * Simulator assertions. A failed assertion is a bug in the simulator (or a model invariant the
 * kernel guarantees and we broke), never a kernel-visible failure. The engine annotates the error
 * with the simulated time and event number at which it was thrown.
 */
export class SimulatorError extends Error {
  /** Simulated time (ns) when the assertion failed, filled in by the engine. */
  timeNs: number | undefined;
  /** Number of events dispatched before the failure, filled in by the engine. */
  event: number | undefined;
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorError';
  }
  override toString(): string {
    const where = this.timeNs === undefined ? '' : ` (at t=${this.timeNs}ns, event ${this.event})`;
    return `simulator assertion failed: ${this.message}${where}`;
  }
}

/** Throws a SimulatorError when `cond` is falsy. `msg` may be a thunk to keep the hot path cheap. */
export function assert(cond: unknown, msg: string | (() => string)): asserts cond {
  if (!cond) throw new SimulatorError(typeof msg === 'string' ? msg : msg());
}

/**
 * Throws a SimulatorError whose message is `parts` joined. Hot paths write
 * `if (!(cond)) fail('pfn ', pfn, ' is not free')` instead of passing a message thunk: a thunk that
 * names the caller's locals makes V8 allocate a context for them on every call, taken or not.
 */
export function fail(...parts: readonly (string | number | bigint | boolean | null | undefined)[]): never {
  throw new SimulatorError(parts.join(''));
}
