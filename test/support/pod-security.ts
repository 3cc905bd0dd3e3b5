/**
 * The Pod Security Standards "restricted" profile (Kubernetes v1.32, which includes "baseline"), checked on the
 * pod template of every workload: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import type { KubeObject } from "../../src/kube.ts";

type Obj = Record<string, unknown>;

const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

function obj(value: unknown): Obj {
  return typeof value === "object" && value !== null ? (value as Obj) : {};
}

/** The pod spec and metadata of a workload, or undefined for objects without pods. */
export function podTemplateOf(object: KubeObject): { spec: Obj; metadata: Obj } | undefined {
  const spec = obj(object.spec);
  switch (object.kind) {
    case "Pod":
      return { spec, metadata: obj(object.metadata) };
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return { spec: obj(obj(spec.template).spec), metadata: obj(obj(spec.template).metadata) };
    case "CronJob": {
      const template = obj(obj(obj(spec.jobTemplate).spec).template);
      return { spec: obj(template.spec), metadata: obj(template.metadata) };
    }
    default:
      return undefined;
  }
}

/** Every violation of the restricted profile in the object's pod template. */
export function restrictedViolations(object: KubeObject): string[] {
  const pod = podTemplateOf(object);
  if (!pod) return [];
  const v: string[] = [];
  const spec = pod.spec;
  const podSc = obj(spec.securityContext);
  const containers = [...(spec.initContainers as Obj[] | undefined ?? []), ...(spec.containers as Obj[] | undefined ?? []), ...(spec.ephemeralContainers as Obj[] | undefined ?? [])];

  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[field] === true) v.push(`${field} must not be true`);
  if (obj(podSc.windowsOptions).hostProcess === true) v.push("pod windowsOptions.hostProcess must not be true");
  for (const [key, value] of Object.entries(obj(pod.metadata.annotations))) {
    if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value !== "runtime/default" && !String(value).startsWith("localhost/")) v.push(`AppArmor annotation ${key}=${String(value)}`);
  }
  const checkSeLinux = (sc: Obj, where: string) => {
    const se = obj(sc.seLinuxOptions);
    if (!SELINUX_TYPES.has(String(se.type ?? ""))) v.push(`${where} seLinuxOptions.type ${String(se.type)}`);
    if (se.user !== undefined || se.role !== undefined) v.push(`${where} seLinuxOptions.user/role must be unset`);
  };
  const checkAppArmor = (sc: Obj, where: string) => {
    const type = obj(sc.appArmorProfile).type;
    if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost") v.push(`${where} appArmorProfile.type ${String(type)}`);
  };
  checkSeLinux(podSc, "pod");
  checkAppArmor(podSc, "pod");
  for (const sysctl of (podSc.sysctls as Obj[] | undefined) ?? []) if (!SAFE_SYSCTLS.has(String(sysctl.name))) v.push(`sysctl ${String(sysctl.name)} is not in the safe set`);
  for (const volume of (spec.volumes as Obj[] | undefined) ?? []) {
    const types = Object.keys(volume).filter((key) => key !== "name");
    for (const type of types) if (!RESTRICTED_VOLUMES.has(type)) v.push(`volume ${String(volume.name)} of type ${type} is not allowed`);
  }
  const podSeccomp = obj(podSc.seccompProfile).type;
  if (podSeccomp === "Unconfined") v.push("pod seccompProfile must not be Unconfined");
  if (podSc.runAsUser === 0) v.push("pod runAsUser must not be 0");

  for (const container of containers) {
    const name = `container ${String(container.name)}`;
    const sc = obj(container.securityContext);
    const caps = obj(sc.capabilities);
    if (sc.privileged === true) v.push(`${name} must not be privileged`);
    if (obj(sc.windowsOptions).hostProcess === true) v.push(`${name} windowsOptions.hostProcess must not be true`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") v.push(`${name} procMount must be Default`);
    checkSeLinux(sc, name);
    checkAppArmor(sc, name);
    for (const port of (container.ports as Obj[] | undefined) ?? []) if (port.hostPort !== undefined && port.hostPort !== 0) v.push(`${name} uses hostPort ${String(port.hostPort)}`);
    for (const cap of (caps.add as string[] | undefined) ?? []) {
      if (!BASELINE_CAPABILITIES.has(cap)) v.push(`${name} adds capability ${cap} (baseline)`);
      if (cap !== "NET_BIND_SERVICE") v.push(`${name} adds capability ${cap} (restricted allows only NET_BIND_SERVICE)`);
    }
    if (!((caps.drop as string[] | undefined) ?? []).includes("ALL")) v.push(`${name} must drop capability ALL`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${name} must set allowPrivilegeEscalation: false`);
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true) v.push(`${name} must run with runAsNonRoot: true`);
    if (sc.runAsUser === 0) v.push(`${name} runAsUser must not be 0`);
    const seccomp = obj(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push(`${name} must use seccompProfile RuntimeDefault or Localhost`);
  }
  return v.map((violation) => `${object.kind}/${object.metadata.name}: ${violation}`);
}
