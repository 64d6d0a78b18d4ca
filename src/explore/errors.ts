/**
 * ExploreError: a user error in a sweep spec, a store path or a record id. One line naming the
 * flag and the fix; the CLI prints it as "reclaimsim: <message>" and exits 1.
 */
import { oneLine } from '../scenario/errors.js';

export class ExploreError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ExploreError';
  }
}
