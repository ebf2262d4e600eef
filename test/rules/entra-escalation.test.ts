/*
 * NHI-PRIV-002 on Entra records as the adapters write them: service
 * principals keyed by appId with their object id as alias, grants naming
 * object ids (appRoleAssignment principalId/resourceId, oauth2PermissionGrant
 * clientId/resourceId), so the rule must resolve the resource app and tell
 * application from delegated permissions from what the adapters emit.
 */
import { describe, expect, it } from 'vitest';
import { entraDirectoryObjects } from '../../src/ingest/entra/directory-objects.js';
import { entraPermissionGrants } from '../../src/ingest/entra/permission-grants.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-002.js';
import { runAdapter, tempFile } from '../ingest/helpers.js';
import { runRule } from '../helpers/run-rule.js';
import { t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const TENANT = '11111111-1111-4111-8111-111111111111';
const sp = (n: number, appId: string, displayName: string, owner?: string): object => ({
  '@odata.type': '#microsoft.graph.servicePrincipal',
  id: `d2000000-0000-4000-8000-00000000000${n}`,
  appId,
  displayName,
  servicePrincipalType: 'Application',
  appOwnerOrganizationId: appId.startsWith('00000003') ? 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' : TENANT,
  ...(owner === undefined ? {} : { owners: [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: 'd2000000-0000-4000-8000-000000000001', appId: owner }] }),
});
const HOLDER = 'ab000000-0000-4000-8000-000000000001';
const OWNED = 'ab000000-0000-4000-8000-000000000002';
const API = 'ab000000-0000-4000-8000-000000000003';
const GRAPH_SP = 'd2000000-0000-4000-8000-000000000009';
const API_SP = 'd2000000-0000-4000-8000-000000000003';

async function scene(grants: readonly object[], assignments: readonly object[]): Promise<NormalizedRecord[]> {
  const directory = tempFile(
    'service-principals.json',
    JSON.stringify({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals',
      value: [sp(1, HOLDER, 'Holder'), sp(2, OWNED, 'Owned Sync', HOLDER), sp(3, API, 'Contoso API'), sp(9, '00000003-0000-0000-c000-000000000000', 'Microsoft Graph')],
    }, null, 1),
  );
  const delegated = tempFile('oauth2-permission-grants.json', JSON.stringify({ value: grants }, null, 1));
  const roles = tempFile('app-role-assignments.json', JSON.stringify({ value: assignments }, null, 1));
  const out: NormalizedRecord[] = [];
  out.push(...(await runAdapter(entraDirectoryObjects, directory, 'service-principals.json')).records);
  if (grants.length > 0) out.push(...(await runAdapter(entraPermissionGrants, delegated, 'oauth2-permission-grants.json')).records);
  if (assignments.length > 0) out.push(...(await runAdapter(entraPermissionGrants, roles, 'app-role-assignments.json')).records);
  return out;
}
const delegatedGrant = (scope: string, resourceId = GRAPH_SP): object => ({ clientId: 'd2000000-0000-4000-8000-000000000001', consentType: 'AllPrincipals', principalId: null, resourceId, scope });
const assignment = (appRoleId: string, principal = 'd2000000-0000-4000-8000-000000000001', resourceDisplayName = 'Microsoft Graph', resourceId = GRAPH_SP): object => ({
  appRoleId,
  principalId: principal,
  principalType: 'ServicePrincipal',
  resourceDisplayName,
  resourceId,
});
const APP_ROLE_ASSIGNMENT = '06b708a9-e830-4db3-a914-8e69da51d44f';
const ROLE_MANAGEMENT = '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8';
const OWNED_BY = '18a4783c-866b-4cc7-a460-3d5e5662c884';
const USER_AUTH_METHODS = '50483e42-d915-4231-9639-7fdb7fd190e5';
const ROLE_ASSIGNMENT_SCHEDULE = 'dd199f4a-f148-40a4-a2ec-f0069cc799ec';

describe('NHI-PRIV-002 on Entra adapter output', () => {
  it('a delegated AppRoleAssignment.ReadWrite.All of Graph (oauth2PermissionGrant) is reported with the delegated caveat, not critical', async () => {
    const run = await runRule(rule, world(...(await scene([delegatedGrant('AppRoleAssignment.ReadWrite.All offline_access')], []))), AS_OF);
    const finding = run.findings.find((f) => f.subject.id === HOLDER);
    expect(finding?.messageId).toBe('escalation');
    expect(finding?.message).toContain(`entra-app-role-assignment — "AppRoleAssignment.ReadWrite.All" via delegated:${GRAPH_SP} (oauth2-permission-grants.json:`);
    expect(finding?.message).toContain('held only as a delegated permission (tenant-wide consent)');
    expect(finding?.message).not.toContain('judged as Microsoft Graph');
  });

  it('the application permission (appRoleAssignment of Graph) is critical and carries no caveat', async () => {
    const run = await runRule(rule, world(...(await scene([], [assignment(APP_ROLE_ASSIGNMENT)]))), AS_OF);
    const finding = run.findings.find((f) => f.subject.id === HOLDER);
    expect(finding?.messageId).toBe('escalation-to-admin');
    expect(finding?.message).toMatch(/entra-app-role-assignment — "AppRoleAssignment\.ReadWrite\.All" via app-role:Microsoft Graph \(app-role-assignments\.json:\d+ \(value\[0\]\)\): grants itself/);
  });

  it.each([
    ['entra-temporary-access-pass', USER_AUTH_METHODS],
    ['entra-role-assignment-schedule', ROLE_ASSIGNMENT_SCHEDULE],
  ])('%s fires on its Graph app role id as an appRoleAssignment names it', async (method, appRoleId) => {
    const run = await runRule(rule, world(...(await scene([], [assignment(appRoleId)]))), AS_OF);
    const finding = run.findings.find((f) => f.subject.id === HOLDER);
    expect(finding?.messageId).toBe('escalation-to-admin');
    expect(finding?.message).toContain(`through 1 method: ${method} — `);
  });

  it('a same-named delegated scope of another API is not the Graph permission: noted, not reported', async () => {
    const run = await runRule(rule, world(...(await scene([delegatedGrant('RoleManagement.ReadWrite.Directory', API_SP)], []))), AS_OF);
    expect(run.findings.filter((f) => f.subject.id === HOLDER)).toEqual([]);
    expect(run.notes).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^1 Entra grant carries a Microsoft Graph permission name but belongs to another API.*${HOLDER}: "RoleManagement\\.ReadWrite\\.Directory" of Contoso API \\(${API}\\)`))]));
  });

  it('Application.ReadWrite.OwnedBy reaches the app whose $expand=owners names the holder, with what that app holds', async () => {
    const run = await runRule(rule, world(...(await scene([], [assignment(OWNED_BY), assignment(ROLE_MANAGEMENT, 'd2000000-0000-4000-8000-000000000002')]))), AS_OF);
    const finding = run.findings.find((f) => f.subject.id === HOLDER);
    expect(finding?.message).toContain(`reaching the app it owns: ${OWNED} "Owned Sync", which holds RoleManagement.ReadWrite.Directory (application, Microsoft Graph)`);
  });
});
