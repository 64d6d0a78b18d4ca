/**
 * The errno values the model returns (negated, as the kernel does): include/asm-generic/errno-base.h.
 */
export const ENOMEM = 12;
export const EEXIST = 17;
