import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Grant, Identity, NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, grant, identity, t, world } from '../helpers/world.js';

/*
 * The non-AWS methods of rules/data/escalation-methods.yaml, each with a
 * scene that fires and a near-miss (resource-, namespace- or
 * condition-constrained) that must not. The tables name every method by id;
 * a test checks they cover the catalog exactly.
 */

interface CatalogMethod {
  readonly id: string;
  readonly title?: string;
  readonly source?: string;
  readonly how: string;
  readonly admin: boolean;
  readonly target?: string;
}
const catalog = parse(await readFile(new URL('../../rules/data/escalation-methods.yaml', import.meta.url), 'utf8')) as {
  providers: Record<string, CatalogMethod[]>;
};
const ids = (provider: string): string[] => (catalog.providers[provider] ?? []).map((method) => method.id);

const AS_OF = t('2026-03-10T00:00:00Z');

interface Case {
  readonly method: string;
  readonly fires: () => NormalizedRecord[];
  readonly near: () => NormalizedRecord[];
  /** Text the firing message must hold (the target, the scope). */
  readonly names?: string;
}

async function check(cases: readonly Case[], provider: string): Promise<void> {
  expect(cases.map((c) => c.method).sort()).toEqual(ids(provider).sort());
}

// ---- GCP ----
const SA = 'deployer@proj.iam.gserviceaccount.com';
const ADMIN = 'admin@proj.iam.gserviceaccount.com';
const WEAK = 'weak@proj.iam.gserviceaccount.com';
const saScope = (email: string): string => `//iam.googleapis.com/projects/proj/serviceAccounts/${email}`;
const gcpAccounts = (): NormalizedRecord[] => [
  identity({ id: SA, provider: 'gcp', tenant: 'proj', source: at('iam.json', 3) }),
  identity({ id: ADMIN, provider: 'gcp', tenant: 'proj', source: at('iam.json', 4) }),
  grant({ identity: ADMIN, actions: ['roles/owner'], via: 'roles/owner', source: at('iam.json', 5) }),
  identity({ id: WEAK, provider: 'gcp', tenant: 'proj', source: at('iam.json', 6) }),
  grant({ identity: WEAK, actions: ['roles/viewer'], via: 'roles/viewer', source: at('iam.json', 7) }),
  grant({ identity: SA, actions: ['roles/viewer'], via: 'roles/viewer', source: at('iam.json', 8) }),
];
const gcpGrant = (actions: readonly string[], extra: Partial<Grant> = {}): NormalizedRecord =>
  grant({ identity: SA, actions, via: actions[0] ?? null, source: at('iam.json', 20), ...extra });
const ENDED: Partial<Grant> = { hasConditions: true, conditions: [{ operator: 'DateLessThan', key: 'request.time', values: ['2026-01-01T00:00:00Z'] }] };

/** A method that reaches one service account: fires on a binding on ADMIN, not on one on WEAK (who holds nothing more). */
function onAccount(method: string, permission: string, deploy?: string): Case {
  const extra = (): NormalizedRecord[] => (deploy === undefined ? [] : [grant({ identity: SA, actions: [deploy], via: deploy, source: at('iam.json', 21) })]);
  return {
    method,
    fires: () => [...gcpAccounts(), gcpGrant([permission], { scope: saScope(ADMIN), resources: [saScope(ADMIN)] }), ...extra()],
    near: () => [...gcpAccounts(), gcpGrant([permission], { scope: saScope(WEAK), resources: [saScope(WEAK)] }), ...extra()],
    names: `reaching service account ${ADMIN}, which holds roles/owner`,
  };
}
/** A method on the project (or above): fires unconditioned, not when the binding's condition ended before the audit. */
function onProject(method: string, permission: string, scope?: string): Case {
  const where: Partial<Grant> = scope === undefined ? {} : { scope };
  return {
    method,
    fires: () => [...gcpAccounts(), gcpGrant([permission], where)],
    near: () => [...gcpAccounts(), gcpGrant([permission], { ...where, ...ENDED })],
  };
}

