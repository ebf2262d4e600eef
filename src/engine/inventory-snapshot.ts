import { classifyIdentity } from '../correlate/classify.js';
import { Correlator } from '../correlate/index.js';
import { discover } from '../ingest/discover.js';
import { ingest } from '../ingest/ingest.js';
import { formatInstant, formatSource, type InputSummary, type Instant, type SkippedInput } from '../model/index.js';
import { redactDeep } from './redact.js';

/** One identity as `nhi-audit inventory` shows it: model fields plus what the logs say. */
export interface IdentityRow {
  readonly id: string;
  readonly type: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly environment: string | null;
  readonly owner: string | null;
  readonly status: string;
  /** A human-readable name where the id is opaque (Entra apps, GitHub apps). */
  readonly displayName: string | null;
  /** Published by another organisation (a multi-tenant app, an installed integration). */
  readonly thirdParty: boolean;
  /** Who may assume it, per trust statement: `federated token.actions.githubusercontent.com (pinned: sub)`. */
  readonly trustedBy: readonly string[];
  readonly credentials: number;
  readonly grants: number;
  readonly lastUse: string | null;
  readonly events: number;
  /** Machine or person, and the evidence that decided it. */
  readonly nonHuman: boolean;
  readonly why: string;
  readonly source: string;
}

export interface CredentialRow {
  readonly id: string;
  readonly type: string;
  readonly identity: string | null;
  readonly onBehalfOf: string | null;
  readonly issuedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly active: boolean;
  readonly lastUse: string | null;
  readonly source: string;
}

export interface InventorySnapshot {
  /** Every file read: its format, records per kind, skips and, for event logs, the first and last event time. */
  readonly sources: readonly InputSummary[];
  readonly identities: readonly IdentityRow[];
  readonly credentials: readonly CredentialRow[];
  readonly approvals: number;
  readonly principals: number;
  readonly tenants: number;
  readonly unresolvedActors: readonly string[];
  readonly skipped: readonly SkippedInput[];
}

const iso = (instant: Instant | null): string | null => (instant === null ? null : formatInstant(instant));
const latest = (...instants: (Instant | null | undefined)[]): Instant | null =>
  instants.reduce<Instant | null>((best, value) => (value == null ? best : best === null || value > best ? value : best), null);

/** Reads and correlates the inputs without running rules. Every string passes through secret redaction. */
export async function inventorySnapshot(patterns: readonly string[], cwd: string, strict: boolean): Promise<InventorySnapshot> {
  const files = await discover(patterns, cwd);
  const correlator = new Correlator();
  const { inputs, skipped } = await ingest(files, { strict }, (record) => correlator.add(record));
  const { inventory, usage } = correlator.finish();
  return redactDeep<InventorySnapshot>({
    sources: inputs,
    identities: inventory.identities().map((identity) => {
      const used = usage.forIdentity(identity.id);
      const kind = classifyIdentity(identity, inventory, usage);
      return {
        id: identity.id,
        type: identity.type,
        provider: identity.provider,
        tenant: identity.tenant,
        environment: identity.environment,
        owner: identity.owner,
        status: identity.status,
        displayName: identity.displayName ?? null,
        thirdParty: identity.thirdParty === true,
        trustedBy: (identity.trust ?? []).flatMap((statement) =>
          statement.trustees.map((trustee) => {
            const pinned = (statement.pinning ?? []).map((pin) => pin.key);
            const bound = pinned.length > 0 ? ` (pinned: ${pinned.join(', ')})` : statement.hasConditions ? ' (conditions)' : '';
            return `${statement.effect === 'deny' ? 'deny ' : ''}${trustee.kind} ${trustee.id}${bound}`;
          }),
        ),
        credentials: inventory.credentialsOf(identity.id).length,
        grants: inventory.grantsOf(identity.id).length,
        lastUse: iso(latest(identity.lastUsedAt, used?.lastUse?.time)),
        events: used?.events ?? 0,
        nonHuman: kind.nonHuman,
        why: kind.reason,
        source: formatSource(identity.source),
      };
    }),
    credentials: inventory.credentials().map((credential) => ({
      id: credential.id,
      type: credential.type,
      identity: credential.identity,
      onBehalfOf: credential.onBehalfOf,
      issuedAt: iso(credential.issuedAt),
      expiresAt: iso(credential.expiresAt),
      revokedAt: iso(credential.revokedAt),
      active: credential.active,
      lastUse: iso(latest(credential.lastUsedAt, usage.forCredential(credential.id)?.lastUse?.time)),
      source: formatSource(credential.source),
    })),
    approvals: inventory.approvals().length,
    principals: inventory.principals().length,
    tenants: inventory.tenants().length,
    unresolvedActors: usage.unresolvedIdentities(),
    skipped,
  });
}
