/**
 * The function's pure core: items and functionConfig in, items and results out. It merges and validates the
 * settings, renders config.toml into the ConfigMap the workload mounts, stamps the config checksum on the pod
 * template and passes every other item through untouched. With any error it changes nothing.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { objectKey, type KubeObject } from "./kube.js";
import { hasErrors, refTo, sortResults, type Result } from "./results.js";
import { findFragments } from "./settings/fragments.js";
import { mergeFragments, originOf, type MergedSettings } from "./settings/merge.js";
import { fieldPathToPointer } from "./settings/field-path.js";
import { validateSettings } from "./settings/validate.js";
import { renderConfigToml } from "./render/config-toml.js";
import { renderConfigMap } from "./render/config-map.js";
import { configMapName, envVar, findWorkload, withConfigChecksum } from "./render/workload.js";
import { checkListenerPorts, checkListeners } from "./checks/listeners.js";
import { checkProbes } from "./checks/probes.js";
import { checkStorage, FDB_CLUSTER_FILE_ENV } from "./checks/storage.js";
import { checkCluster } from "./checks/cluster.js";
import { checkTls, FDB_CLIENT_CERT_VOLUME, FDB_ROOT_CA_VOLUME, mountedSecret, TLS_VOLUME } from "./checks/tls.js";
import { renderMailTls } from "./render/mail-tls.js";
import { renderFdbClientCerts } from "./render/fdb-client-certs.js";
import { applyResourcePatches } from "./render/resource-patches.js";
import { isGenerated } from "./render/generated.js";
import { checkOperations, checkServiceOptions } from "./checks/operations.js";
import { mailServices, renderAdminService, shapeMailService } from "./render/service.js";
import { renderNetworkPolicy } from "./render/network-policy.js";

export interface TransformInput {
  items: readonly KubeObject[];
  functionConfig?: KubeObject;
  /** Where the functionConfig came from, when the orchestrator does not annotate it. */
  functionConfigPath?: string;
}

export interface TransformOutput {
  items: KubeObject[];
  results: Result[];
}

function unchanged(input: TransformInput, results: Result[]): TransformOutput {
  return { items: [...input.items], results: sortResults(results) };
}

/** Points results about settings fields at the fragment (and file) that set the field. */
function attribute(results: readonly Result[], merged: MergedSettings): Result[] {
  return results.map((result) => {
    if (result.resourceRef || !result.field?.path.startsWith("spec")) return result;
    const origin = originOf(merged, fieldPathToPointer(result.field.path));
    if (!origin) return result;
    return { ...result, resourceRef: refTo(origin.object), ...(origin.filePath ? { file: { path: origin.filePath } } : {}) };
  });
}

/** Replaces the item with the same identity, or appends it: a second run changes nothing. */
function upsert(items: KubeObject[], object: KubeObject): void {
  const key = objectKey(object);
  const index = items.findIndex((item) => objectKey(item) === key);
  if (index === -1) items.push(object);
  else items[index] = object;
}

export function transform(input: TransformInput): TransformOutput {
  const search = findFragments(input.items, input.functionConfig, input.functionConfigPath);
  if (hasErrors(search.results)) return unchanged(input, search.results);

  // Without a workload there is nothing to configure, and every settings error would be noise.
  const found = findWorkload(input.items);
  const workload = found.workload;
  if (!workload) return unchanged(input, [...search.results, ...found.results]);

  const merged = mergeFragments(search.fragments);
  const validation = validateSettings(merged);
  const settings = validation.settings;
  if (!settings) return unchanged(input, [...search.results, ...validation.results]);

  const configMap = configMapName(workload);
  const fdbClusterFile = envVar(workload.container, FDB_CLUSTER_FILE_ENV)?.value;
  const tlsSecret = mountedSecret(workload, TLS_VOLUME);
  const rendered = renderConfigToml(settings, {
    ...(fdbClusterFile ? { fdbClusterFile } : {}),
    ...(tlsSecret?.mountPath ? { tlsDirectory: tlsSecret.mountPath } : {}),
  });
  const originalServices = mailServices(input.items, settings, workload);
  const services = originalServices.map((service) => shapeMailService(service, settings));
  const patched = applyResourcePatches(
    [
      ...(tlsSecret ? renderMailTls(settings, workload, tlsSecret.secretName) : []),
      ...originalServices.flatMap((service) => renderAdminService(service, settings, workload)),
      ...renderNetworkPolicy(settings, workload),
      ...renderFdbClientCerts(settings, workload, {
        clientCertificate: mountedSecret(workload, FDB_CLIENT_CERT_VOLUME)?.secretName ?? "stalwart-fdb-client-cert",
        rootCa: mountedSecret(workload, FDB_ROOT_CA_VOLUME)?.secretName ?? "stalwart-fdb-root-ca",
      }),
    ],
    settings.spec,
  );

  const results = attribute([
    ...search.results,
    ...configMap.results,
    ...checkListeners(settings),
    ...checkListenerPorts(settings, workload),
    ...checkProbes(settings, workload),
    ...checkStorage(settings, workload),
    ...checkCluster(settings, workload),
    ...checkTls(settings, workload),
    ...checkOperations(settings, workload),
    ...checkServiceOptions(settings),
    ...patched.results,
    ...rendered.results,
  ], merged);
  if (hasErrors(results) || !configMap.name) return unchanged(input, results);

  const namespace = workload.object.metadata.namespace;
  const existing = input.items.find(
    (item) => item.apiVersion === "v1" && item.kind === "ConfigMap" && item.metadata.name === configMap.name && item.metadata.namespace === namespace,
  );
  // Objects an earlier run generated and this one does not are removed (kpt keeps the previous output).
  const items = input.items.filter((item) => !isGenerated(item) || patched.objects.some((object) => objectKey(object) === objectKey(item)));
  const checksum = createHash("sha256").update(rendered.toml).digest("hex");
  upsert(items, withConfigChecksum(workload, checksum));
  upsert(items, renderConfigMap(configMap.name, workload, rendered.toml, existing));
  for (const [index, service] of services.entries()) if (!isDeepStrictEqual(service, originalServices[index])) upsert(items, service);
  for (const object of patched.objects) upsert(items, object);

  results.push({
    severity: "info",
    message: `rendered config.toml (${rendered.entries.length} settings) into ConfigMap "${configMap.name}" for ${workload.kind} "${workload.object.metadata.name}"${patched.objects.length > 0 ? `, and generated ${patched.objects.map((object) => `${object.kind}/${object.metadata.name}`).join(", ")}` : ""}`,
    resourceRef: refTo(settings),
  });
  return { items, results: sortResults(results) };
}
