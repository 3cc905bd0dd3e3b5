/**
 * Finds the StalwartConfig fragments among the items and orders them for the merge: stream order, functionConfig
 * last; and says when they cannot fit the stream (see layout.ts).
 */
import {
  isLocalConfig,
  LOCAL_CONFIG_ANNOTATION,
  SETTINGS_API_VERSION,
  SETTINGS_KIND,
  sourcePath,
  type KubeObject,
} from "../kube.js";
import { quote, refTo, type Result } from "../results.js";
import { layoutProblems } from "./layout.js";

export interface Fragment {
  object: KubeObject;
  /** Where the fragment came from, for messages: a file path when the orchestrator says. */
  filePath?: string;
  isFunctionConfig: boolean;
}

export interface FragmentSearch {
  fragments: Fragment[];
  results: Result[];
}

function isSettingsKind(object: KubeObject): boolean {
  return object.kind === SETTINGS_KIND && object.apiVersion.split("/")[0] === SETTINGS_API_VERSION.split("/")[0];
}

/** kpt passes the configPath object both as functionConfig and among the items; it must count once. */
function isSameObject(item: KubeObject, functionConfig: KubeObject): boolean {
  return (
    item.apiVersion === functionConfig.apiVersion &&
    item.kind === functionConfig.kind &&
    item.metadata.name === functionConfig.metadata.name &&
    sourcePath(item) === sourcePath(functionConfig)
  );
}

function fragmentFile(object: KubeObject, fallback?: string): Pick<Fragment, "filePath"> {
  const path = sourcePath(object) ?? fallback;
  return path ? { filePath: path } : {};
}

export function findFragments(
  items: readonly KubeObject[],
  functionConfig: KubeObject | undefined,
  functionConfigPath?: string,
  /** The Stalwart workload of the items, which the fragments must fit (see layout.ts). */
  workload?: KubeObject,
): FragmentSearch {
  const results: Result[] = [];
  const fragments: Fragment[] = [];

  for (const item of items) {
    if (!isSettingsKind(item)) continue;
    if (functionConfig && isSameObject(item, functionConfig)) continue;
    const file = fragmentFile(item);
    if (item.apiVersion !== SETTINGS_API_VERSION) {
      results.push({
        severity: "error",
        message: `apiVersion ${quote(item.apiVersion)} is not supported; this function reads ${quote(SETTINGS_API_VERSION)}`,
        resourceRef: refTo(item),
        field: { path: "apiVersion", currentValue: item.apiVersion, proposedValue: SETTINGS_API_VERSION },
        ...(file.filePath ? { file: { path: file.filePath } } : {}),
      });
      continue;
    }
    if (!isLocalConfig(item)) {
      results.push({
        severity: "error",
        message: `a StalwartConfig fragment must be annotated \`${LOCAL_CONFIG_ANNOTATION}: "true"\`, or it would be applied to the cluster, which has no such kind`,
        resourceRef: refTo(item),
        field: { path: `metadata.annotations.${LOCAL_CONFIG_ANNOTATION}`, proposedValue: "true" },
        ...(file.filePath ? { file: { path: file.filePath } } : {}),
      });
    }
    fragments.push({ object: item, ...file, isFunctionConfig: false });
  }

  if (functionConfig) {
    if (functionConfig.kind !== SETTINGS_KIND || functionConfig.apiVersion !== SETTINGS_API_VERSION) {
      results.push({
        severity: "error",
        message: `the function must be configured by a ${SETTINGS_KIND} of apiVersion ${quote(SETTINGS_API_VERSION)}, got ${functionConfig.apiVersion}/${functionConfig.kind}; point \`transformers:\` (kustomize) or \`configPath\` (kpt) at your ${SETTINGS_KIND} file`,
        resourceRef: refTo(functionConfig),
        ...(functionConfigPath ? { file: { path: functionConfigPath } } : {}),
      });
    } else {
      fragments.push({ object: functionConfig, ...fragmentFile(functionConfig, functionConfigPath), isFunctionConfig: true });
    }
  }

  if (fragments.length === 0 && results.length === 0) {
    results.push({
      severity: "error",
      message: `no ${SETTINGS_KIND} found: give the function your ${SETTINGS_KIND} as its config (kustomize \`transformers:\`, kpt \`configPath\`), or include a base that carries one`,
    });
  }
  if (results.length === 0) results.push(...layoutProblems(workload, fragments));
  return { fragments, results };
}