const GCP: readonly Case[] = [
  onAccount('gcp-get-access-token', 'iam.serviceAccounts.getAccessToken'),
  onAccount('gcp-sign-jwt', 'iam.serviceAccounts.signJwt'),
  onAccount('gcp-sign-blob', 'iam.serviceAccounts.signBlob'),
  onAccount('gcp-implicit-delegation', 'iam.serviceAccounts.implicitDelegation'),
  onAccount('gcp-key-create', 'iam.serviceAccountKeys.create'),
  onAccount('gcp-sa-set-iam-policy', 'iam.serviceAccounts.setIamPolicy'),
  onAccount('gcp-act-as-compute', 'iam.serviceAccounts.actAs', 'compute.instances.create'),
  onAccount('gcp-act-as-functions', 'iam.serviceAccounts.actAs', 'cloudfunctions.functions.update'),
  onAccount('gcp-act-as-run', 'iam.serviceAccounts.actAs', 'run.services.create'),
  onAccount('gcp-act-as-scheduler', 'iam.serviceAccounts.actAs', 'cloudscheduler.jobs.create'),
  onAccount('gcp-act-as-dataproc', 'iam.serviceAccounts.actAs', 'dataproc.clusters.create'),
  {
    method: 'gcp-project-set-iam-policy',
    fires: () => [...gcpAccounts(), gcpGrant(['roles/resourcemanager.projectIamAdmin'])],
    // roles/owner bound on one bucket gives no project permission.
    near: () => [...gcpAccounts(), gcpGrant(['roles/owner'], { scope: '//storage.googleapis.com/invoices', resources: ['//storage.googleapis.com/invoices'] })],
  },
  {
    method: 'gcp-folder-set-iam-policy',
    fires: () => [...gcpAccounts(), gcpGrant(['resourcemanager.folders.setIamPolicy'], { scope: 'folders/42' })],
    // On a project, a folder permission applies to no folder.
    near: () => [...gcpAccounts(), gcpGrant(['resourcemanager.folders.setIamPolicy'])],
  },
  {
    method: 'gcp-org-set-iam-policy',
    fires: () => [...gcpAccounts(), gcpGrant(['roles/resourcemanager.organizationAdmin'], { scope: 'organizations/7' })],
    near: () => [...gcpAccounts(), gcpGrant(['resourcemanager.organizations.setIamPolicy'], { scope: 'folders/42' })],
  },
  onProject('gcp-custom-role-update', 'iam.roles.update'),
  onProject('gcp-deployment-manager', 'deploymentmanager.deployments.create'),
  onProject('gcp-cloud-build', 'cloudbuild.builds.create'),
  onProject('gcp-org-policy-set', 'orgpolicy.policy.set', 'organizations/7'),
];

// ---- Kubernetes ----
const RUNNER = 'system:serviceaccount:ops:runner';
const reader = (namespace: string): string => `system:serviceaccount:${namespace}:reader`;
const deployer = (namespace: string): string => `system:serviceaccount:${namespace}:deployer`;
/** The holder in ops, a weaker reader beside it, and a more privileged deployer in `strong` (ops unless a near-miss moves it). */
const k8sAccounts = (strong = 'ops'): NormalizedRecord[] => [
  identity({ id: RUNNER, provider: 'k8s', source: at('rbac.yaml', 3) }),
  grant({ identity: RUNNER, actions: ['get pods'], via: 'ClusterRole/pod-reader', source: at('rbac.yaml', 2) }),
  identity({ id: reader('ops'), provider: 'k8s', source: at('rbac.yaml', 4) }),
  grant({ identity: reader('ops'), actions: ['get pods'], scope: 'namespace:ops', via: 'Role/reader', source: at('rbac.yaml', 5) }),
  identity({ id: deployer(strong), provider: 'k8s', source: at('rbac.yaml', 6) }),
  grant({ identity: deployer(strong), actions: ['create deployments', 'delete deployments'], scope: `namespace:${strong}`, via: 'Role/deployer', source: at('rbac.yaml', 7) }),
];
const k8sGrant = (actions: readonly string[], extra: Partial<Grant> = {}): NormalizedRecord =>
  grant({ identity: RUNNER, actions, via: 'ClusterRole/runner', source: at('rbac.yaml', 20), ...extra });
const OPS = { scope: 'namespace:ops' } as const;
const tokenSecret = (namespace: string): NormalizedRecord =>
  credential({ id: `${namespace}/deployer-token`, identity: deployer(namespace), type: 'sa-token', source: at('secrets.yaml', 9) });

