/**
 * A Job that applies a Stalwart 0.16 plan (plan.ts) with `stalwart-cli apply`, then triggers the reload actions,
 * and the immutable ConfigMap it reads both files from. Pure: the same input gives the same bytes.
 *
 * Names carry a hash of what the pod does, so a changed plan (or image, URL, credentials Secret, restart input)
 * gives a new Job that runs, and re-applying the same manifests gives the same Job, which Kubernetes does not run
 * again. The hash covers every input the pod template depends on, not only plan and CLI image: a Job's
 * `spec.template` is immutable, and a same-named Job with another template would make `kubectl apply` fail.
 *
 * The pod, in order:
 * 1. initContainer `wait` (the Stalwart image, which has curl): polls `/healthz/ready`, since the CLI has no
 *    retry of its own and exits 1 on a refused connection. /healthz/ready only says the process is up.
 * 2. initContainer `apply` (the CLI image): `apply --file /plan/plan.ndjson`. Init containers run one after the
 *    other, each only when the previous one succeeded; that is why the apply is an initContainer.
 * 3. `reload`: `apply --file /plan/reload.ndjson`, the two `create Action` operations
 *    (ReloadSettings, ReloadTlsCertificates). Writing objects does not reload the running server, and the
 *    actions are one-shot `create`s that would make plan.ndjson something other than re-appliable.
 *    The last container, or the last initContainer when there is a `restart`.
 * 4. with `restart` only, container `restart` (the Stalwart image: bash and curl, no jq): some objects are read
 *    only at boot (NetworkListener binds sockets, Coordinator, ClusterRole picks the listeners), and no action
 *    restarts the server. The script GETs the workload and, unless its pod template's `boot-objects`
 *    annotation already holds `bootHash`, PATCHes it there, as `kubectl rollout restart` does: the pods roll
 *    once, after the objects are in the database. It needs a ServiceAccount with `get` and `patch` on that one
 *    workload, rendered beside the Job; otherwise the pod has no token at all.
 *
 * A failed pod is retried by the Job (backoffLimit): the plan converges on a re-run; the actions are harmless
 * to repeat, and so is the restart step, which patches only while the annotation differs. No
 * `ttlSecondsAfterFinished`: GitOps tools would re-create a deleted Job, and run it again.
 *
 * The CLI image is distroless (UID 65532, no shell, entrypoint `stalwart-cli`) and writes a schema cache: with a
 * read-only root filesystem, `XDG_CACHE_HOME` points at an emptyDir. Credentials come only from the Secret by
 * `secretKeyRef`: this function never sees a secret value.
 */
import type { KubeObject } from "../../kube.js";
import type { Result } from "../../results.js";
import { sha256Hex } from "../../sha256.js";

/**
 * The CLI release the plans are written for (the first with upsert/reconcile/scope is > 1.0.8). Pinned by tag
 * only: the digest third-party repositories pin (sha256:9a1e0730…) is unverified; resolve and pin your own.
 */
export const DEFAULT_CLI_IMAGE = "ghcr.io/stalwartlabs/cli:1.0.13";

export const PLAN_KEY = "plan.ndjson";
export const RELOAD_KEY = "reload.ndjson";
const PLAN_MOUNT = "/plan";
const CACHE_MOUNT = "/cache";
/** The `nonroot` user of the distroless CLI image; used for the wait container too (the Stalwart image may run as root). */
const NONROOT_UID = 65532;
/** Kubernetes copies a Job's name into the `job-name` label of its pods: a label value has at most 63 characters. */
const MAX_JOB_NAME = 63;
/** A ConfigMap holds at most 1 MiB. */
const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

export const ARGOCD_HOOK_ANNOTATION = "argocd.argoproj.io/hook";
export const ARGOCD_HOOK_DELETE_POLICY_ANNOTATION = "argocd.argoproj.io/hook-delete-policy";

