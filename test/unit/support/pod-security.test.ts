import assert from "node:assert/strict";
import { test } from "node:test";
import { restrictedViolations } from "../../support/pod-security.ts";
import { workloadOf } from "../../support/fixtures.ts";

test("the checker accepts the base Deployment", () => {
  assert.deepEqual(restrictedViolations(workloadOf()), []);
});

test("the checker finds what violates the restricted profile", () => {
  const deployment = workloadOf() as any;
  const pod = deployment.spec.template.spec;
  pod.hostNetwork = true;
  pod.securityContext.sysctls.push({ name: "net.core.somaxconn", value: "1024" });
  pod.volumes.push({ name: "host", hostPath: { path: "/var" } });
  const container = pod.containers[0];
  container.securityContext = { capabilities: { add: ["SYS_ADMIN"] }, runAsUser: 0 };
  pod.securityContext.seccompProfile = { type: "Unconfined" };
  const violations = restrictedViolations(deployment).join("\n");
  for (const expected of ["hostNetwork", "net.core.somaxconn", "hostPath", "SYS_ADMIN", "drop capability ALL", "allowPrivilegeEscalation", "runAsUser must not be 0", "Unconfined"]) {
    assert.match(violations, new RegExp(expected), expected);
  }
});