/** A method that reaches a more privileged service account of the namespace: near-miss when that account lives in another one. */
const inNamespace = (method: string, actions: readonly string[], extra: () => NormalizedRecord[] = () => []): Case => ({
  method,
  fires: () => [...k8sAccounts(), k8sGrant(actions, OPS), ...extra()],
  near: () => [...k8sAccounts('prod'), k8sGrant(actions, OPS), ...extra()],
  names: `reaching more privileged service account ${deployer('ops')} (holds "create deployments" (namespace:ops) and "delete deployments" (namespace:ops))`,
});

const K8S: readonly Case[] = [
  {
    method: 'k8s-escalate',
    fires: () => [...k8sAccounts(), k8sGrant(['escalate clusterroles', 'update clusterroles'])],
    // The two halves apply in different namespaces, so neither is usable with the other.
    near: () => [...k8sAccounts(), k8sGrant(['escalate roles'], OPS), k8sGrant(['update roles'], { scope: 'namespace:dev', via: 'Role/dev', source: at('rbac.yaml', 30) })],
  },
  {
    method: 'k8s-bind',
    fires: () => [...k8sAccounts(), k8sGrant(['bind clusterroles', 'create rolebindings'])],
    near: () => [...k8sAccounts(), k8sGrant(['bind clusterroles', 'create rolebindings'], { resources: ['view', 'system:basic-user'] })],
    names: 'any role, in every namespace',
  },
  {
    method: 'k8s-impersonate',
    fires: () => [...k8sAccounts(), k8sGrant(['impersonate users'])],
    near: () => [...k8sAccounts(), k8sGrant(['impersonate serviceaccounts'], { ...OPS, resources: ['reader'] })],
    names: 'impersonating any user or group, system:masters included',
  },
  {
    ...inNamespace('k8s-create-token', ['create serviceaccounts/token']),
    // Named by resourceNames: only the weaker reader.
    near: () => [...k8sAccounts(), k8sGrant(['create serviceaccounts/token'], { ...OPS, resources: ['reader'] })],
  },
  inNamespace('k8s-create-workload', ['create jobs']),
  inNamespace('k8s-pods-exec', ['create pods/exec']),
  {
    method: 'k8s-read-token-secrets',
    fires: () => [...k8sAccounts(), tokenSecret('ops'), k8sGrant(['list secrets'], OPS)],
    near: () => [...k8sAccounts('prod'), tokenSecret('prod'), k8sGrant(['list secrets'], OPS)],
    names: `reading token Secret ops/deployer-token (secrets.yaml:9) of ${deployer('ops')}`,
  },
  {
    method: 'k8s-nodes-proxy',
    fires: () => [...k8sAccounts(), k8sGrant(['get nodes/proxy'])],
    // Nodes are cluster-scoped: a RoleBinding cannot grant them.
    near: () => [...k8sAccounts(), k8sGrant(['get nodes/proxy'], OPS)],
  },
  {
    method: 'k8s-csr-approve',
    fires: () => [...k8sAccounts(), k8sGrant(['create certificatesigningrequests', 'update certificatesigningrequests/approval', 'approve signers'])],
    near: () => [...k8sAccounts(), k8sGrant(['create certificatesigningrequests', 'update certificatesigningrequests/approval', 'approve signers'], OPS)],
  },
];

// ---- Entra ----
const GRAPH = '00000003-0000-0000-c000-000000000000';
const APP = 'aa000000-0000-4000-8000-000000000001';
const ENTRA_ADMIN = 'aa000000-0000-4000-8000-000000000002';
const ENTRA_WEAK = 'aa000000-0000-4000-8000-000000000003';
const CUSTOM_API = 'aa000000-0000-4000-8000-0000000000c1';
const TENANT = '11111111-1111-4111-8111-111111111111';
/** Service principal object ids, which grants name (appRoleAssignment principalId / resourceId, oauth2PermissionGrant clientId). */
const sp = (appId: string): string => `sp-${appId.slice(-2)}`;
const app = (id: string, extra: Partial<Identity> = {}, line = 3): NormalizedRecord =>
  identity({ id, aliases: [sp(id)], type: 'app', provider: 'entra', tenant: TENANT, source: at('service-principals.json', line), ...extra });
