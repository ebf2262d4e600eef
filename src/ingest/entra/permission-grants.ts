import type { Grant, NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { appRoleName } from './app-roles.js';
import { ENTRA, field, firstLogRecord, isObj, logRecords, text, textOf, where, type LogRecord, type Obj } from './common.js';

/*
 * entra-permission-grants: what applications were granted.
 * - oauth2PermissionGrants (delegated permissions): `clientId` is the client
 *   service principal's object id, `scope` the space-separated scopes,
 *   `consentType` AllPrincipals (admin consent for every user) or Principal.
 * - appRoleAssignments / appRoleAssignedTo (application permissions): the
 *   holder is `principalId`; the role id becomes its permission name where it
 *   is a well-known one (app-roles.ts), else stays the id. Assignments to
 *   users and groups are people's access, not an application's, and are
 *   passed over.
 * Graph JSON (`{"value":[…]}`), arrays, NDJSON and Graph PowerShell output
 * (PascalCase, one object or an array) are read alike.
 */

export const entraPermissionGrants: Adapter = {
  id: 'entra-permission-grants',
  provider: ENTRA,
  title: 'Microsoft Entra ID oauth2PermissionGrants and appRoleAssignments (Graph JSON / PowerShell)',
  detection:
    'JSON whose first record is an oauth2PermissionGrant (clientId, consentType, scope) or an appRoleAssignment ' +
    '(appRoleId, principalId, resourceId), in any key case — in {"value":[…]}, an array, NDJSON or one object',
  yields: ['grant'],
  detect: detectGrants,
  read: readGrants,
};

function isDelegatedGrant(record: Obj): boolean {
  return textOf(record, 'clientId') !== null && textOf(record, 'consentType') !== null && field(record, 'scope') !== undefined;
}

function isAppRoleAssignment(record: Obj): boolean {
  return textOf(record, 'appRoleId') !== null && textOf(record, 'principalId') !== null && textOf(record, 'resourceId') !== null;
}

function detectGrants(sniff: Sniff): boolean {
  const first = firstLogRecord(sniff.head);
  return first !== undefined && (isDelegatedGrant(first) || isAppRoleAssignment(first));
}

async function* readGrants(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const record of logRecords(input, ctx)) {
    const grant = toGrant(record);
    if (typeof grant === 'string') {
      ctx.skip(record.source.line, `${where(record.source)}${grant}`);
      continue;
    }
    if (grant !== undefined) yield { kind: 'grant', record: grant };
  }
}

/** Principal types that are applications; users and groups hold people's access. */
const APP_PRINCIPAL_TYPES = new Set(['serviceprincipal']);

function toGrant({ value, source }: LogRecord): Grant | undefined | string {
  if (!isObj(value)) return `expected a JSON object, got ${describeType(value)}`;
  if (textOf(value, 'appRoleId') !== null) {
    const holder = textOf(value, 'principalId');
    if (holder === null) return 'principalId is required';
    const principalType = textOf(value, 'principalType');
    if (principalType !== null && !APP_PRINCIPAL_TYPES.has(principalType.toLowerCase())) return undefined;
    const roleId = textOf(value, 'appRoleId') ?? '';
    const resourceId = textOf(value, 'resourceId');
    const resourceName = textOf(value, 'resourceDisplayName');
    return {
      identity: holder,
      actions: [appRoleName(roleId) ?? roleId],
      notActions: false,
      resources: resourceId === null ? [] : [resourceId],
      effect: 'allow',
      via: `app-role:${resourceName ?? resourceId ?? 'unknown'}`,
      hasConditions: false,
      source,
    };
  }
  const client = textOf(value, 'clientId');
  if (client === null) return 'clientId (or appRoleId) is required';
  const consentType = textOf(value, 'consentType');
  if (consentType === null) return 'consentType is required';
  const consent = consentType.toLowerCase() === 'allprincipals' ? 'all-principals' : consentType.toLowerCase() === 'principal' ? 'principal' : null;
  if (consent === null) return 'consentType: expected AllPrincipals or Principal';
  const scopes = (text(field(value, 'scope')) ?? '').split(/\s+/).filter((s) => s !== '');
  const resourceId = textOf(value, 'resourceId');
  return {
    identity: client,
    actions: scopes,
    notActions: false,
    resources: resourceId === null ? [] : [resourceId],
    effect: 'allow',
    via: `delegated:${resourceId ?? 'unknown'}`,
    hasConditions: false,
    consent,
    source,
  };
}
