/**
 * The command registry. Each command module exports `register(program)`; add new ones here.
 */
import type { Command } from 'commander';
import { register as demo } from './demo.js';
import { register as slabinfo } from './slabinfo.js';
import { register as schema } from './schema.js';
import { register as validate } from './validate.js';
import { register as show } from './show.js';
import { register as scenarios } from './scenarios.js';
import { register as audit } from './audit.js';
import { register as run } from './run.js';
import { register as sweep } from './sweep.js';
import { register as results } from './results.js';
import { register as replay } from './replay.js';
import { register as shrink } from './shrink.js';

export const commands: ((program: Command) => void)[] = [run, demo, slabinfo, audit, schema, validate, show, scenarios, sweep, results, replay, shrink];
