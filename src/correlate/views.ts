import type {
  Approval,
  Credential,
  Eligibility,
  EventCategory,
  Grant,
  Identity,
  Instant,
  Principal,
  Provisioner,
  RecordKind,
  SecretSighting,
  SourceRef,
  Tenant,
} from '../model/index.js';

/*
 * The read-only API rules evaluate against. Rules never see a file format;
 * they see these views, built by correlation from whatever adapters produced.
 */

/** The indexed inventory. Every lookup accepts an id or an alias. Lists are sorted by id. */
export interface InventoryView {
  identities(): readonly Identity[];
  identity(ref: string): Identity | undefined;
  credentials(): readonly Credential[];
  credential(id: string): Credential | undefined;
  /** Credentials whose `identity` or `clientId` resolves to this identity. */
  credentialsOf(identityId: string): readonly Credential[];
  /** Credentials that act on behalf of this principal. */
  credentialsActingFor(principalId: string): readonly Credential[];
  /** Credentials issued under this approval. */
  credentialsUnderApproval(approvalId: string): readonly Credential[];
  /** What the identity's policies grant (allow and deny); permissions-boundary statements are not among them. */
  grantsOf(identityId: string): readonly Grant[];
  /** The statements of the identity's permissions boundary; empty when it has none. */
  boundaryOf(identityId: string): readonly Grant[];
  approvals(): readonly Approval[];
  approval(id: string): Approval | undefined;
  /** Approvals whose delegate resolves to this identity. */
  approvalsFor(identityId: string): readonly Approval[];
  principals(): readonly Principal[];
  principal(id: string): Principal | undefined;
  tenants(): readonly Tenant[];
  tenant(id: string): Tenant | undefined;
  /** Raw secret values adapters found in the inputs (masked), in file and line order. */
  secrets(): readonly SecretSighting[];
  /** Whether any input supplied records of this kind: lets a rule say "not evaluated" instead of "clean". */
  has(kind: RecordKind): boolean;
  /** Who may create credentials, per provider/tenant (config file and canonical inventories), in evidence order. */
  provisioners(): readonly Provisioner[];
  /** Just-in-time eligibilities of this identity (by id or alias). */
  eligibilitiesOf(identityId: string): readonly Eligibility[];
}

/** A moment with the record that shows it. */
export interface ActivityRef {
  readonly time: Instant;
  readonly source: SourceRef;
}

export interface TerminationRef extends ActivityRef {
  readonly category: EventCategory;
  /**
   * The credential the event ended, when it named one: a revoke of one token
   * ends that token, not every delegate acting for the same principal.
   */
  readonly credential?: string;
}

/** A set of distinct values kept up to a cap; `size` is exact unless `overflow`. */
export interface CappedSetView {
  /** Sorted. */
  readonly values: readonly string[];
  readonly size: number;
  /** True when more distinct values were seen than kept. */
  readonly overflow: boolean;
  /**
   * The earliest event that showed each kept value: evidence for "seen in tenant X".
   * Kept for actions, tenants, environments and user agents; empty for the other sets.
   */
  readonly firstSeen: ReadonlyMap<string, ActivityRef>;
}

/** The distinct UTC days (day numbers since 1970-01-01, the earliest kept, sorted) on which one action was used. */
export interface ActionDaysView {
  readonly days: readonly number[];
  /** True when it was used on more days than kept. */
  readonly more: boolean;
}

/** The earliest successful credential-create event for a credential, with who did it where the log says. */
export interface CreationRef extends ActivityRef {
  /** The creator as the log names it (an assumed-role session is already its role); null when not named. */
  readonly by: string | null;
  /** A person in an interactive session (console, SSO, browser); null when the log does not say. */
  readonly interactive: boolean | null;
}

/** The deepest delegation chain seen, with the event that showed it. */
export interface ChainRef extends ActivityRef {
  /** Number of hops (the chain's full length, even when `chain` was cut). */
  readonly depth: number;
  /** Hops, outermost first, as the event wrote them (at most 16). */
  readonly chain: readonly string[];
}