/** An application permission (appRoleAssignment), as entra-permission-grants writes it. */
const appRole = (holder: string, permission: string, line: number, resource = GRAPH, name = 'Microsoft Graph'): NormalizedRecord =>
  grant({ identity: sp(holder), actions: [permission], resources: [sp(resource)], via: `app-role:${name}`, source: at('app-role-assignments.json', line) });
/** A delegated permission (oauth2PermissionGrant). */
const delegated = (holder: string, scopes: readonly string[], line: number, resource = GRAPH): NormalizedRecord =>
  grant({ identity: sp(holder), actions: scopes, resources: [sp(resource)], via: `delegated:${sp(resource)}`, consent: 'all-principals', source: at('oauth2-permission-grants.json', line) });
const entraApps = (adminExtra: Partial<Identity> = {}, weakExtra: Partial<Identity> = {}): NormalizedRecord[] => [
  app(GRAPH, { displayName: 'Microsoft Graph' }, 2),
  app(APP, {}, 3),
  appRole(APP, 'User.Read.All', 10),
  app(ENTRA_ADMIN, { displayName: 'Tenant Automation', ...adminExtra }, 4),
  appRole(ENTRA_ADMIN, 'RoleManagement.ReadWrite.Directory', 11),
  app(ENTRA_WEAK, { displayName: 'Report Sync', ...weakExtra }, 5),
  appRole(ENTRA_WEAK, 'User.Read.All', 12),
  app(CUSTOM_API, { displayName: 'Contoso API' }, 6),
];
const HELD_BY_ADMIN = `${ENTRA_ADMIN} "Tenant Automation", which holds RoleManagement.ReadWrite.Directory (application, Microsoft Graph)`;

const ENTRA: readonly Case[] = [
  {
    method: 'entra-app-role-assignment',
    fires: () => [...entraApps(), appRole(APP, 'AppRoleAssignment.ReadWrite.All', 20)],
    // An app role of another API that happens to carry the same value is not the Graph permission.
    near: () => [...entraApps(), appRole(APP, 'AppRoleAssignment.ReadWrite.All', 20, CUSTOM_API, 'Contoso API')],
  },
  {
    method: 'entra-role-management',
    fires: () => [...entraApps(), appRole(APP, 'RoleManagement.ReadWrite.Directory', 20)],
    // A delegated scope of the same name exposed by another API (its resource resolves to Contoso API).
    near: () => [...entraApps(), delegated(APP, ['RoleManagement.ReadWrite.Directory'], 20, CUSTOM_API)],
  },
  {
    method: 'entra-role-assignment-schedule',
    fires: () => [...entraApps(), appRole(APP, 'RoleAssignmentSchedule.ReadWrite.Directory', 20)],
    near: () => [...entraApps(), appRole(APP, 'RoleAssignmentSchedule.ReadWrite.Directory', 20, CUSTOM_API, 'Contoso API')],
  },
  {
    method: 'entra-temporary-access-pass',
    fires: () => [...entraApps(), appRole(APP, 'UserAuthenticationMethod.ReadWrite.All', 20)],
    // Read-only access to authentication methods creates none; the deleted app beside it is noted.
    near: () => [...entraApps(), appRole(APP, 'UserAuthenticationMethod.Read.All', 20), app('aa000000-0000-4000-8000-0000000000dd', { status: 'deleted' }, 7)],
  },
  {
    method: 'entra-application-write',
    fires: () => [...entraApps(), appRole(APP, 'Application.ReadWrite.All', 20)],
    // Every other app of the inputs holds nothing more than the holder: noted, not reported.
    near: () => [...entraApps().filter((record) => !(record.kind === 'grant' && record.record.identity === sp(ENTRA_ADMIN))), appRole(APP, 'Application.ReadWrite.All', 20)],
    names: `reaching every app and service principal of tenant ${TENANT} (more privileged in the inputs: ${HELD_BY_ADMIN})`,
  },
  {
    method: 'entra-application-write-owned',
    fires: () => [...entraApps({ owner: sp(APP) }), appRole(APP, 'Application.ReadWrite.OwnedBy', 20)],
    // It owns only an app that holds nothing more than itself.
    near: () => [...entraApps({ owner: 'dana@acme.example' }, { owner: sp(APP) }), appRole(APP, 'Application.ReadWrite.OwnedBy', 20)],
    names: `reaching the app it owns: ${HELD_BY_ADMIN}`,
  },
  {
    method: 'entra-owner-of-privileged-app',
    fires: () => [...entraApps({ owner: APP })],
    // The privileged app it owns is deleted.
    near: () => [...entraApps({ owner: APP, status: 'deleted' })],
    names: `owner of app ${ENTRA_ADMIN} (service-principals.json:4), which can escalate through entra-role-management`,
  },
];

