/**
 * Runs every `*.test.ts` under test/ (or under the paths given) with node:test and tsx. Node 20's test runner
 * does not expand globs, hence this script.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== "node_modules" && !entry.name.startsWith("."))
    .flatMap((entry) => testFiles(join(path, entry.name)))
    .sort();
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ["test"]).flatMap(testFiles).map((file) => relative(process.cwd(), file));
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
