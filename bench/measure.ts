/** Timing helpers for the benchmark: interleaved rounds, so that a machine getting busier slows every subject alike. */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Runs every subject once per round, in turn, after one untimed warm-up round; medians in milliseconds. */
export function interleaved<K extends string>(subjects: Record<K, () => void>, rounds: number): Record<K, number> {
  const names = Object.keys(subjects) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = -1; round < rounds; round++) {
    for (const name of names) {
      const start = performance.now();
      subjects[name]();
      if (round >= 0) samples[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<K, number>;
}

/** A process run that must exit as expected (0 unless told), or the benchmark would time something else. */
export function spawn(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; status?: number } = {}): () => void {
  return () => {
    const result = spawnSync(command, args, { input: options.input ?? "", env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== (options.status ?? 0)) throw new Error(`${command} ${args.join(" ")} failed: ${result.error?.message ?? result.stderr.toString()}`);
  };
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
