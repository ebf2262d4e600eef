import {
  InputError,
  parseInstant,
  type Identity,
  type IdentityType,
  type Instant,
  type NormalizedRecord,
  type SourceRef,
} from '../../model/index.js';
import { parseLocated, type LocatedDocument } from '../located-json.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { isMapping } from '../canonical/fields.js';
import {
  accountOf,
  decodePolicyDocument,
  grantFromStatement,
  loadManagedPolicies,
  statementsOf,
  trustStatements,
  type ManagedPolicy,
} from './policy.js';

/*
 * aws-authorization-details: the JSON of `aws iam get-account-authorization-details`.
 * It is configuration, a few MB at most, so the whole document is parsed — by the
 * YAML parser (JSON is YAML) so every object keeps the line it starts on.
 *
 * Grant `via`: `inline:<PolicyName>` for user/role inline policies,
 * `group:<GroupName>/inline:<PolicyName>` for a group's inline policy, and the
 * policy ARN for managed policies (direct or through a group).
 * A permissions boundary (PermissionsBoundary) yields grants marked `boundary`.
 * Managed policies neither in Policies[] nor in rules/data/aws-managed-policies.yaml
 * yield nothing: their content is unknown. A role's trust policy
 * (AssumeRolePolicyDocument, object or URL-encoded) is kept on the identity as
 * `trust`: who may assume it, how, which condition keys bound it, and the
 * subject/audience values that pin a federated (OIDC) caller.
 */

const DETAIL_KEYS = /"(?:UserDetailList|RoleDetailList|GroupDetailList)"\s*:/;
const POLICIES_KEY = /"Policies"\s*:/;
const POLICY_VERSIONS_KEY = /"PolicyVersionList"\s*:/;
const OWNER_TAG = /^(owner|team|contact|maintainer)$/i;

export const awsAuthorizationDetails: Adapter = {
  id: 'aws-authorization-details',
  provider: 'aws',
  title: 'AWS IAM get-account-authorization-details (JSON)',
  detection:
    'a JSON object with UserDetailList, RoleDetailList or GroupDetailList (or Policies with PolicyVersionList) keys in its first 64 KiB',
  yields: ['identity', 'grant'],
  detect: detectAuthorizationDetails,
  read: readAuthorizationDetails,
};

function detectAuthorizationDetails(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (!head.startsWith('{')) return false;
  return DETAIL_KEYS.test(head) || (POLICIES_KEY.test(head) && POLICY_VERSIONS_KEY.test(head));
}

type Obj = Readonly<Record<string, unknown>>;


function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

async function* readAuthorizationDetails(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const text = await input.text();
  const tree = parseLocated(text, input.display);
  const root = tree.root;
  if (!isMapping(root)) throw new InputError('expected a JSON object with UserDetailList / RoleDetailList', input.display, 1);
  const file = input.display;
  const at = (value: unknown, pointer: string, fallback = 1): SourceRef => ({ file, line: tree.lineOf(value, fallback), pointer });

  const managed = await loadManagedPolicies();
  const policies = indexPolicies(root['Policies'], tree);

  /** Grants of one managed policy attached at `attachment` (an AttachedManagedPolicies entry). */
  function* managedGrants(identity: string, attachment: unknown, pointer: string, fallback: number): Generator<NormalizedRecord> {
    if (!isMapping(attachment)) return;
    const arn = str(attachment['PolicyArn']);
    if (arn === null) return;
    const local = policies.get(arn);
    if (local !== undefined) {
      yield* documentGrants(identity, local.document, arn, `Policies[${local.index}].${local.documentPointer}`, local.line);
      return;
    }
    const known: ManagedPolicy | undefined = managed.get(arn);
    if (known === undefined) return;
    // The statements come from our table; the evidence is the attachment in the input.
    const source = at(attachment, pointer, fallback);
    for (const statement of known.statements) {
      const grant = grantFromStatement(identity, statement, arn, source);
      if (grant !== undefined) yield { kind: 'grant', record: grant };
    }
  }

  /** Grants of one policy document (object or encoded string) found at `pointer`. */
  function* documentGrants(identity: string, raw: unknown, via: string, pointer: string, fallback: number): Generator<NormalizedRecord> {
    const document = decodePolicyDocument(raw);
    if (document === undefined) return;
    // An encoded string has no inner lines: its statements point at the policy entry holding it.
    const encoded = !isMapping(raw);
    const docLine = tree.lineOf(raw, fallback);
    for (const [i, statement] of statementsOf(document).entries()) {
      if (!isMapping(statement)) continue;
      const source: SourceRef = { file, line: encoded ? docLine : tree.lineOf(statement, docLine), pointer: `${pointer}.Statement[${i}]` };
      const grant = grantFromStatement(identity, statement, via, source);
      if (grant !== undefined) yield { kind: 'grant', record: grant };
    }
  }

  function* inlineGrants(identity: string, list: unknown, listPointer: string, fallback: number, viaPrefix = ''): Generator<NormalizedRecord> {
    for (const [j, policy] of listOf(list).entries()) {
      if (!isMapping(policy)) continue;
      const name = str(policy['PolicyName']) ?? `#${j}`;
      const line = tree.lineOf(policy, fallback);
      yield* documentGrants(identity, policy['PolicyDocument'], `${viaPrefix}inline:${name}`, `${listPointer}[${j}].PolicyDocument`, line);
    }
  }

  // Groups first, by name, so members can be expanded.
  const groups = new Map<string, { readonly group: Obj; readonly pointer: string; readonly line: number }>();
  for (const [i, group] of listOf(root['GroupDetailList']).entries()) {
    if (!isMapping(group)) continue;
    const name = str(group['GroupName']);
    if (name !== null) groups.set(name, { group, pointer: `GroupDetailList[${i}]`, line: tree.lineOf(group, 1) });
  }

  for (const [listName, type, nameKey, idKey, inlineKey] of [
    ['UserDetailList', 'user', 'UserName', 'UserId', 'UserPolicyList'],
    ['RoleDetailList', 'role', 'RoleName', 'RoleId', 'RolePolicyList'],
  ] as const) {
    for (const [i, entry] of listOf(root[listName]).entries()) {
      const pointer = `${listName}[${i}]`;
      const line = tree.lineOf(entry, 1);
      if (!isMapping(entry)) {
        ctx.skip(line, `${pointer}: expected an object`);
        continue;
      }
      const identity = readIdentity(entry, type, nameKey, idKey, { file, line, pointer }, ctx);
      if (identity === undefined) continue;
      yield { kind: 'identity', record: identity };
      const id = identity.id;
      yield* inlineGrants(id, entry[inlineKey], `${pointer}.${inlineKey}`, line);
      for (const [j, attachment] of listOf(entry['AttachedManagedPolicies']).entries()) {
        yield* managedGrants(id, attachment, `${pointer}.AttachedManagedPolicies[${j}]`, line);
      }
      const boundary = entry['PermissionsBoundary'];
      if (isMapping(boundary)) {
        const attachment = { PolicyArn: boundary['PermissionsBoundaryArn'] };
        for (const record of managedGrants(id, attachment, `${pointer}.PermissionsBoundary`, tree.lineOf(boundary, line))) {
          yield record.kind === 'grant' ? { kind: 'grant', record: { ...record.record, boundary: true } } : record;
        }
      }
      if (type !== 'user') continue;
      for (const groupName of listOf(entry['GroupList'])) {
        const found = typeof groupName === 'string' ? groups.get(groupName) : undefined;
        if (found === undefined) continue;
        const { group, pointer: gp, line: gl } = found;
        yield* inlineGrants(id, group['GroupPolicyList'], `${gp}.GroupPolicyList`, gl, `group:${String(groupName)}/`);
        for (const [j, attachment] of listOf(group['AttachedManagedPolicies']).entries()) {
          yield* managedGrants(id, attachment, `${gp}.AttachedManagedPolicies[${j}]`, gl);
        }
      }
    }
  }
}

