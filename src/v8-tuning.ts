/**
 * V8 settings for a run that lasts a fifth of a second, made at run time because a plugin cannot pass node
 * flags (see docs/performance.md), and before the bundle is compiled: V8 accepts a code cache only under the
 * flags it was made with. Measured on Node.js 20; both flags are plain numbers V8 reads when it decides, not
 * state it sets up at start (Node.js warns that other flags changed at run time can crash it, and one did).
 *
 * - TurboFan later. V8 hands a function to its optimizing compiler once it has run for a while: each time it
 *   has executed about the interrupt budget's worth of bytecode (66 KiB by default), a few times over. A run
 *   on an overlay is over before that pays off: TurboFan spends tens of milliseconds of CPU compiling the
 *   YAML lexer's large generator functions, in a thread that competes with the run for the second core, or
 *   the only one, and the optimized code arrives when the input is nearly read. With four times the budget
 *   such a run stays in the interpreter and the baseline compiler (Sparkplug), while a stream of thousands
 *   of objects still runs long enough to be optimized.
 * - A young generation that does not grow. It starts at 1 MiB a half, and V8 doubles it when much survives a
 *   scavenge, as the parsed documents do. Each growth touches fresh memory, and its page faults and cache
 *   misses cost more than the scavenges the larger space saves: on overlays/cluster the run scavenges 11 times
 *   instead of 7, takes 4,800 page faults instead of 5,200, and is faster; so is a stream of 1,000 objects.
 */
import { setFlagsFromString } from "node:v8";

const INTERRUPT_BUDGET = 4 * 66 * 1024;

export function tuneForShortRun(): void {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  setFlagsFromString("--semi-space-growth-factor=1");
}
