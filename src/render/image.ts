/**
 * Stalwart images and the line their tag names. The bases and components leave the Stalwart image untagged, so
 * that `spec.version` alone picks the release; a tag set with kustomize's `images:` must name the same line.
 */
import type { Line } from "../lines.js";
import type { Container, PodSpec } from "./workload.js";

export interface ImageReference {
  /** Everything before the tag and digest: `registry.example.com/stalwart`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageReference {
  const at = image.indexOf("@");
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  // A colon after the last slash starts the tag; one before it belongs to a registry's port.
  const colon = withoutDigest.lastIndexOf(":");
  const hasTag = colon > withoutDigest.lastIndexOf("/");
  return {
    repository: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Stalwart's images are named `stalwart` (stalwartlabs/stalwart, a mirror, a build with FoundationDB). */
export function isStalwartImage(reference: ImageReference): boolean {
  return /(^|\/)stalwart$/.test(reference.repository);
}

/** The line a version tag names (`v0.15.5`, `v0.15`, `v0.15.5-fdb`), or undefined for another tag (`latest`). */
export function lineOfTag(tag: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(tag);
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
}

/** The pod's containers and init containers, each with where it sits. */
export function podContainers(pod: PodSpec): { container: Container; path: string }[] {
  return [
    ...(pod.initContainers ?? []).map((container) => ({ container, path: `spec.template.spec.initContainers[name=${container.name}].image` })),
    ...pod.containers.map((container) => ({ container, path: `spec.template.spec.containers[name=${container.name}].image` })),
  ];
}

/**
 * The image with the release's tag when it is a Stalwart image with neither tag nor digest, or with a tag the
 * function gave it on an earlier run (`ownTags`: kpt feeds its output back); otherwise as it is.
 */
export function withReleaseTag(image: string, release: string, ownTags: readonly string[] = []): string {
  const reference = parseImage(image);
  if (!isStalwartImage(reference) || reference.digest) return image;
  if (!reference.tag) return `${image}:${release}`;
  return ownTags.includes(reference.tag) ? `${reference.repository}:${release}` : image;
}

/** Stalwart images whose version tag names another line than `line`; tags the function gave are its own to change. */
export function imagesOfAnotherLine(pod: PodSpec, line: Line, ownTags: readonly string[] = []): { path: string; image: string; imageLine: string }[] {
  return podContainers(pod).flatMap(({ container, path }) => {
    if (typeof container.image !== "string") return [];
    const reference = parseImage(container.image);
    if (reference.tag && ownTags.includes(reference.tag)) return [];
    const imageLine = reference.tag && isStalwartImage(reference) ? lineOfTag(reference.tag) : undefined;
    return imageLine && imageLine !== line ? [{ path, image: container.image, imageLine }] : [];
  });
}
