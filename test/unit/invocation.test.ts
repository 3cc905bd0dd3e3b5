import assert from "node:assert/strict";
import { test } from "node:test";
import { Document, parseAllDocuments, parse } from "yaml";
import { invoke } from "../../src/invocation.ts";
import { kustomizeInput } from "../support/kustomize-input.ts";

const CONFIG = "apiVersion: stalwart.krm.example/v1alpha1\nkind: StalwartConfig\nmetadata:\n  name: stalwart\nspec:\n  version: '0.15'\n  hostname: mail.example.com\n  extraConfig:\n    authentication.master.secret: hunter2-hunter2\n";
const STREAM = kustomizeInput("overlays/single");
const run = (args: string[], stdin: string, stderrIsFormat: boolean) =>
  invoke({ args, stdin: Buffer.from(stdin), readFile: () => Buffer.from(CONFIG), pluginConfigRoot: "/src/overlay", stderrIsFormat });

test("a legacy run whose stderr kustomize formats with printf doubles every %, and only then", () => {
  const formatted = run(["config.yaml"], STREAM, true);
  const plain = run(["config.yaml"], STREAM, false);
  assert.equal(formatted.exitCode, 1);
  assert.ok(plain.stderr.includes("%{env:NAME}%"), plain.stderr);
  assert.equal(formatted.stderr, plain.stderr.replaceAll("%", "%%"));
});

test("a KRM run never escapes: orchestrators read the results, and print stderr as it is", () => {
  const items = parseAllDocuments(STREAM).map((document) => document.toJS());
  const list = new Document({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items, functionConfig: parse(CONFIG) }).toString();
  const answer = run([], list, true);
  assert.equal(answer.exitCode, 1);
  assert.ok(answer.stderr.includes("%{env:NAME}%"), answer.stderr);
  assert.doesNotMatch(answer.stderr, /%%/);
});
