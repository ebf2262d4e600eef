import type {
  Approval,
  Credential,
  Eligibility,
  Grant,
  Identity,
  NormalizedRecord,
  Principal,
  Provisioner,
  RecordKind,
  SecretSighting,
  SourceRef,
  Tenant,
} from '../model/index.js';
import type { InventoryView } from './views.js';

type Keyed = { readonly id: string };

/**
 * How final a lifecycle status is. When sources disagree, the more final one
 * wins whatever the read order: an inventory that says (or defaults to)
 * `active` must not hide an offboarding or deactivation a log recorded.
 */
const STATUS_FINALITY: Readonly<Record<string, number>> = {
  active: 0,
  disabled: 1,
  expired: 1,
  closed: 2,
  revoked: 2,
  offboarded: 2,
  deleted: 3,
};

/**
 * When two inputs describe the same record (a canonical inventory and a
 * provider dump, say), the first one read keeps its evidence pointer and
 * each field takes the first value that is present; lists are united.
 * Lifecycle state is the exception: the more final status wins, and an
 * inactive credential stays inactive. "First" is in sorted path order, not
 * arrival order (see InventoryBuilder.freeze), so the result is the same
 * whichever thread read which file first.
 */
function mergeRecords<T extends Keyed>(first: T, second: T): T {
  const merged: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    const current = merged[key];
    if (key === 'status' && typeof current === 'string' && typeof value === 'string') {
      if ((STATUS_FINALITY[value] ?? 0) > (STATUS_FINALITY[current] ?? 0)) merged[key] = value;
    } else if (key === 'active' && typeof current === 'boolean' && typeof value === 'boolean') {
      merged[key] = current && value;

    } else if (Array.isArray(current) && Array.isArray(value)) {
      merged[key] = [...new Set([...(current as unknown[]), ...(value as unknown[])])];
    } else if (current === null || current === undefined) {
      merged[key] = value;
    }
  }
  // An expiry is unknown only if every source is in the dark: a listing that states none knows there is none.
  const unknown = (record: object): boolean => (record as Record<string, unknown>)['expiryUnknown'] === true;
  if ('expiryUnknown' in merged) merged['expiryUnknown'] = unknown(first) && unknown(second);
  return merged as T;
}

function byId<T extends Keyed>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Collects records as they stream in; `freeze()` builds the indexed, read-only Inventory. */
export class InventoryBuilder {
  // Every record of an id, merged at freeze(): the merge depends on which comes first.
  private readonly identities = new Map<string, Identity[]>();
  private readonly credentials = new Map<string, Credential[]>();
  private readonly approvals = new Map<string, Approval[]>();
  private readonly principals = new Map<string, Principal[]>();
  private readonly tenants = new Map<string, Tenant[]>();
  private readonly grants: Grant[] = [];
  private readonly secrets: SecretSighting[] = [];
  private readonly provisioners: Provisioner[] = [];
  private readonly eligibilities: Eligibility[] = [];
  private readonly kinds = new Set<RecordKind>();

  /** Accepts every record kind except events, which go to the Usage fold. */
  add(entry: Exclude<NormalizedRecord, { kind: 'event' }>): void {
    this.kinds.add(entry.kind);
    switch (entry.kind) {
      case 'identity':
        return push(this.identities, entry.record.id, entry.record);
      case 'credential':
        return push(this.credentials, entry.record.id, entry.record);
      case 'approval':
        return push(this.approvals, entry.record.id, entry.record);
      case 'principal':
        return push(this.principals, entry.record.id, entry.record);
      case 'tenant':
        return push(this.tenants, entry.record.id, entry.record);
      case 'grant':
        this.grants.push(entry.record);
        return;
      case 'secret':
        this.secrets.push(entry.record);
        return;
      case 'provisioner':
        this.provisioners.push(entry.record);
        return;
      case 'eligibility':
        this.eligibilities.push(entry.record);
        return;
    }
  }

  /** Events were seen; recorded so `has('event')` answers for rules. */
  sawEvents(): void {
    this.kinds.add('event');
  }

