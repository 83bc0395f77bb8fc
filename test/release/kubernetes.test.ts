import { join } from "node:path";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { consoleSignIn } from "../../gateway/console-sign-in";
import { makeServiceKeyPair } from "../../subgraphs/shared/service-key";
import { SUBGRAPH_NAMES, DEFAULT_PORTS, loadConfig, type SubgraphName } from "../../subgraphs/shared/config";
import { jobsBudget, serviceBudget } from "../../subgraphs/shared/connection-budget";
import { KUSTOMIZE_ROOT, renderKustomization, type K8sObject } from "../support/kustomize";

/** The Kubernetes schema of each kind the manifests use (kubernetes-models, offline). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "batch/v1/Job": Job,
  "batch/v1/CronJob": CronJob,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

const SERVICES = ["gateway", ...SUBGRAPH_NAMES] as const;
const rendered = {
  base: renderKustomization(join(KUSTOMIZE_ROOT, "base")),
  production: renderKustomization(join(KUSTOMIZE_ROOT, "overlays", "production")),
};
const objects = rendered.production;
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: Rule[];
  egress?: Rule[];
}

const selects = (selector: Selector | undefined, labels: Labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

/** NetworkPolicy semantics for pods of this namespace: allowed if any policy selecting the pod allows it. */
function allowed(direction: "Ingress" | "Egress", pod: Labels, peer: Labels, port: number): boolean {
  const policies = objects
    .filter((o) => o.kind === "NetworkPolicy")
    .map((o) => o.spec as PolicySpec)
    .filter((p) => p.policyTypes.includes(direction) && selects(p.podSelector, pod));
  if (!policies.length) return true;
  return policies.some((p) =>
    ((direction === "Ingress" ? p.ingress : p.egress) ?? []).some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      const peerOk =
        !peers ||
        peers.some(
          (x) => !x.ipBlock && !x.namespaceSelector && x.podSelector && selects(x.podSelector, peer),
        );
      const portOk = !rule.ports || rule.ports.some((p) => p.port === undefined || p.port === port);
      return peerOk && portOk;
    }),
  );
}
/** Both ends agree: the caller may send, the callee may receive. */
const canReach = (from: Labels, to: Labels, port: number) =>
  allowed("Egress", from, to, port) && allowed("Ingress", to, from, port);

function podLabels(name: string): Labels {
  const cronJob = find("CronJob", name) as
    | (K8sObject & { spec: { jobTemplate: { spec: { template: { metadata: { labels: Labels } } } } } })
    | undefined;
  if (cronJob) return cronJob.spec.jobTemplate.spec.template.metadata.labels;
  const workload = (find("Deployment", name) ?? find("Job", name)) as K8sObject & {
    spec: { template: { metadata: { labels: Labels } } };
  };
  return workload.spec.template.metadata.labels;
}
const database = (name: string): Labels => ({ "partnership-graph.io/database": name });