const PROVIDERS = { gcp: { cases: GCP, holder: SA }, k8s: { cases: K8S, holder: RUNNER }, entra: { cases: ENTRA, holder: APP } } as const;

describe('escalation-methods catalog (non-AWS)', () => {
  it('has the expected number of methods per provider, each with a title, a source, a target and a how', () => {
    expect(ids('gcp')).toHaveLength(18);
    expect(ids('k8s')).toHaveLength(9);
    expect(ids('entra')).toHaveLength(7);
    for (const provider of ['gcp', 'k8s', 'entra']) {
      for (const method of catalog.providers[provider] ?? []) {
        expect(method.title, method.id).toBeTruthy();
        expect(method.source, method.id).toBeTruthy();
        expect(method.target, method.id).toMatch(/^(none|service-account|app|role|impersonation|token-secret)$/);
        expect(method.how.length, method.id).toBeGreaterThan(20);
      }
    }
  });

  it.each(Object.entries(PROVIDERS))('the %s table covers every method of the catalog', async (provider, { cases }) => {
    await check(cases, provider);
  });

  describe.each(Object.entries(PROVIDERS))('%s', (_provider, { cases, holder }) => {
    it.each(cases.map((c) => [c.method, c] as const))('%s fires', async (method, c) => {
      const run = await runRule(rule, world(...c.fires()), AS_OF);
      const finding = run.findings.find((f) => f.subject.id === holder);
      expect(finding?.message).toMatch(new RegExp(`(: |; )${method} — `));
      if (c.names !== undefined) expect(finding?.message).toContain(c.names);
      const admin = (catalog.providers[_provider] ?? []).find((m) => m.id === method)?.admin ?? false;
      if (admin) expect(finding?.messageId).toBe('escalation-to-admin');
    });
    it.each(cases.map((c) => [c.method, c] as const))('%s: the near-miss does not fire', async (method, c) => {
      const run = await runRule(rule, world(...c.near()), AS_OF);
      const finding = run.findings.find((f) => f.subject.id === holder);
      expect(finding?.message ?? '').not.toContain(`${method} — `);
      expect(run.notes.length).toBeGreaterThan(0);
    });
  });
});

describe('GCP escalation details', () => {
  it('a binding with a live condition fires and says it depends on the condition', async () => {
    const scene = world(...gcpAccounts(), gcpGrant(['iam.roles.update'], { hasConditions: true, conditionKeys: ['resource.name'] }));
    const [finding] = (await runRule(rule, scene, AS_OF)).findings.filter((f) => f.subject.id === SA);
    expect(finding?.message).toContain('gcp-custom-role-update — "iam.roles.update" via iam.roles.update (iam.json:20, depends on a condition on the binding)');
  });

  it('expands predefined roles: Token Creator on one service account gives its four methods, naming the target and its grant', async () => {
    const scene = world(...gcpAccounts(), gcpGrant(['roles/iam.serviceAccountTokenCreator'], { scope: saScope(ADMIN) }));
    const run = await runRule(rule, scene, AS_OF);
    const [finding] = run.findings.filter((f) => f.subject.id === SA);
    expect(finding?.message).toContain('through 4 methods: gcp-get-access-token — ');
    expect(finding?.evidence.map((e) => e.key)).toEqual([`identity:${SA}`, `grant:${SA}:roles/iam.serviceAccountTokenCreator`, `target:${ADMIN}`]);
  });

  it('a project-level binding reaches every service account of the project and names the more privileged ones', async () => {
    const scene = world(...gcpAccounts(), gcpGrant(['roles/iam.serviceAccountKeyAdmin']));
    const [finding] = (await runRule(rule, scene, AS_OF)).findings.filter((f) => f.subject.id === SA);
    expect(finding?.message).toContain(`gcp-key-create — "roles/iam.serviceAccountKeyAdmin" via roles/iam.serviceAccountKeyAdmin (iam.json:20), reaching every service account of project proj (more privileged in the inputs: ${ADMIN})`);
  });

  it('a binding on a service account whose own grants are not in the inputs is reported and says so', async () => {
    const scene = world(...gcpAccounts(), gcpGrant(['iam.serviceAccountKeys.create'], { scope: saScope('ghost@proj.iam.gserviceaccount.com') }));
    const [finding] = (await runRule(rule, scene, AS_OF)).findings.filter((f) => f.subject.id === SA);
    expect(finding?.message).toContain('reaching service account ghost@proj.iam.gserviceaccount.com (its own grants are not in the inputs, so it may hold more)');
  });

  it('notes roles it cannot expand, bindings whose condition ended, and methods that reach only weaker accounts', async () => {
    const scene = world(
      ...gcpAccounts(),
      gcpGrant(['projects/proj/roles/deployer']),
      gcpGrant(['roles/owner'], ENDED),
      gcpGrant(['iam.serviceAccounts.getAccessToken'], { scope: saScope(WEAK), source: at('iam.json', 30) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.filter((f) => f.subject.id === SA)).toEqual([]);
    expect(run.notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('not expanded into permissions (custom, or not in the catalog\'s gcp_roles), so the methods they may give are not judged: projects/proj/roles/deployer (iam.json:20)'),
        expect.stringContaining(`ended before the audit time: ${SA}: roles/owner (iam.json:20, condition ended 2026-01-01T00:00:00Z)`),
        expect.stringContaining(`${SA} → ${WEAK} (gcp-get-access-token, iam.json:30)`),
      ]),
    );
  });
});

