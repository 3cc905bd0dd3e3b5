/**
 * Runs every `*.test.ts` under test/ (or under the paths given) with node:test and tsx. Node 20's test runner
 * does not expand globs, hence this script. `npm test -- <paths>` passes the paths here after the typecheck.
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
console.log(
  roots.length > 0
    ? `# ${files.length} test file(s) under ${roots.join(", ")}`
    : "# all tests: about 5 minutes on 2 cores; run a subset with `npm test -- test/unit` (any files or folders under test/)",
);
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
