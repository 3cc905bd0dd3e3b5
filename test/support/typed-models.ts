/**
 * A second, stricter look through the upstream model packages: each object is written as a TypeScript object
 * literal typed by its model's interface (kubernetes-models, @kubernetes-models/*) and type-checked. Excess
 * property checks then catch unknown or misplaced fields, which the packages' runtime validators let through
 * and an API server with strict field validation rejects.
 */
import ts from "typescript";
import type { KubeObject } from "../../src/kube.ts";
import { REPO_ROOT } from "./tools.ts";
import { MODULES } from "./kube-schemas.ts";

const FILE = `${REPO_ROOT}/test/support/__typed_objects__.ts`;

export function typeProblems(objects: readonly KubeObject[]): string[] {
  const lines: string[] = [];
  const names: string[] = [];
  objects.forEach((object, index) => {
    const module = MODULES[object.apiVersion];
    if (!module) throw new Error(`no model package for ${object.apiVersion}`);
    lines.push(`import type { I${object.kind} as T${index} } from "${module}/${object.kind}";`);
    names.push(`${object.kind}/${object.metadata.name}`);
  });
  objects.forEach((object, index) => lines.push(`export const o${index}: T${index} = ${JSON.stringify(object)};`));
  const source = lines.join("\n");
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === FILE ? source : readFile(path));
  host.fileExists = ((exists) => (path: string) => path === FILE || exists(path))(host.fileExists.bind(host));
  host.getSourceFile = (path, language, onError, create) => (path === FILE ? ts.createSourceFile(path, source, language) : getSourceFile(path, language, onError, create));
  const program = ts.createProgram([FILE], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const index = line - objects.length;
    const subject = index >= 0 ? names[index] : "(imports)";
    return `${subject}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
  });
}