describe('Kubernetes escalation details', () => {
  const messageOf = async (...records: NormalizedRecord[]) => {
    const run = await runRule(rule, world(...records), AS_OF);
    return { finding: run.findings.find((f) => f.subject.id === RUNNER), notes: run.notes };
  };

  it('a bind in one namespace is an escalation there, not cluster admin', async () => {
    const { finding } = await messageOf(...k8sAccounts(), k8sGrant(['bind clusterroles', 'create rolebindings'], OPS));
    expect(finding?.messageId).toBe('escalation');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.message).toContain('k8s-bind — "bind clusterroles" via ClusterRole/runner on namespace:ops (rbac.yaml:20) + "create rolebindings" via ClusterRole/runner on namespace:ops (rbac.yaml:20), any role, in namespace ops');
  });

  it('a cluster-wide bind meets a namespaced create rolebindings in that namespace', async () => {
    const { finding } = await messageOf(...k8sAccounts(), k8sGrant(['bind clusterroles']), k8sGrant(['create rolebindings'], { ...OPS, via: 'Role/binder', source: at('rbac.yaml', 31) }));
    expect(finding?.message).toContain('(rbac.yaml:31), any role, in namespace ops');
  });

  it('pods/exec limited to named pods says which service account they run as is unknown', async () => {
    const { finding } = await messageOf(...k8sAccounts(), k8sGrant(['create pods/exec'], { ...OPS, resources: ['web-0'] }));
    expect(finding?.message).toContain(`in namespace ops (pods web-0; which service account they run as is not in the inputs), reaching more privileged service account ${deployer('ops')}`);
  });

  it('notes why each near-miss was not reported', async () => {
    const escalate = await messageOf(...K8S[0]!.near());
    expect(escalate.notes).toEqual([expect.stringContaining(`${RUNNER} → nothing: its grants for k8s-escalate apply in different namespaces (namespace:ops (rbac.yaml:20) and namespace:dev (rbac.yaml:30))`)]);
    const nodes = await messageOf(...k8sAccounts(), k8sGrant(['get nodes/proxy'], OPS));
    expect(nodes.notes).toEqual([expect.stringContaining('k8s-nodes-proxy needs a ClusterRoleBinding, and namespace:ops (rbac.yaml:20) grants cluster-scoped resources in one namespace, where they do not apply')]);
    const bind = await messageOf(...K8S[1]!.near());
    expect(bind.notes).toEqual([expect.stringContaining(`${RUNNER} → roles view, system:basic-user, which grant nothing worth having (rbac.yaml:20) (k8s-bind)`)]);
  });

  it('a RoleBinding cannot impersonate users: noted, not reported', async () => {
    const { finding, notes } = await messageOf(...k8sAccounts('prod'), k8sGrant(['impersonate users', 'impersonate serviceaccounts'], OPS));
    expect(finding).toBeUndefined();
    expect(notes).toEqual([expect.stringContaining('service accounts of namespace ops, which hold nothing more (a RoleBinding cannot let it impersonate users or groups)')]);
  });

  it('impersonating a named service account the inputs do not list is reported the risky way', async () => {
    const { finding } = await messageOf(...k8sAccounts(), k8sGrant(['impersonate serviceaccounts'], { ...OPS, resources: ['ghost'] }));
    expect(finding?.messageId).toBe('escalation');
    expect(finding?.message).toContain('impersonating service account ghost (not in the inputs, so it may hold more) in namespace ops');
  });

  it('notes a binding to a role the inputs do not define', async () => {
    const { notes } = await messageOf(...k8sAccounts(), k8sGrant(['role:ClusterRole/custom-ops']));
    expect(notes).toEqual([`1 Kubernetes binding to a role the inputs do not define, so the methods that role may give are not judged: ${RUNNER}: ClusterRole/custom-ops (rbac.yaml:20)`]);
  });

  it('does not count what the holder already has through a wider grant', async () => {
    const { finding, notes } = await messageOf(...k8sAccounts(), k8sGrant(['create jobs', '* deployments'], OPS));
    expect(finding).toBeUndefined();
    expect(notes).toEqual([expect.stringContaining('namespace ops, where the inputs show no more privileged service account')]);
  });
});

