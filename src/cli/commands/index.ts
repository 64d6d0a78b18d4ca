/**
 * The command registry. Each command module exports `register(program)`; add new ones here.
 */
import type { Command } from 'commander';
import { register as demo } from './demo.js';

export const commands: ((program: Command) => void)[] = [demo];
