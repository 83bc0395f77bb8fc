import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseAllDocuments, parse } from "yaml";

/** One Kubernetes object as a kustomization renders it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind?: string; name?: string }; patch: string }[];
}

type JsonPatch = { op: "add" | "replace" | "remove"; path: string; value?: unknown }[];

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
]);

function applyJsonPatch(target: K8sObject, patch: JsonPatch): void {
  for (const { op, path, value } of patch) {
    const keys = path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop()!;
    let node = target as unknown as Record<string, unknown>;
    for (const key of keys) {
      if (!(key in node))
        throw new Error(`patch path ${path} not found in ${target.kind}/${target.metadata.name}`);
      node = node[key] as Record<string, unknown>;
    }
    if (op !== "add" && !(last in node))
      throw new Error(`patch path ${path} not found in ${target.kind}/${target.metadata.name}`);
    if (op === "remove") delete node[last];
    else if (Array.isArray(node) && last === "-") (node as unknown[]).push(value);
    else node[last] = value;
  }
}

function setImages(object: K8sObject, images: NonNullable<Kustomization["images"]>): void {
  const spec = object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined;
  for (const container of spec?.template?.spec?.containers ?? []) {
    const [name, tag] = container.image.split(":");
    const rule = images.find((i) => i.name === name);
    if (rule) container.image = `${rule.newName ?? name}:${rule.newTag ?? tag ?? "latest"}`;
  }
}

/**
 * Renders a kustomization directory as `kubectl kustomize` would for the features this repository
 * uses: resources (files and directories), namespace, images, and JSON 6902 patches by kind and name.
 * Anything else in a kustomization is refused rather than silently ignored.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, "kustomization.yaml");
  const k = parse(readFileSync(file, "utf8")) as Kustomization & Record<string, unknown>;
  const known = new Set(["apiVersion", "kind", "resources", "namespace", "images", "patches"]);
  const unknown = Object.keys(k).filter((key) => !known.has(key));
  if (unknown.length) throw new Error(`${file}: unsupported fields ${unknown.join(", ")}`);
  const objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = resolve(dir, resource);
    if (!existsSync(path)) throw new Error(`${file}: resource ${resource} not found`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
        if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
        const value = doc.toJS() as K8sObject | null;
        if (value) objects.push(value);
      }
  }
  for (const object of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
    if (k.images) setImages(object, k.images);
  }
  for (const { target, patch } of k.patches ?? []) {
    const matches = objects.filter(
      (o) => (!target.kind || o.kind === target.kind) && (!target.name || o.metadata.name === target.name),
    );
    if (!matches.length) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
    for (const object of matches) applyJsonPatch(object, parse(patch) as JsonPatch);
  }
  return objects;
}

export const KUSTOMIZE_ROOT = resolve(dirname(__dirname), "..", "deploy", "k8s");