describe('Kubernetes token Secrets', () => {
  it('a token Secret of a deleted service account is not a way in, and the note says why', async () => {
    const records = [...k8sAccounts(), tokenSecret('ops'), k8sGrant(['get secrets'], OPS)].map((record) =>
      record.kind === 'identity' && record.record.id === deployer('ops') ? { ...record, record: { ...record.record, status: 'deleted' as const } } : record,
    );
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings.find((f) => f.subject.id === RUNNER)).toBeUndefined();
    expect(run.notes).toEqual(expect.arrayContaining([expect.stringContaining('(the token Secret ops/deployer-token belongs to a deleted service account, so it no longer authenticates)')]));
  });
});

describe('Entra escalation details', () => {
  const holderFinding = async (...records: NormalizedRecord[]) => {
    const run = await runRule(rule, world(...records), AS_OF);
    return { run, finding: run.findings.find((f) => f.subject.id === APP) };
  };

  it('a delegated-only AppRoleAssignment.ReadWrite.All is reported with the caveat, not as admin', async () => {
    const { finding } = await holderFinding(...entraApps(), delegated(APP, ['AppRoleAssignment.ReadWrite.All', 'offline_access'], 20));
    expect(finding?.messageId).toBe('escalation');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.message).toContain(
      'entra-app-role-assignment — "AppRoleAssignment.ReadWrite.All" via delegated:sp-00 (oauth2-permission-grants.json:20), ' +
        "held only as a delegated permission (tenant-wide consent), which acts with the signed-in user's own rights: it raises privileges when a user allowed to do this uses the app, not on its own: ",
    );
  });

  it('the application permission wins over a delegated one of the same name: critical, naming the appRoleAssignment', async () => {
    const { finding } = await holderFinding(...entraApps(), delegated(APP, ['AppRoleAssignment.ReadWrite.All'], 20), appRole(APP, 'AppRoleAssignment.ReadWrite.All', 21));
    expect(finding?.messageId).toBe('escalation-to-admin');
    expect(finding?.severity).toBe('critical');
    expect(finding?.message).toContain('entra-app-role-assignment — "AppRoleAssignment.ReadWrite.All" via app-role:Microsoft Graph (app-role-assignments.json:21): grants itself');
    expect(finding?.message).not.toContain('delegated');
  });

  it('a grant that says neither application nor delegated, on a resource the inputs do not show, is judged as a Graph application permission and says so', async () => {
    const { finding } = await holderFinding(app(APP), grant({ identity: APP, actions: ['RoleManagement.ReadWrite.Directory'], resources: ['*'], via: 'inventory', source: at('inventory.yaml', 7) }));
    expect(finding?.messageId).toBe('escalation-to-admin');
    expect(finding?.message).toContain(
      '(inventory.yaml:7), application or delegated permission: not in the inputs, judged as an application permission; an unnamed resource app is not in the inputs, judged as Microsoft Graph: assigns',
    );
  });

  it('a delegated grant whose resource service principal is not in the inputs is judged as Graph, saying which resource', async () => {
    const { finding } = await holderFinding(app(APP), grant({ identity: APP, actions: ['Application.ReadWrite.All'], resources: ['sp-unknown'], via: 'delegated:sp-unknown', consent: 'principal', source: at('oauth2-permission-grants.json', 9) }));
    expect(finding?.message).toContain('held only as a delegated permission (consent by one user)');
    expect(finding?.message).toContain('resource app sp-unknown is not in the inputs, judged as Microsoft Graph');
  });

  it('Application.ReadWrite.All is reported when the inputs list no other app\'s permissions, saying any app may hold more', async () => {
    const { finding } = await holderFinding(app(APP), app(ENTRA_WEAK), appRole(APP, 'Application.ReadWrite.All', 20));
    expect(finding?.message).toContain(
      `entra-application-write — "Application.ReadWrite.All" via app-role:Microsoft Graph (app-role-assignments.json:20), reaching every app and service principal of tenant ${TENANT} ` +
        "(the inputs list no other app's permissions; any app of the tenant may hold more): ",
    );
  });

  it('Application.ReadWrite.All does not reach an app of another tenant', async () => {
    const { run, finding } = await holderFinding(
      app(APP),
      appRole(APP, 'User.Read.All', 10),
      app(ENTRA_WEAK, {}, 5),
      appRole(ENTRA_WEAK, 'User.Read.All', 12),
      app(ENTRA_ADMIN, { tenant: '22222222-2222-4222-8222-222222222222' }),
      appRole(ENTRA_ADMIN, 'RoleManagement.ReadWrite.Directory', 11),
      appRole(APP, 'Application.ReadWrite.All', 20),
    );
    expect(finding).toBeUndefined();
    expect(run.notes).toEqual(expect.arrayContaining([expect.stringContaining(`${APP} → every app of tenant ${TENANT} (entra-application-write, app-role-assignments.json:20; 1 other app in the inputs, none holding more; apps absent from the inputs may hold more)`)]));
  });

  it('names the reached app in the evidence', async () => {
    const { finding } = await holderFinding(...entraApps(), appRole(APP, 'Application.ReadWrite.All', 20));
    expect(finding?.evidence.map((e) => e.key)).toEqual([`identity:${APP}`, `grant:${APP}:app-role:Microsoft Graph#2`, `target:${ENTRA_ADMIN}`]);
  });

  it('Application.ReadWrite.OwnedBy with no owner named anywhere in the inputs is reported, saying the owned apps are not known', async () => {
    const { finding } = await holderFinding(...entraApps(), appRole(APP, 'Application.ReadWrite.OwnedBy', 20));
    expect(finding?.message).toContain('reaching the apps it owns (no app in the inputs names its owners, so which apps it owns is not known; any of them may hold more)');
  });

  it('Application.ReadWrite.OwnedBy when owners are named but none is the holder is noted, not reported', async () => {
    const { run, finding } = await holderFinding(...entraApps({ owner: 'dana@acme.example' }), appRole(APP, 'Application.ReadWrite.OwnedBy', 20));
    expect(finding).toBeUndefined();
    expect(run.notes).toContain(
      `1 identity holding Application.ReadWrite.OwnedBy is not reported because no app in the inputs names it as owner (the inputs give each app's first owner only, so an app it co-owns is not seen): ${APP} (entra-application-write-owned, app-role-assignments.json:20)`,
    );
  });

  it('Application.ReadWrite.OwnedBy on an owned app whose permissions are not in the inputs is reported and says so', async () => {
    const GHOST = 'aa000000-0000-4000-8000-0000000000ee';
    const { finding } = await holderFinding(...entraApps(), app(GHOST, { owner: APP }), appRole(APP, 'Application.ReadWrite.OwnedBy', 20));
    expect(finding?.message).toContain(`reaching the app it owns: ${GHOST} (its own permissions are not in the inputs, so it may hold more)`);
  });

  it('a custom-provider identity is still checked against the Entra permission names', async () => {
    const run = await runRule(rule, world(identity({ id: 'bot' }), grant({ identity: 'bot', actions: ['RoleManagement.ReadWrite.Directory'] })), AS_OF);
    expect(run.findings.map((f) => f.message)).toEqual([expect.stringContaining('entra-role-management — ')]);
  });
});