interface LocalPolicy {
  readonly index: number;
  readonly document: unknown;
  readonly documentPointer: string;
  readonly line: number;
}

/** Customer (and listed AWS) managed policies by ARN → their default version's document. */
function indexPolicies(value: unknown, tree: LocatedDocument): ReadonlyMap<string, LocalPolicy> {
  const out = new Map<string, LocalPolicy>();
  for (const [index, policy] of listOf(value).entries()) {
    if (!isMapping(policy)) continue;
    const arn = str(policy['Arn']);
    if (arn === null) continue;
    const defaultId = str(policy['DefaultVersionId']);
    const versions = listOf(policy['PolicyVersionList']);
    const v = versions.findIndex((version) => isMapping(version) && version['IsDefaultVersion'] === true);
    const chosen =
      v !== -1 ? v : versions.findIndex((version) => isMapping(version) && defaultId !== null && version['VersionId'] === defaultId);
    const version = versions[chosen];
    if (!isMapping(version)) continue;
    out.set(arn, {
      index,
      document: version['Document'],
      documentPointer: `PolicyVersionList[${chosen}].Document`,
      line: tree.lineOf(version, tree.lineOf(policy, 1)),
    });
  }
  return out;
}

function readIdentity(
  entry: Obj,
  type: IdentityType,
  nameKey: string,
  idKey: string,
  source: SourceRef,
  ctx: AdapterContext,
): Identity | undefined {
  const arn = str(entry['Arn']);
  if (arn === null) {
    ctx.skip(source.line, `${source.pointer ?? ''}: Arn is required`);
    return undefined;
  }
  const times: Record<'createdAt' | 'lastUsedAt', Instant | null> = { createdAt: null, lastUsedAt: null };
  const lastUsed = entry['RoleLastUsed'];
  const fields: ReadonlyArray<readonly ['createdAt' | 'lastUsedAt', string, unknown]> = [
    ['createdAt', 'CreateDate', entry['CreateDate']],
    ['lastUsedAt', 'RoleLastUsed.LastUsedDate', isMapping(lastUsed) ? lastUsed['LastUsedDate'] : undefined],
  ];
  for (const [key, field, value] of fields) {
    const text = str(value);
    if (text === null) continue;
    const parsed = parseInstant(text);
    if (!parsed.ok) {
      ctx.skip(source.line, `${source.pointer ?? ''}.${field}: ${parsed.reason}`);
      return undefined;
    }
    times[key] = parsed.value;
  }
  const aliases = [str(entry[nameKey]), str(entry[idKey])].filter((alias): alias is string => alias !== null);
  const trust = trustStatements(entry['AssumeRolePolicyDocument']);
  return {
    ...(trust.length === 0 ? {} : { trust }),
    id: arn,
    aliases,
    type,
    provider: 'aws',
    tenant: accountOf(arn),
    environment: null,
    owner: ownerTag(entry['Tags']),
    consumers: [],
    createdAt: times.createdAt,
    status: 'active',
    disabledAt: null,
    lastUsedAt: times.lastUsedAt,
    // get-account-authorization-details lists every user and role of the account.
    tenantListed: true,
    source,
  };
}

function ownerTag(tags: unknown): string | null {
  for (const tag of listOf(tags)) {
    if (!isMapping(tag)) continue;
    const key = str(tag['Key']);
    const value = str(tag['Value']);
    if (key !== null && value !== null && OWNER_TAG.test(key)) return value;
  }
  return null;
}