/**
 * Everything the event fold knows about one key (an identity, a credential,
 * a principal acted for, or an identity-acting-for-principal pair).
 * "Use" means the identity's own successful actions, not lifecycle events about it.
 */
export interface UsageStats {
  /** All events that named this key. */
  readonly events: number;
  /** Own actions (access, token issue/refresh, interactive login, other), success or failure. */
  readonly ownActions: number;
  readonly failures: number;
  readonly firstUse: ActivityRef | null;
  readonly lastUse: ActivityRef | null;
  readonly lastFailure: ActivityRef | null;
  /** Actions of successful own use; token issue and refresh events add none (they are how the delegate gets to act). */
  readonly actions: CappedSetView;
  /** Services of those actions (`s3` of `s3:GetObject`); actions without a `service:` prefix add none. */
  readonly services: CappedSetView;
  /** Providers of the logs the events came from, where the adapter said. */
  readonly providers: CappedSetView;
  /** The own action that went through the most delegation hops, or null when none had any. */
  readonly deepestChain: ChainRef | null;
  readonly tenants: CappedSetView;
  readonly environments: CappedSetView;
  /** Source networks: IPv4 /24, IPv6 /48, or the literal where it is not an IP. */
  readonly networks: CappedSetView;
  readonly userAgents: CappedSetView;
  /** Distinct workloads of own actions: user-agent product (no version) + source network. */
  readonly workloads: CappedSetView;
  readonly refreshes: number;
  /** First and last successful token-refresh presentation. */
  readonly firstRefresh: ActivityRef | null;
  readonly lastRefresh: ActivityRef | null;
  /** Replays the authorization server detected (token-reuse events), and the latest. */
  readonly reuses: number;
  readonly lastReuse: ActivityRef | null;
  /** The credential-create event of this key (a credential id), or null. */
  readonly creation: CreationRef | null;
  /**
   * Per action of successful own use, the days it was used. Kept for identity
   * keys only (events under an identity reference, or under a credential
   * alone); empty for credentials, principals and delegations.
   */
  readonly actionDays: ReadonlyMap<string, ActionDaysView>;
  /** True when more actions were used than `actionDays` keeps. */
  readonly actionDaysOverflow: boolean;
  readonly interactiveLogins: number;
  readonly lastInteractiveLogin: ActivityRef | null;
  /** Revoke, disconnect, credential-delete and identity-delete events, sorted by time (capped). */
  readonly terminations: readonly TerminationRef[];
}

export interface LogCoverage {
  readonly from: Instant;
  readonly to: Instant;
  readonly events: number;
}

/** The folded event logs, queried after correlation with the inventory. */
export interface UsageView {
  /** Span of all event times seen, or null when no events were given. */
  coverage(): LogCoverage | null;
  /** Span of the events that named this tenant (account, project, org), or null when none did. */
  coverageOf(tenant: string): LogCoverage | null;
  /** Every tenant events named, sorted. */
  tenantsSeen(): readonly string[];
  /** Merged over the identity's id and aliases, and credentials that point to it only by id. */
  forIdentity(identityId: string): UsageStats | null;
  forCredential(credentialId: string): UsageStats | null;
  /**
   * Events that acted on behalf of this principal, by any identity. Its
   * terminations also hold the revocation, deletion or removal of every
   * delegate that acted for the principal but whose end the log records
   * without naming the principal: a credential tied to the principal (see
   * `credentialsActingFor`), or an identity that acted for it whose grant,
   * consent or whole self was removed (a revoke, disconnect or delete naming
   * no credential).
   */
  forPrincipal(principalId: string): UsageStats | null;
  /**
   * Credential ids tied to this principal, sorted: the inventory's (by
   * `onBehalfOf`) and every credential an event named together with the
   * principal (its use, its issue or refresh, its consent record).
   */
  credentialsActingFor(principalId: string): readonly string[];
  /** Events by this identity on behalf of this principal. */
  forDelegation(identityId: string, principalId: string): UsageStats | null;
  /** Actor references in events that match no identity in the inventory, sorted. */
  unresolvedIdentities(): readonly string[];
  /** Credentials that acted in events naming no identity and match no credential in the inventory, sorted. */
  unresolvedCredentials(): readonly string[];
}