describe("Kubernetes manifests (deploy/k8s, Kustomize)", () => {
  test.each(Object.keys(rendered) as (keyof typeof rendered)[])(
    "%s renders to objects valid against the Kubernetes schemas",
    (which) => {
      const problems: string[] = [];
      for (const object of rendered[which]) {
        const Model = MODELS[`${object.apiVersion}/${object.kind}`];
        if (!Model) {
          problems.push(`${object.kind}/${object.metadata.name}: no schema for ${object.apiVersion}`);
          continue;
        }
        try {
          new Model(object as never).validate();
        } catch (error) {
          problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
      expect(rendered[which].length).toBeGreaterThan(30);
    },
  );

  test("the overlay sets the namespace, the image and the identity provider", () => {
    expect(
      objects
        .filter((o) => o.kind !== "Namespace")
        .every((o) => o.metadata.namespace === "partnership-graph"),
    ).toBe(true);
    const config = find("ConfigMap", "partnership-graph") as K8sObject & { data: Record<string, string> };
    expect(config.data.JWKS_URL).toMatch(/^https:\/\/login\.partnership\.example\//);
    expect(config.data.NODE_ENV).toBe("production");
    expect(config.data.HOST).toBe("0.0.0.0");
  });

  test("the gateway's console signs people in at the overlay's identity provider, as the realm's public client", () => {
    const config = find("ConfigMap", "partnership-graph") as K8sObject & { data: Record<string, string> };
    const gateway = find("Deployment", "gateway") as K8sObject & {
      spec: { template: { spec: { containers: { envFrom?: { configMapRef?: { name: string } }[] }[] } } };
    };
    expect(gateway.spec.template.spec.containers[0].envFrom).toContainEqual({
      configMapRef: { name: "partnership-graph" },
    });
    expect(consoleSignIn(loadConfig(config.data))).toEqual({
      method: "oidc",
      issuer: "https://login.partnership.example/realms/partnership",
      clientId: "partnership-console",
      scope: "openid profile",
      // Keycloak's sub is a UUID: the realm maps the username, which the audit and console show.
      userClaim: "preferred_username",
    });
  });

  test.each(SERVICES)("%s: probes on /ready and /health, requests, non-root, drains, HPA and PDB", (name) => {
    const deployment = find("Deployment", name) as K8sObject & {
      spec: { template: { spec: Record<string, unknown> & { containers: Record<string, never>[] } } };
    };
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers as unknown as {
      image: string;
      command: string[];
      ports: { containerPort: number }[];
      readinessProbe: { httpGet: { path: string } };
      livenessProbe: { httpGet: { path: string } };
      resources: { requests: { cpu: string; memory: string } };
      securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean };
    }[];
    expect(container.image).toBe("registry.example/partnership-graph:0.1.0");
    expect(container.command).toEqual([
      "node",
      name === "gateway" ? "dist/gateway/index.js" : `dist/subgraphs/${name}/index.js`,
    ]);
    expect(container.ports[0].containerPort).toBe(DEFAULT_PORTS[name]);
    expect(container.readinessProbe.httpGet.path).toBe("/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.requests.memory).toBeTruthy();
    expect((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    // Longer than the 20 s drain SIGTERM gives in-flight requests.
    expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(20);

    const hpa = find("HorizontalPodAutoscaler", name) as K8sObject & {
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number };
    };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find("PodDisruptionBudget", name) as K8sObject & { spec: { selector: Selector } };
    expect(selects(pdb.spec.selector, podLabels(name))).toBe(true);
    expect(find("Service", name)).toBeDefined();
  });

  test("only the gateway reaches the subgraphs", () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      const port = DEFAULT_PORTS[subgraph];
      expect(canReach(podLabels("gateway"), podLabels(subgraph), port)).toBe(true);
      for (const other of SUBGRAPH_NAMES.filter((s) => s !== subgraph))
        expect([other, subgraph, canReach(podLabels(other), podLabels(subgraph), port)]).toEqual([
          other,
          subgraph,
          false,
        ]);
      expect(canReach({ app: "anything-else" }, podLabels(subgraph), port)).toBe(false);
    }
  });

  test("each subgraph reaches its own database (and governance's, for decisions and the audit), no other", () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      for (const db of SUBGRAPH_NAMES) {
        const expected = db === subgraph || db === "governance";
        expect([subgraph, db, canReach(podLabels(subgraph), database(db), 5432)]).toEqual([
          subgraph,
          db,
          expected,
        ]);
      }
    }
    // The gateway reads registered agencies from governance only; the migration step reaches them all.
    for (const db of SUBGRAPH_NAMES) {
      expect(canReach(podLabels("gateway"), database(db), 5432)).toBe(db === "governance");
      expect(canReach(podLabels("migrate"), database(db), 5432)).toBe(true);
      // The retention job works in every store (as each service).
      expect(canReach(podLabels("retention"), database(db), 5432)).toBe(true);
    }
  });

  describe("the case review count service's key pair (Secret case-review-service)", () => {
    interface EnvVar {
      name: string;
      value?: string;
      valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown };
    }
    interface Container {
      env?: EnvVar[];
      envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
      volumeMounts?: { name: string }[];
    }
    interface PodSpec {
      containers: Container[];
      initContainers?: Container[];
      volumes?: { name: string; secret?: { secretName: string }; projected?: unknown }[];
    }
    /** Every pod template the manifests run (Deployments, Jobs and CronJobs), by workload name. */
    const pods = objects.flatMap((o): [string, PodSpec][] => {
      const spec = o.spec as {
        template?: { spec: PodSpec };
        jobTemplate?: { spec: { template: { spec: PodSpec } } };
      };
      if (spec?.template) return [[o.metadata.name, spec.template.spec]];
      if (spec?.jobTemplate) return [[o.metadata.name, spec.jobTemplate.spec.template.spec]];
      return [];
    });
    const containers = (pod: PodSpec) => [...pod.containers, ...(pod.initContainers ?? [])];
    /** The keys of case-review-service a workload can read, however it is given them. */
    function keysOf(pod: PodSpec): string[] {
      const keys = containers(pod).flatMap((c) => [
        ...(c.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef?.name === "case-review-service")
          .map((e) => `${e.name}=${e.valueFrom!.secretKeyRef!.key}`),
        // The whole Secret as variables would give both keys.
        ...(c.envFrom ?? []).filter((e) => e.secretRef?.name === "case-review-service").map(() => "all keys"),
      ]);
      const mounted = (pod.volumes ?? []).filter(
        (v) =>
          v.secret?.secretName === "case-review-service" ||
          JSON.stringify(v.projected ?? {}).includes("case-review-service"),
      );
      return [...keys, ...mounted.map(() => "mounted")].sort();
    }

    test("only partnership is given the private key; police, council and housing the public one; nothing else either", () => {
      expect(pods.length).toBeGreaterThan(SERVICES.length);
      const given = Object.fromEntries(pods.map(([name, pod]) => [name, keysOf(pod)]));
      const expected = Object.fromEntries(
        pods.map(([name]) => [
          name,
          name === "partnership"
            ? ["CASE_REVIEW_SERVICE_PRIVATE_JWK=private-jwk"]
            : ["police", "council", "housing"].includes(name)
              ? ["CASE_REVIEW_SERVICE_PUBLIC_JWK=public-jwk"]
              : [],
        ]),
      );
      expect(given).toEqual(expected);
      // And no variable of any workload carries either key by value.
      for (const [name, pod] of pods)
        for (const e of containers(pod).flatMap((c) => c.env ?? []))
          if (/CASE_REVIEW_SERVICE/.test(e.name))
            expect([name, e.name, e.value]).toEqual([name, e.name, undefined]);
    });

    test("each subgraph's Deployment gives it everything production's configuration check asks of it", () => {
      // What the Secrets would hold, created outside the repository (README, "Run it in production").
      const pair = makeServiceKeyPair();
      const secretValue = (secret: string, key: string): string => {
        if (secret === "case-review-service")
          return JSON.stringify(key === "private-jwk" ? pair.privateJwk : pair.publicJwk);
        if (key === "url") return `postgres://${secret}:pw@db.example:5432/${secret}`;
        return "s".repeat(32);
      };
      const config = (find("ConfigMap", "partnership-graph") as K8sObject & { data: Record<string, string> })
        .data;
      for (const subgraph of SUBGRAPH_NAMES) {
        const [container] = Object.fromEntries(pods)[subgraph].containers;
        expect(container.envFrom).toContainEqual({ configMapRef: { name: "partnership-graph" } });
        const env: NodeJS.ProcessEnv = { ...config };
        for (const e of container.env ?? [])
          env[e.name] = e.valueFrom?.secretKeyRef
            ? secretValue(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key)
            : e.value;
        let problems = "";
        try {
          loadConfig(env, { serving: [subgraph] });
        } catch (error) {
          problems = (error as Error).message;
        }
        expect([subgraph, problems]).toEqual([subgraph, ""]);
      }
    });
  });

  describe("connections: a PgBouncer per database (README, Connections)", () => {
    const ini = (subgraph: SubgraphName) => {
      const map = find("ConfigMap", `${subgraph}-pooler`) as K8sObject & { data: Record<string, string> };
      return Object.fromEntries(
        [...map.data["pgbouncer.ini"].matchAll(/^(\w+) = (.*)$/gm)].map((m) => [m[1], m[2]]),
      );
    };
    const poolerReplicas = (subgraph: SubgraphName) =>
      (find("Deployment", `${subgraph}-pooler`) as K8sObject & { spec: { replicas: number } }).spec.replicas;
    /** The most pods of a Deployment at once: its autoscaler's ceiling and a rolling update's surge. */
    const mostPods = (name: string) => {
      const hpa = find("HorizontalPodAutoscaler", name) as K8sObject & { spec: { maxReplicas: number } };
      const deployment = find("Deployment", name) as K8sObject & {
        spec: { strategy: { rollingUpdate: { maxSurge: number } } };
      };
      return hpa.spec.maxReplicas + deployment.spec.strategy.rollingUpdate.maxSurge;
    };

    test.each(SUBGRAPH_NAMES)(
      "%s: transaction pooling, prepared statements kept, never a third pooler",
      (name) => {
        const settings = ini(name);
        expect(settings.pool_mode).toBe("transaction");
        expect(Number(settings.max_prepared_statements)).toBeGreaterThan(0);
        expect(settings.auth_file).toBe("/etc/pgbouncer/auth/userlist.txt");
        const deployment = find("Deployment", `${name}-pooler`) as K8sObject & {
          spec: { strategy: { rollingUpdate: { maxSurge: number } } };
        };
        expect(deployment.spec.strategy.rollingUpdate.maxSurge).toBe(0);
        // Reached exactly as its database is, and reaching that database only.
        for (const db of SUBGRAPH_NAMES)
          expect([db, canReach(podLabels(`${name}-pooler`), database(db), 5432)]).toEqual([db, db === name]);
      },
    );

    test("all databases on one PostgreSQL of max_connections 100: the poolers and the migration fit", () => {
      const poolers = SUBGRAPH_NAMES.reduce(
        (total, name) => total + poolerReplicas(name) * Number(ini(name).max_db_connections),
        0,
      );
      // 3 kept for superusers (an operator's psql); the migration goes to PostgreSQL directly.
      expect(poolers + jobsBudget().migrate).toBeLessThanOrEqual(100 - 3);
    });

    test("every replica the autoscalers may run, rolling updates included, fits what each pooler accepts", () => {
      const config = find("ConfigMap", "partnership-graph") as K8sObject & { data: Record<string, string> };
      // The services' own check accepts the ConfigMap's budget...
      const settings = loadConfig(config.data);
      // ...and the manifests' real ceilings fit the poolers: the clients of each database.
      for (const db of SUBGRAPH_NAMES) {
        let clients = 0;
        for (const service of SERVICES) {
          const pools = serviceBudget(settings, service);
          const onDb =
            (service === db ? (pools.own ?? 0) : 0) +
            (db === "governance" && service !== "governance" ? (pools.governance ?? pools.registry ?? 0) : 0);
          clients += mostPods(service) * onDb;
        }
        // The retention job works in every store as each service (through the poolers).
        clients += jobsBudget().retention;
        expect([db, clients <= poolerReplicas(db) * Number(ini(db).max_client_conn)]).toEqual([db, true]);
      }
      expect(Number(settings.REPLICAS_PER_SERVICE)).toBeGreaterThanOrEqual(mostPods("police"));
    });
  });
});