/** On the Stalwart pod template: the digest of the boot-time objects the pods were last restarted for. */
/** The labels of the Job's objects and pod: the NetworkPolicy lets pods with them reach Stalwart's `http` listener. */
export function applyJobLabels(base: string): Record<string, string> {
  return { "app.kubernetes.io/name": "stalwart-cli", "app.kubernetes.io/instance": base, "app.kubernetes.io/component": "apply" };
}

/** Where the restart container finds its token, CA and namespace: the path an automounted token would have. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const API_TOKEN_VOLUME = "api-token";

/**
 * The token the kubelet would automount, as a projected volume for the restart container alone: the CLI
 * containers, which talk only to Stalwart, get no Kubernetes credentials. Short-lived, rotated by the kubelet.
 */
function apiTokenVolume(): Record<string, unknown> {
  return {
    name: API_TOKEN_VOLUME,
    projected: {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

export const BOOT_OBJECTS_ANNOTATION = "stalwart.krm.example/boot-objects";
const BOOT_OBJECTS_PATTERN = BOOT_OBJECTS_ANNOTATION.replaceAll(".", "[.]");

/**
 * The `restart` container's script; a constant: BOOT_HASH and WORKLOAD_PATH (`statefulsets/<name>`) come from
 * env. KUBERNETES_API and SERVICEACCOUNT_DIR are there for the tests, which play the API server over plain
 * HTTP. No jq in the image: the annotation is matched as text between `"template":` and the next `"spec"`,
 * the pod template's metadata, which the API server writes before its spec (managedFields say
 * `"f:template"`, last-applied-configuration escapes its quotes). The token goes to curl through a pipe, not
 * its arguments, and nothing is written to the read-only root filesystem.
 */
export const RESTART_SCRIPT = `set -euo pipefail
sa=\${SERVICEACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
api=\${KUBERNETES_API:-https://kubernetes.default.svc}
hex='^[0-9a-f]+$'
workload='^(statefulsets|deployments)/[a-z0-9.-]+$'
if [[ ! $BOOT_HASH =~ $hex || ! $WORKLOAD_PATH =~ $workload ]]; then
  echo "restart: BOOT_HASH must be lower-case hex, and WORKLOAD_PATH statefulsets/<name> or deployments/<name>" >&2
  exit 1
fi
namespace=$(< "$sa/namespace")
token=$(< "$sa/token")
url=$api/apis/apps/v1/namespaces/$namespace/$WORKLOAD_PATH
tls=()
if [[ $api == https://* ]]; then tls=(--cacert "$sa/ca.crt"); fi
nl=$'\\n'

# call METHOD [curl options...]: sets body to the answer; anything but a 2xx answer ends the script with 1.
call() {
  local method=$1 out status
  shift
  if ! out=$(printf 'header = "Authorization: Bearer %s"\\n' "$token" |
    curl -sS --connect-timeout 5 --max-time 30 "\${tls[@]}" --config - --request "$method" --write-out '\\n%{http_code}' "$@" "$url"); then
    echo "restart: $method $url: no answer from the API server" >&2
    exit 1
  fi
  status=\${out##*$nl}
  body=\${out%$nl*}
  if [[ $status != 2?? ]]; then
    printf 'restart: %s %s answered HTTP %s: %s\\n' "$method" "$url" "$status" "$body" >&2
    exit 1
  fi
}

call GET
template=$body
after_template='"template"[[:space:]]*:(.*)'
if [[ $body =~ $after_template ]]; then template=\${BASH_REMATCH[1]}; fi
template=\${template%%'"spec"'*}
key='"${BOOT_OBJECTS_PATTERN}"[[:space:]]*:[[:space:]]*"'
if [[ $template =~ $key$BOOT_HASH'"' ]]; then
  echo "restart: $WORKLOAD_PATH already runs with boot-time objects $BOOT_HASH: nothing Stalwart reads only at boot changed, no restart"
  exit 0
fi
previous=none
previous_value=$key'([^"]*)"'
if [[ $template =~ $previous_value ]]; then previous=\${BASH_REMATCH[1]}; fi
patch='{"spec":{"template":{"metadata":{"annotations":{"${BOOT_OBJECTS_ANNOTATION}":"'"$BOOT_HASH"'"}}}}}'
call PATCH --header 'Content-Type: application/strategic-merge-patch+json' --data-binary "$patch"
echo "restart: rolling the pods of $WORKLOAD_PATH once: objects Stalwart reads only at boot (listeners, coordinator, cluster roles) changed: digest $BOOT_HASH, the pod template had $previous"
`;

/** The actions that make the running server take up what the plan wrote; applied after the plan. */
export const RELOAD_NDJSON =
  `${JSON.stringify({ "@type": "create", object: "Action", value: { "reload-settings": { "@type": "ReloadSettings" } } })}\n` +
  `${JSON.stringify({ "@type": "create", object: "Action", value: { "reload-tls": { "@type": "ReloadTlsCertificates" } } })}\n`;

export interface ApplyJobInput {
  /** The plan, NDJSON as `stalwart-cli apply --file` reads it. */
  plan: string;
  /** What the objects are named after (`stalwart` gives `stalwart-apply-<hash>`), and their namespace. */
  instance: { base: string; namespace?: string };
  /** Where the Job reaches Stalwart's plain HTTP listener, in the cluster: `http://stalwart:8080`. */
  serverUrl: string;
  /** The Secret with `username` and `password`, or `token` with `useToken`. */
  credentialsSecret: string;
  /** Authenticate with an API key (`STALWART_TOKEN`, Secret key `token`) instead of user and password. */
  useToken?: boolean;
  /** The `stalwart-cli` image; DEFAULT_CLI_IMAGE when absent. */
  cliImage?: string;
  /** The Stalwart image, which has curl: the initContainer that waits for the server runs it. */
  waitImage: string;
  /** Run the Job as an Argo CD PostSync hook, deleted before the next sync's hook is created. */
  argoCdHook?: boolean;
  /**
   * Roll the Stalwart pods once after the apply when the objects Stalwart reads only at boot changed:
   * `bootHash` is the lower-case hex digest of those operations (the caller computes it), written to the
   * workload's pod template as BOOT_OBJECTS_ANNOTATION. Absent: no restart step and no ServiceAccount.
   */
  restart?: { workload: { kind: "Deployment" | "StatefulSet"; name: string }; bootHash: string };
}

export interface RenderedApplyJob {
  objects: KubeObject[];
  results: Result[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const BOOT_HASH = /^[0-9a-f]{8,128}$/;
/** The API resource of each workload kind the restart step may patch. */
const WORKLOAD_RESOURCES: Readonly<Record<NonNullable<ApplyJobInput["restart"]>["workload"]["kind"], string>> = { Deployment: "deployments", StatefulSet: "statefulsets" };

function error(message: string, path?: string): Result {
  return path ? { severity: "error", message, field: { path } } : { severity: "error", message };
}

/** Problems `stalwart-cli apply` would meet reading the plan: it skips blank lines, and each other must be a JSON operation. */
function planProblems(plan: string): Result[] {
  const lines = plan.split("\n").map((line) => line.trim());
  if (lines.every((line) => line === "")) return [error("the plan is empty: there is nothing to apply", "plan")];
  return lines.flatMap((line, index) => {
    if (line === "") return [];
    try {
      const operation: unknown = JSON.parse(line);
      if (typeof operation !== "object" || operation === null || Array.isArray(operation) || typeof (operation as Record<string, unknown>)["@type"] !== "string") {
        return [error(`plan line ${index + 1} is not an operation: a JSON object with "@type"`, "plan")];
      }
      return [];
    } catch {
      return [error(`plan line ${index + 1} is not JSON: stalwart-cli reads one operation per line, with no comments`, "plan")];
    }
  });
}

/** The server URL without a trailing slash, or the problem with it. */
function serverBase(url: string): { base?: string; problems: Result[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problems: [error(`serverUrl ${JSON.stringify(url)} is not a URL`, "serverUrl")] };
  }
  const problems: Result[] = [];
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") problems.push(error(`serverUrl must be http or https, not ${parsed.protocol}`, "serverUrl"));
  if (parsed.username || parsed.password) problems.push(error("serverUrl must not carry credentials: they come from credentialsSecret", "serverUrl"));
  if (parsed.search || parsed.hash) problems.push(error("serverUrl must have no query or fragment", "serverUrl"));
  return { base: url.replace(/\/+$/, ""), problems };
}

/** Problems with the restart input: the kind, name and digest end up in a URL, a Role and the script's env. */
function restartProblems(restart: NonNullable<ApplyJobInput["restart"]>): Result[] {
  const problems: Result[] = [];
  const { kind, name } = restart.workload;
  if (!Object.hasOwn(WORKLOAD_RESOURCES, kind)) problems.push(error(`restart.workload.kind must be Deployment or StatefulSet, not ${JSON.stringify(kind)}`, "restart.workload.kind"));
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) problems.push(error(`restart.workload.name ${JSON.stringify(name)} is not a workload name`, "restart.workload.name"));
  if (!BOOT_HASH.test(restart.bootHash)) problems.push(error(`restart.bootHash must be a lower-case hex digest of 8 to 128 digits, not ${JSON.stringify(restart.bootHash)}`, "restart.bootHash"));
  return problems;
}

export function renderApplyJob(input: ApplyJobInput): RenderedApplyJob {
  const cliImage = input.cliImage ?? DEFAULT_CLI_IMAGE;
  const { base, namespace } = input.instance;
  const server = serverBase(input.serverUrl);
  const results: Result[] = [...planProblems(input.plan), ...server.problems];
  if (!DNS_SUBDOMAIN.test(input.credentialsSecret)) results.push(error(`credentialsSecret ${JSON.stringify(input.credentialsSecret)} is not a Secret name`, "credentialsSecret"));
  if (!cliImage.trim()) results.push(error("cliImage is empty", "cliImage"));
  if (!input.waitImage.trim()) results.push(error("waitImage is empty", "waitImage"));
  const restart = input.restart;
  if (restart) results.push(...restartProblems(restart));

  // Everything the pod template depends on, so that one name never stands for two templates. Without a restart
  // step `restart` is undefined, which JSON.stringify leaves out: those Jobs keep the names they had.
  const hashed = {
    plan: input.plan,
    reload: RELOAD_NDJSON,
    cliImage,
    serverUrl: server.base ?? input.serverUrl,
    waitImage: input.waitImage,
    credentialsSecret: input.credentialsSecret,
    useToken: input.useToken === true,
    restart: restart && { kind: restart.workload.kind, name: restart.workload.name, bootHash: restart.bootHash, script: RESTART_SCRIPT },
  };
  const hash8 = sha256Hex(JSON.stringify(hashed)).slice(0, 8);
  const jobName = `${base}-apply-${hash8}`;
  const configMapName = `${base}-plan-${hash8}`;
  if (!DNS_LABEL.test(jobName) || jobName.length > MAX_JOB_NAME) {
    results.push(error(`the Job name ${jobName} is not a DNS label of at most ${MAX_JOB_NAME} characters: shorten the instance's base name ${JSON.stringify(base)}`, "instance.base"));
  }
  const bytes = new TextEncoder().encode(input.plan).length + new TextEncoder().encode(RELOAD_NDJSON).length;
  if (bytes > MAX_CONFIG_MAP_BYTES - 4096) results.push(error(`the plan is ${bytes} bytes: a ConfigMap holds at most 1 MiB`, "plan"));
  if (results.some((result) => result.severity === "error") || server.base === undefined) return { objects: [], results };

  const metadata = (name: string, annotations?: Record<string, string>) => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels: applyJobLabels(base),
    ...(annotations ? { annotations } : {}),
  });

  const configMap: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(configMapName),
    immutable: true,
    data: { [PLAN_KEY]: input.plan, [RELOAD_KEY]: RELOAD_NDJSON },
  };

  const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: input.credentialsSecret, key } } });
  const cliEnv = [
    { name: "STALWART_URL", value: server.base },
    ...(input.useToken ? [secretEnv("STALWART_TOKEN", "token")] : [secretEnv("STALWART_USER", "username"), secretEnv("STALWART_PASSWORD", "password")]),
    { name: "XDG_CACHE_HOME", value: CACHE_MOUNT },
  ];
  const securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
  const cliContainer = (name: string, file: string) => ({
    name,
    image: cliImage,
    args: ["apply", "--file", `${PLAN_MOUNT}/${file}`],
    env: cliEnv,
    volumeMounts: [
      { name: "plan", mountPath: PLAN_MOUNT, readOnly: true },
      { name: "cache", mountPath: CACHE_MOUNT },
    ],
    resources: { requests: { cpu: "10m", memory: "32Mi" } },
    securityContext,
  });
  const reload = cliContainer("reload", RELOAD_KEY);
  // Not hashed: the names stay the same from one plan to the next, and one set serves every Job.
  const accountName = `${base}-apply`;
  const resource = restart && WORKLOAD_RESOURCES[restart.workload.kind];
  const restartContainer = restart && {
    name: "restart",
    image: input.waitImage,
    command: ["bash", "-c", RESTART_SCRIPT],
    env: [
      { name: "BOOT_HASH", value: restart.bootHash },
      { name: "WORKLOAD_PATH", value: `${resource}/${restart.workload.name}` },
    ],
    resources: { requests: { cpu: "10m", memory: "16Mi" } },
    securityContext,
    volumeMounts: [{ name: API_TOKEN_VOLUME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true }],
  };

  const job: KubeObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(jobName, input.argoCdHook ? { [ARGOCD_HOOK_ANNOTATION]: "PostSync", [ARGOCD_HOOK_DELETE_POLICY_ANNOTATION]: "BeforeHookCreation" } : undefined),
    spec: {
      backoffLimit: 6,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels: applyJobLabels(base) },
        spec: {
          restartPolicy: "Never",
          // No automounted token: with a restart step, only the restart container mounts one (API_TOKEN_VOLUME).
          ...(restart ? { serviceAccountName: accountName } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: NONROOT_UID, runAsGroup: NONROOT_UID, seccompProfile: { type: "RuntimeDefault" } },
          initContainers: [
            {
              name: "wait",
              image: input.waitImage,
              // At most 60 tries 5 s apart; Stalwart answers at most 100 anonymous requests a minute per source.
              command: ["curl", "-fsS", "-o", "/dev/null", "--connect-timeout", "5", "--max-time", "10", "--retry", "60", "--retry-delay", "5", "--retry-all-errors", `${server.base}/healthz/ready`],
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
              securityContext,
            },
            cliContainer("apply", PLAN_KEY),
            ...(restartContainer ? [reload] : []),
          ],
          containers: [restartContainer ?? reload],
          volumes: [
            { name: "plan", configMap: { name: configMapName, defaultMode: 0o444 } },
            { name: "cache", emptyDir: { sizeLimit: "64Mi" } },
            ...(restart ? [apiTokenVolume()] : []),
          ],
        },
      },
    },
  };
  if (!restart) return { objects: [configMap, job], results };

  // Plain resources, not hooks: with `argoCdHook`, Argo CD syncs them before it creates the PostSync Job.
  const rbac: KubeObject[] = [
    // No token by default: the Job's pod asks for one (automountServiceAccountToken on the pod wins).
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(accountName), automountServiceAccountToken: false },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(accountName),
      rules: [{ apiGroups: ["apps"], resources: [resource], resourceNames: [restart.workload.name], verbs: ["get", "patch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(accountName),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: accountName },
      subjects: [{ kind: "ServiceAccount", name: accountName, ...(namespace ? { namespace } : {}) }],
    },
  ];
  return { objects: [...rbac, configMap, job], results };
}
