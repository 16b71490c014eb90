// The V8 flags a `ccready size` run sets before its code loads. In their own file because two
// callers set them: the ESM fast path (cli/size-fast.ts) and, on Node 20, the code-cache loader
// (cli/code-cache.ts), which must set them BEFORE it compiles the size bundle: V8 accepts a code
// cache only under the flags it was made with.
import { setFlagsFromString } from 'node:v8';

/**
 * A `ccready size` is over in a few hundred milliseconds, and V8's default tier-up budget sent its
 * model loops to the optimizing compiler, whose work on a second thread cost more CPU than it saved
 * (measured: a third of the CPU of sizing icds-14lakh-aug2019). Six times the budget lets short runs
 * stay in the baseline tiers while a long one (the 64-set stress config) still gets optimized —
 * and ran faster too. The budget is read at every tier-up decision, so setting it late takes effect.
 * Node 20's V8 (11.x) only: later ones tier up by other rules and reject the flag with a line on stderr.
 *
 * (V8's young generation used to be grown 32-fold at once, --semi-space-growth-factor=32: 5
 * scavenges instead of 14 and ~23M fewer instructions on icds-14lakh-aug2019 (callgrind). But the
 * bigger young generation touched ~1,800 more fresh pages, and on this machine a page fault costs
 * several microseconds of kernel time that callgrind does not count: without the flag the run took
 * 176.5 ms instead of 185.0 (icds, medians of 21 alternating runs, Node 20; tdh-test 109.8 against
 * 110.8; Node 24 151.3 against 160.7). Dropped.)
 * (--always-sparkplug was tried: ~11M fewer instructions on the 8-set icds config but ~8M more
 * on the one-set tdh-test, whose 1.6x start-up target has no margin; left off.)
 */
export const SIZE_V8_FLAGS: readonly string[] = [
  ...(process.versions.v8.startsWith('11.') ? ['--interrupt-budget=400000'] : []),
];

/** Sets SIZE_V8_FLAGS; setting them again (both callers on one run) changes nothing. */
export function setSizeV8Flags(): void {
  for (const flag of SIZE_V8_FLAGS) setFlagsFromString(flag);
}
