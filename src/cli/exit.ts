/**
 * Exit codes (README.md, "Exit codes"): 0 passed, 1 usage or scenario error, 3 simulator assertion,
 * 4 safety violation, 5 liveness violation (livelock/deadlock found), 6 unexpected exception.
 */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_ASSERTION = 3;
export const EXIT_SAFETY = 4;
export const EXIT_LIVENESS = 5;
export const EXIT_UNEXPECTED = 6;

/** A user error: bad flag, value, file or scenario. Printed as one line, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Ends the program with a code after the command printed what it had to (not an error). */
export class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
