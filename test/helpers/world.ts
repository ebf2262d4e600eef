/*
 * Builds an in-memory Inventory + Usage from terse records, for rule tests.
 * Defaults are neutral (active, no dates); each test states only what matters.
 */
import { Correlator } from '../../src/correlate/index.js';
import type {
  Approval,
  Credential,
  Eligibility,
  Event,
  Grant,
  Identity,
  NormalizedRecord,
  Principal,
  Provisioner,
  SecretSighting,
  SourceRef,
  Tenant,
} from '../../src/model/index.js';
import { parseInstant } from '../../src/model/index.js';

let nextLine = 1;
/** A distinct evidence position per record so tests can assert file:line. */
export function at(file = 'inventory.yaml', line?: number): SourceRef {
  return { file, line: line ?? nextLine++ };
}

/** `t('2026-01-02T03:04:05Z')` → epoch ms; throws on a bad literal so typos fail loudly. */
export function t(iso: string): number {
  const parsed = parseInstant(iso);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

type Input<T> = Partial<T> & { id: string };

export function identity(input: Input<Identity>): NormalizedRecord {
  const record: Identity = {
    aliases: [], type: 'service-account', provider: 'custom', tenant: null, environment: null, owner: null,
    consumers: [], createdAt: null, status: 'active', disabledAt: null, lastUsedAt: null, source: at(),
    ...input,
  };
  return { kind: 'identity', record };
}

export function credential(input: Input<Credential>): NormalizedRecord {
  const record: Credential = {
    identity: null, type: 'api-key', issuedAt: null, expiresAt: null, lastRotatedAt: null, lastUsedAt: null,
    scopes: [], tenant: null, clientId: null, onBehalfOf: null, approval: null, revokedAt: null,
    createdBy: null, active: true, source: at(),
    ...input,
  };
  return { kind: 'credential', record };
}

export function approval(input: Input<Approval> & { delegate: string }): NormalizedRecord {
  const record: Approval = {
    principal: null, approver: null, scopes: [], tenant: null, grantedAt: null, expiresAt: null,
    reviewBy: null, lastReviewedAt: null, status: 'active', endedAt: null, purpose: null, source: at(),
    ...input,
  };
  return { kind: 'approval', record };
}

export function principal(input: Input<Principal>): NormalizedRecord {
  const record: Principal = { kind: 'human', status: 'active', offboardedAt: null, source: at(), ...input };
  return { kind: 'principal', record };
}

export function tenant(input: Input<Tenant>): NormalizedRecord {
  const record: Tenant = { name: null, environment: null, source: at(), ...input };
  return { kind: 'tenant', record };
}

export function grant(input: Partial<Grant> & { identity: string; actions: readonly string[] }): NormalizedRecord {
  const record: Grant = {
    notActions: false, resources: ['*'], effect: 'allow', via: null, hasConditions: false, source: at(),
    ...input,
  };
  return { kind: 'grant', record };
}

export function event(input: Partial<Event> & { time: number }): NormalizedRecord {
  const record: Event = {
    identity: null, credential: null, action: null, resource: null, tenant: null, environment: null,
    sourceIp: null, userAgent: null, outcome: 'success', category: 'access', onBehalfOf: null,
    actorChain: [], source: at('events.ndjson'),
    ...input,
  };
  return { kind: 'event', record };
}

export function secret(input: Partial<SecretSighting> & { detector: string }): NormalizedRecord {
  const record: SecretSighting = { masked: '…abcd', hash: '0123456789ab', field: null, source: at('export.json'), ...input };
  return { kind: 'secret', record };
}

export function provisioner(input: Partial<Provisioner> & { provider: string; actors: readonly string[] }): NormalizedRecord {
  const record: Provisioner = { tenant: null, source: at('.nhi-audit.yaml'), ...input };
  return { kind: 'provisioner', record };
}

export function eligibility(input: Partial<Eligibility> & { identity: string; roleOrScope: string }): NormalizedRecord {
  const record: Eligibility = { maxDuration: null, approver: null, source: at(), ...input };
  return { kind: 'eligibility', record };
}

/** Correlates the records exactly as a scan would. */
export function world(...records: readonly NormalizedRecord[]) {
  const correlator = new Correlator();
  for (const record of records) correlator.add(record);
  return correlator.finish();
}
