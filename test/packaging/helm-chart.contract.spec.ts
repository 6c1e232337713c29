import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse as parseYaml } from 'yaml';
import { type KubernetesObject, renderChart, valuesPathsUsed } from './helm-subset.renderer';

const CHART = resolve(__dirname, '..', '..', 'docker', 'helm', 'keel');
const values = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object;
const chart = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Record<string, string>;

// Each kind the chart may render, checked against the Kubernetes (and Prometheus Operator) schemas.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const EVERYTHING_ON = {
  api: { autoscaling: { enabled: true } },
  worker: { podDisruptionBudget: { enabled: true } },
  ingress: {
    enabled: true,
    className: 'nginx',
    annotations: { 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' },
    tls: [{ secretName: 'keel-tls', hosts: ['keel.example.com'] }],
  },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  secret: { values: { SECRET_KEY: 'k'.repeat(40), DATABASE_URL: 'postgres://keel@db/keel' } },
  image: { tag: '1.2.3' },
};

type Container = {
  name: string;
  image: string;
  args: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources: unknown;
  securityContext: Record<string, unknown>;
};
type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; securityContext: Record<string, unknown> };
};

function find(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const podTemplate = (o: KubernetesObject) => (o.spec as { template: PodTemplate }).template;

/**
 * Issue 16, contract test of docker/helm/keel: no Helm runs here, so the templates are rendered by
 * the subset renderer (./helm-subset.renderer.ts, itself tested against known outputs) and every
 * object is validated against the Kubernetes schemas; the values against values.schema.json.
 */
describe('the Helm chart (docker/helm/keel)', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  const validateValues = ajv.compile(schema);

  it('has values.yaml described by values.schema.json, which refuses what would break a release', () => {
    expect(validateValues(values)).toBe(true);
    const withValues = (patch: Record<string, unknown>) => ({ ...values, ...patch });
    const refused = [
      withValues({ config: { LOG_LEVEL: 'info', DB_POOL_SIZE: 10 } }),
      withValues({ config: { SECRET_KEY: 'x'.repeat(40) } }),
      withValues({ secret: { create: false, existingSecret: '', values: {} } }),
      withValues({ secret: { create: true, existingSecret: '', values: { SECRET_KEY: 'short' } } }),
      withValues({ service: { type: 'ClusterIP', port: 0 } }),
      withValues({ image: { repository: 'keel', tag: '', pullPolicy: 'Sometimes' } }),
      withValues({ unknownKey: true }),
    ];
    for (const bad of refused) expect({ bad, valid: validateValues(bad) }).toEqual({ bad, valid: false });
  });

  it('reads only .Values paths that values.yaml defines', () => {
    const used = valuesPathsUsed(CHART);
    expect(used.length).toBeGreaterThan(30);
    const missing = used.filter(({ path }) => {
      let node: unknown = values;
      for (const key of path) {
        if (node === null || typeof node !== 'object' || !(key in node)) return true;
        node = (node as Record<string, unknown>)[key];
      }
      return false;
    });
    expect(missing.map(({ path, file }) => `${file}: .Values.${path.join('.')}`)).toEqual([]);
  });

  it.each([
    ['the default values', {}],
    ['every option on', EVERYTHING_ON],
    [
      'an existing Secret and no migration Job',
      { secret: { create: false, existingSecret: 'keel-env' }, migrations: { enabled: false } },
    ],
  ])('renders valid Kubernetes objects with %s', (_name, overrides) => {
    const { objects } = renderChart(CHART, overrides);
    expect(objects.length).toBeGreaterThanOrEqual(6);
    for (const { source, object } of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect({ source, kind: `${object.apiVersion}/${object.kind}`, known: Model !== undefined }).toMatchObject({
        known: true,
      });
      expect(() => new Model(object as never).validate()).not.toThrow();
    }
  });

  it('catches an object Kubernetes would refuse (the validation can fail)', () => {
    // The values schema would stop these first; the objects are checked on their own too.
    const { objects } = renderChart(CHART, { api: { replicas: 'two' }, service: { port: 'http-port' } });
    const errors = objects.flatMap(({ object }) => {
      try {
        new MODELS[`${object.apiVersion}/${object.kind}`](object as never).validate();
        return [];
      } catch (error) {
        return [`${object.kind}: ${(error as Error).message}`];
      }
    });
    expect(errors).toEqual([
      expect.stringMatching(/^Deployment: .*spec\/replicas must be integer/),
      expect.stringMatching(/^Service: .*ports\/0\/port must be integer/),
    ]);
  });

  it('with the default values: the API and worker Deployments, Service, ConfigMap, Secret, PDB and the migration hook', () => {
    const objects = renderChart(CHART).objects.map((o) => o.object);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/keel',
      'Deployment/keel-api',
      'Deployment/keel-worker',
      'Job/keel-migrate',
      'PodDisruptionBudget/keel-api',
      'Secret/keel',
      'Service/keel-api',
      'ServiceAccount/keel',
    ]);
    const api = find(objects, 'Deployment', 'keel-api');
    expect((api.spec as { replicas: number }).replicas).toBe(2);
    const pod = podTemplate(api);
    const [container] = pod.spec.containers;
    expect(container.image).toBe(`keel:${chart.appVersion}`);
    expect(container.args).toEqual(['node', 'dist/main.js']);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 5001, protocol: 'TCP' }]);
    expect(container.resources).toEqual((values.api as { resources: unknown }).resources);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'keel' } }, { secretRef: { name: 'keel' } }]);

    const worker = podTemplate(find(objects, 'Deployment', 'keel-worker')).spec.containers[0];
    expect(worker.args).toEqual(['node', 'dist/worker.js']);
    expect(worker.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'health' });
    expect(worker.ports).toEqual([{ name: 'health', containerPort: 5002, protocol: 'TCP' }]);

    // The Service and the PDB select the API pods, and only them.
    const apiLabels = pod.metadata.labels;
    const service = find(objects, 'Service', 'keel-api').spec as { selector: Record<string, string> };
    expect(apiLabels).toMatchObject(service.selector);
    expect(service.selector['app.kubernetes.io/component']).toBe('api');
    const pdb = find(objects, 'PodDisruptionBudget', 'keel-api').spec as { selector: { matchLabels: object } };
    expect(pdb.selector.matchLabels).toEqual(service.selector);
    expect((api.spec as { selector: { matchLabels: object } }).selector.matchLabels).toEqual(service.selector);

    const job = find(objects, 'Job', 'keel-migrate');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-upgrade' });
    expect(podTemplate(job).spec.containers[0].args).toEqual(['node', 'dist/cli.js', 'migrate']);

    const config = find(objects, 'ConfigMap', 'keel').data as Record<string, string>;
    expect(config).toMatchObject({ NODE_ENV: 'production', QUEUE_WORKER_IN_API: 'false', PORT: '5001' });
  });

  it('with every option on: the HPA owns the replica count, the Ingress and ServiceMonitor reach the API Service', () => {
    const objects = renderChart(CHART, EVERYTHING_ON).objects.map((o) => o.object);
    const api = find(objects, 'Deployment', 'keel-api');
    expect(api.spec).not.toHaveProperty('replicas');
    expect(podTemplate(api).spec.containers[0].image).toBe('keel:1.2.3');
    expect(find(objects, 'HorizontalPodAutoscaler', 'keel-api').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'keel-api' },
      minReplicas: 2,
      maxReplicas: 10,
    });
    const ingress = find(objects, 'Ingress', 'keel').spec as {
      ingressClassName: string;
      rules: Array<{
        host: string;
        http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> };
      }>;
    };
    expect(ingress.ingressClassName).toBe('nginx');
    expect(ingress.rules[0].host).toBe('keel.example.com');
    expect(ingress.rules[0].http.paths[0].backend.service).toEqual({ name: 'keel-api', port: { name: 'http' } });
    const monitor = find(objects, 'ServiceMonitor', 'keel');
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect((monitor.spec as { endpoints: unknown[] }).endpoints).toEqual([
      { port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
    ]);
    expect(find(objects, 'PodDisruptionBudget', 'keel-worker')).toBeDefined();
    expect((find(objects, 'Secret', 'keel').stringData as Record<string, string>).SECRET_KEY).toHaveLength(40);
  });

  it('with an existing Secret: no Secret rendered, and every pod reads the one named', () => {
    const objects = renderChart(CHART, { secret: { create: false, existingSecret: 'keel-env' } }).objects.map(
      (o) => o.object,
    );
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    for (const name of ['keel-api', 'keel-worker']) {
      expect(podTemplate(find(objects, 'Deployment', name)).spec.containers[0].envFrom).toContainEqual({
        secretRef: { name: 'keel-env' },
      });
    }
  });
});
