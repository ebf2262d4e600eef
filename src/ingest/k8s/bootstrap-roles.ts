/*
 * The built-in user-facing ClusterRoles a binding may name without the role
 * being in the same export: a summary of the upstream bootstrap policy
 * (kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go,
 * Kubernetes 1.22 and later, after `endpoints` write access left `edit`).
 * admin aggregates edit, edit aggregates view, as the aggregation labels do upstream.
 * API groups are left out because actions do not carry them. The `system:*`
 * roles are not summarised: they change between releases and are machine-only.
 */

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function rule(verbs: readonly string[], resources: readonly string[]): PolicyRule {
  return { verbs, resources, resourceNames: [], nonResourceURLs: [] };
}

const VIEW: readonly PolicyRule[] = [
  rule(READ, [
    'pods', 'pods/status', 'pods/log',
    'replicationcontrollers', 'replicationcontrollers/scale', 'replicationcontrollers/status',
    'serviceaccounts', 'services', 'services/status', 'endpoints', 'endpointslices',
    'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps',
    'limitranges', 'resourcequotas', 'resourcequotas/status', 'bindings', 'events',
    'namespaces', 'namespaces/status',
    'controllerrevisions', 'statefulsets', 'statefulsets/scale', 'statefulsets/status',
    'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'replicasets', 'replicasets/scale', 'replicasets/status',
    'horizontalpodautoscalers', 'horizontalpodautoscalers/status',
    'jobs', 'jobs/status', 'cronjobs', 'cronjobs/status',
    'ingresses', 'ingresses/status', 'networkpolicies',
    'poddisruptionbudgets', 'poddisruptionbudgets/status',
  ]),
];

const EDIT: readonly PolicyRule[] = [
  ...VIEW,
  // Reading secrets and attaching to pods is why edit is not view plus a little.
  rule(READ, ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], ['serviceaccounts']),
  rule(WRITE, ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], ['pods/eviction', 'serviceaccounts/token']),
  rule(WRITE, [
    'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
    'persistentvolumeclaims', 'configmaps', 'secrets', 'events',
    'statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
    'replicasets', 'replicasets/scale', 'horizontalpodautoscalers', 'jobs', 'cronjobs',
    'ingresses', 'networkpolicies', 'poddisruptionbudgets',
  ]),
];

const ADMIN: readonly PolicyRule[] = [
  ...EDIT,
  rule(['create'], ['localsubjectaccessreviews']),
  rule([...READ, ...WRITE], ['roles', 'rolebindings']),
];

/** Every verb on every resource (upstream also adds every non-resource URL: `*` covers that in our syntax). */
const CLUSTER_ADMIN: readonly PolicyRule[] = [rule(['*'], ['*'])];

export const BOOTSTRAP_CLUSTER_ROLES: ReadonlyMap<string, readonly PolicyRule[]> = new Map([
  ['cluster-admin', CLUSTER_ADMIN],
  ['admin', ADMIN],
  ['edit', EDIT],
  ['view', VIEW],
]);