  /**
   * Records of one id merge in the order of their files' paths, each file's
   * in the order it wrote them; grants keep that order too. Worker threads
   * hand files over in any order, and the inventory must not notice.
   */
  freeze(): Inventory {
    return new Inventory(
      mergeAll(this.identities),
      mergeAll(this.credentials),
      mergeAll(this.approvals),
      mergeAll(this.principals),
      mergeAll(this.tenants),
      [...this.grants].sort(byFile),
      [...this.secrets].sort(bySighting),
      this.kinds,
      [...this.provisioners].sort(bySource),
      [...this.eligibilities].sort(bySource),
    );
  }
}

/** Records without an id, in evidence order (file, then line): the read order of inputs is sorted too. */
function bySource(a: { readonly source: SecretSighting['source'] }, b: { readonly source: SecretSighting['source'] }): number {
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
}

/** Sightings in evidence order: file, line, then detector and hash for ties on one line. */
function bySighting(a: SecretSighting, b: SecretSighting): number {
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  if (a.source.line !== b.source.line) return a.source.line - b.source.line;
  const left = `${a.detector} ${a.hash}`;
  const right = `${b.detector} ${b.hash}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Stable: records of one file keep the order the file wrote them in. */
function byFile(a: { readonly source: SourceRef }, b: { readonly source: SourceRef }): number {
  return a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0;
}

/** One record per id, sorted by id: each id's records merged in path order. */
function mergeAll<T extends Keyed & { readonly source: SourceRef }>(map: ReadonlyMap<string, T[]>): T[] {
  const merged: T[] = [];
  for (const records of map.values()) {
    const [first, ...rest] = records.length > 1 ? [...records].sort(byFile) : records;
    if (first !== undefined) merged.push(rest.reduce(mergeRecords, first));
  }
  return merged.sort(byId);
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The indexed inventory: every lookup by id or alias. */
export class Inventory implements InventoryView {
  /** id or alias → identity id. */
  private readonly identityRefs = new Map<string, string>();
  private readonly identityById = new Map<string, Identity>();
  private readonly credentialById = new Map<string, Credential>();
  private readonly approvalById = new Map<string, Approval>();
  private readonly principalById = new Map<string, Principal>();
  private readonly tenantById = new Map<string, Tenant>();
  private readonly credentialsByIdentity = new Map<string, Credential[]>();
  private readonly credentialsByPrincipal = new Map<string, Credential[]>();
  private readonly credentialsByApproval = new Map<string, Credential[]>();
  private readonly grantsByIdentity = new Map<string, Grant[]>();
  private readonly boundaryByIdentity = new Map<string, Grant[]>();
  private readonly approvalsByIdentity = new Map<string, Approval[]>();
  private readonly eligibilitiesByIdentity = new Map<string, Eligibility[]>();

  constructor(
    private readonly identityList: readonly Identity[],
    private readonly credentialList: readonly Credential[],
    private readonly approvalList: readonly Approval[],
    private readonly principalList: readonly Principal[],
    private readonly tenantList: readonly Tenant[],
    grants: readonly Grant[],
    private readonly secretList: readonly SecretSighting[],
    private readonly kinds: ReadonlySet<RecordKind>,
    private readonly provisionerList: readonly Provisioner[] = [],
    eligibilityList: readonly Eligibility[] = [],
  ) {
    for (const identity of identityList) {
      this.identityById.set(identity.id, identity);
      this.identityRefs.set(identity.id, identity.id);
    }
    // Aliases never shadow a real id: an alias that is another identity's id is ignored.
    for (const identity of identityList) {
      for (const alias of identity.aliases) {
        if (!this.identityRefs.has(alias)) this.identityRefs.set(alias, identity.id);
      }
    }
    for (const credential of credentialList) {
      this.credentialById.set(credential.id, credential);
      const owner = this.resolveCredentialOwner(credential);
      if (owner !== undefined) push(this.credentialsByIdentity, owner, credential);
      if (credential.onBehalfOf !== null) push(this.credentialsByPrincipal, credential.onBehalfOf, credential);
      if (credential.approval !== null) push(this.credentialsByApproval, credential.approval, credential);
    }
    for (const approval of approvalList) {
      this.approvalById.set(approval.id, approval);
      const delegate = this.identityRefs.get(approval.delegate);
      if (delegate !== undefined) push(this.approvalsByIdentity, delegate, approval);
    }
    for (const principal of principalList) this.principalById.set(principal.id, principal);
    for (const tenant of tenantList) this.tenantById.set(tenant.id, tenant);
    for (const grant of grants) {
      const holder = this.identityRefs.get(grant.identity);
      if (holder !== undefined) push(grant.boundary === true ? this.boundaryByIdentity : this.grantsByIdentity, holder, grant);
    }
    for (const eligibility of eligibilityList) {
      push(this.eligibilitiesByIdentity, this.identityRefs.get(eligibility.identity) ?? eligibility.identity, eligibility);
    }
  }

  /** The identity id a reference (id or alias) resolves to. */
  resolveIdentity(ref: string): string | undefined {
    return this.identityRefs.get(ref);
  }

  /** Every reference (id and aliases) that resolves to this identity. */
  referencesOf(identityId: string): readonly string[] {
    const identity = this.identityById.get(identityId);
    if (identity === undefined) return [];
    return [identity.id, ...identity.aliases.filter((alias) => this.identityRefs.get(alias) === identity.id)];
  }

  resolveCredentialOwner(credential: Credential): string | undefined {
    if (credential.identity !== null) {
      const owner = this.identityRefs.get(credential.identity);
      if (owner !== undefined) return owner;
    }
    return credential.clientId === null ? undefined : this.identityRefs.get(credential.clientId);
  }

  identities(): readonly Identity[] {
    return this.identityList;
  }
  identity(ref: string): Identity | undefined {
    const id = this.identityRefs.get(ref);
    return id === undefined ? undefined : this.identityById.get(id);
  }
  credentials(): readonly Credential[] {
    return this.credentialList;
  }
  credential(id: string): Credential | undefined {
    return this.credentialById.get(id);
  }
  credentialsOf(identityId: string): readonly Credential[] {
    const id = this.identityRefs.get(identityId);
    return id === undefined ? [] : (this.credentialsByIdentity.get(id) ?? []);
  }
  credentialsActingFor(principalId: string): readonly Credential[] {
    return this.credentialsByPrincipal.get(principalId) ?? [];
  }
  credentialsUnderApproval(approvalId: string): readonly Credential[] {
    return this.credentialsByApproval.get(approvalId) ?? [];
  }
  grantsOf(identityId: string): readonly Grant[] {
    const id = this.identityRefs.get(identityId);
    return id === undefined ? [] : (this.grantsByIdentity.get(id) ?? []);
  }
  boundaryOf(identityId: string): readonly Grant[] {
    const id = this.identityRefs.get(identityId);
    return id === undefined ? [] : (this.boundaryByIdentity.get(id) ?? []);
  }
  approvals(): readonly Approval[] {
    return this.approvalList;
  }
  approval(id: string): Approval | undefined {
    return this.approvalById.get(id);
  }
  approvalsFor(identityId: string): readonly Approval[] {
    const id = this.identityRefs.get(identityId);
    return id === undefined ? [] : (this.approvalsByIdentity.get(id) ?? []);
  }
  principals(): readonly Principal[] {
    return this.principalList;
  }
  principal(id: string): Principal | undefined {
    return this.principalById.get(id);
  }
  tenants(): readonly Tenant[] {
    return this.tenantList;
  }
  tenant(id: string): Tenant | undefined {
    return this.tenantById.get(id);
  }
  secrets(): readonly SecretSighting[] {
    return this.secretList;
  }
  has(kind: RecordKind): boolean {
    return this.kinds.has(kind);
  }
  provisioners(): readonly Provisioner[] {
    return this.provisionerList;
  }
  eligibilitiesOf(identityId: string): readonly Eligibility[] {
    return this.eligibilitiesByIdentity.get(this.identityRefs.get(identityId) ?? identityId) ?? [];
  }
}
