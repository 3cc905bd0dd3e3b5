/**
 * V8 hands a function to its optimizing compiler, TurboFan, once it has run for a while: each time it has
 * executed about the interrupt budget's worth of bytecode (66 KiB by default), a few times over. A run on an
 * overlay is over before that pays off: TurboFan compiles the YAML lexer's large generator functions for tens
 * of milliseconds of CPU, in a thread that competes with the run for the second core, or the only one, and the
 * optimized code arrives when the input is nearly read. With four times the budget such a run stays in the
 * interpreter and the baseline compiler (Sparkplug), while a stream of thousands of objects still runs long
 * enough to be optimized.
 *
 * Set at run time, because a plugin cannot pass node flags (see docs/performance.md), and before the bundle is
 * compiled: V8 accepts a code cache only under the flags it was made with.
 */
import { setFlagsFromString } from "node:v8";

const INTERRUPT_BUDGET = 4 * 66 * 1024;

export function delayOptimization(): void {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
