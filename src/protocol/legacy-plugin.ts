/**
 * The legacy kustomize exec-plugin protocol, the only plugin kind `kubectl kustomize` runs: the plugin config
 * is a file named by the first argument, the resources a plain multi-document stream on stdin and stdout.
 */
import { isKubeObject, type KubeObject } from "../kube.js";
import { sortResults, type Result } from "../results.js";
import { transform } from "../transform.js";
import type { Outcome } from "./outcome.js";
import { concealSecrets } from "./conceal.js";
import { parseDocuments, readItem, stringifyStream, valueOf, type Item } from "./yaml-documents.js";

export interface LegacyInput {
  configText: string;
  streamText: string;
  /** How to name the config file in messages. */
  configSource: string;
}

function readConfig(text: string, source: string): { config?: KubeObject; results: Result[] } {
  const parsed = parseDocuments(text, source);
  if (parsed.results.length > 0) return { results: parsed.results };
  const documents = parsed.documents.filter((document) => document.contents !== null);
  const read = documents.length === 1 && documents[0]?.contents ? valueOf(documents[0].contents, source) : {};
  if (read.result) return { results: [read.result] };
  const config = read.value;
  if (isKubeObject(config)) return { config, results: [] };
  return { results: [{ severity: "error", message: `${source} must hold exactly one StalwartConfig with \`apiVersion\`, \`kind\` and \`metadata.name\`` }] };
}

/** Runs the function as a kustomize exec plugin. */
export function runLegacyPlugin(input: LegacyInput): Outcome {
  const config = readConfig(input.configText, input.configSource);
  const parsed = parseDocuments(input.streamText, "the resource stream on stdin");
  const results = [...config.results, ...parsed.results];
  const originals: Item[] = [];
  parsed.documents.forEach((document, index) => {
    if (document.contents === null) return;
    const read = readItem(document.contents, `document ${index + 1} of the resource stream`);
    if (read.item) originals.push({ ...read.item, comments: { before: document.commentBefore, after: document.comment } });
    if (read.result) results.push(read.result);
  });
  if (results.length === 0 && originals.length === 0) {
    results.push({
      severity: "error",
      message: "the resource stream on stdin is empty: list the function under `transformers:` (not `generators:`) of a kustomization whose resources include base/single or base/cluster",
    });
  }
  if (results.length > 0) return { output: stringifyStream(originals.map((item) => item.object), originals), results: sortResults(results) };

  const outcome = transform({ items: originals.map((item) => item.object), functionConfig: config.config, functionConfigPath: input.configSource });
  return { output: stringifyStream(outcome.items, originals), results: concealSecrets(outcome.results) };
}
