/*
 * broad-third-party-scope: an app, OAuth client or integration published by
 * another organisation holds high-risk scopes, or was consented for every
 * user of the tenant beyond sign-in basics.
 */
import { defineRule, type InventoryView, type UsageView } from '../engine/rule-api.js';
import { formatSource, type Evidence, type Grant, type Identity, type Instant } from '../model/index.js';
import { DataReader, dataContent, globMatcher, quoteAll } from './hygiene-support.js';
import { credentialEvidence, credentialPhrase, identitySubject, isLive } from './support.js';

interface ProviderScopes {
  /** Lower-cased scope → whether it writes. */
  readonly risky: ReadonlyMap<string, boolean>;
  readonly baseline: ReadonlySet<string>;
  readonly isWrite: (scope: string) => boolean;
  readonly withWrite: ReadonlySet<string>;
}

function readRiskyScopes(content: Readonly<Record<string, unknown>>): ReadonlyMap<string, ProviderScopes> {
  const read = new DataReader('risky-scopes');
  const providers = read.mapping(content['providers'], 'providers');
  const out = new Map<string, ProviderScopes>();
  for (const [provider, raw] of Object.entries(providers)) {
    const where = `providers.${provider}`;
    const entry = read.mapping(raw, where);
    const risky = new Map<string, boolean>();
    read.list(entry['scopes'], `${where}.scopes`).forEach((item, index) => {
      const scope = read.mapping(item, `${where}.scopes[${index}]`);
      read.string(scope['why'], `${where}.scopes[${index}].why`);
      risky.set(read.string(scope['scope'], `${where}.scopes[${index}].scope`).toLowerCase(), read.boolean(scope['write'], `${where}.scopes[${index}].write`));
    });
    const writePatterns = read.strings(entry['write_patterns'], `${where}.write_patterns`).map(globMatcher);
    out.set(provider, {
      risky,
      baseline: new Set(read.strings(entry['baseline'], `${where}.baseline`).map((scope) => scope.toLowerCase())),
      isWrite: (scope) => risky.get(scope.toLowerCase()) === true || writePatterns.some((matches) => matches(scope)),
      withWrite: new Set(read.strings(entry['with_write'], `${where}.with_write`).map((scope) => scope.toLowerCase())),
    });
  }
  return out;
}

/** How a scope reached the app: a grant (with its consent) or a credential's scopes. */
interface Holding {
  readonly scopes: readonly string[];
  /** `tenant-wide consent`, `consent by one user`, `application permission`, `token scopes`. */
  readonly how: string;
  readonly tenantWide: boolean;
  readonly evidence: Evidence;
}

function consentText(grant: Grant): string {
  if (grant.consent === 'all-principals') return 'tenant-wide consent (all users)';
  if (grant.consent === 'principal') return 'consent by one user';
  return 'application permission';
}

function holdings(identity: Identity, inventory: InventoryView, usage: UsageView, asOf: Instant): Holding[] {
  const found: Holding[] = [];
  inventory.grantsOf(identity.id).forEach((grant, index) => {
    if (grant.effect !== 'allow' || grant.notActions) return;
    const how = consentText(grant);
    found.push({
      scopes: grant.actions,
      how,
      tenantWide: grant.consent === 'all-principals',
      evidence: {
        key: `grant:${identity.id}:${grant.via ?? String(index)}`,
        source: grant.source,
        summary: `${how}: ${quoteAll(grant.actions)}${grant.via === null ? '' : ` via ${grant.via}`}`,
      },
    });
  });
  for (const credential of inventory.credentialsOf(identity.id)) {
    if (credential.scopes.length === 0 || !isLive(credential, usage, asOf)) continue;
    found.push({
      scopes: credential.scopes,
      how: `scopes of ${credentialPhrase(credential)}`,
      tenantWide: false,
      evidence: credentialEvidence(credential, `live ${credential.type} ${credential.id} with scopes ${quoteAll(credential.scopes)}`),
    });
  }
  return found;
}

/** Scopes of one holding that are risky: listed ones, and `with_write` ones beside any write scope of the app. */
function riskyScopes(holding: Holding, facts: ProviderScopes, appWrites: boolean): string[] {
  return holding.scopes.filter((scope) => {
    const name = scope.toLowerCase();
    return facts.risky.has(name) || (appWrites && facts.withWrite.has(name));
  });
}

function isThirdParty(identity: Identity, inventory: InventoryView): boolean {
  if (identity.thirdParty === true) return true;
  return identity.type === 'app' && inventory.grantsOf(identity.id).some((grant) => grant.consent !== undefined);
}

export const rule = defineRule('NHI-THIRD-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  const apps = inventory.identities().filter((identity) => identity.status !== 'deleted' && isThirdParty(identity, inventory));
  if (apps.length === 0) {
    const why = inventory.has('identity')
      ? 'no identity is marked third-party and no app holds consented grants'
      : 'no identities were supplied';
    sink.notEvaluated(`${why}, so there are no third-party apps to check`);
    return;
  }
  const facts = readRiskyScopes(dataContent(ctx.data, 'risky-scopes'));
  const unknownProviders = new Set<string>();

  for (const app of apps) {
    const known = facts.get(app.provider);
    if (known === undefined) {
      unknownProviders.add(app.provider);
      continue;
    }
    const held = holdings(app, inventory, usage, asOf);
    const appWrites = held.some((holding) => holding.scopes.some(known.isWrite));
    const offences = held.flatMap((holding) => {
      const risky = riskyScopes(holding, known, appWrites);
      const beyondSignIn = holding.tenantWide ? holding.scopes.filter((scope) => !known.baseline.has(scope.toLowerCase())) : [];
      return risky.length > 0 || beyondSignIn.length > 0 ? [{ holding, risky, beyondSignIn }] : [];
    });
    if (offences.length === 0) continue;
    const critical = offences.some(({ holding, risky }) => holding.tenantWide && risky.some((scope) => known.risky.get(scope.toLowerCase()) === true));
    const riskyAll = [...new Set(offences.flatMap(({ risky }) => risky))];
    const parts = offences.map(({ holding, risky, beyondSignIn }) => {
      const shown = risky.length > 0 ? risky : beyondSignIn;
      return `${quoteAll(shown)} through ${holding.how} (${formatSource(holding.evidence.source)})`;
    });
    const name = app.displayName === undefined ? app.id : `"${app.displayName}" (${app.id})`;
    sink.report({
      messageId: riskyAll.length > 0 ? 'risky-scopes' : 'tenant-wide-consent',
      message:
        `Third-party ${app.type} ${name} from ${app.provider} holds ` +
        `${riskyAll.length > 0 ? 'high-risk scopes' : 'scopes consented for the whole tenant'}: ${parts.join('; ')}.`,
      subject: identitySubject(app),
      evidence: [
        { key: `identity:${app.id}`, source: app.source, summary: `${app.type} ${app.id}${app.thirdParty === true ? ', published by another organisation' : ', holds consented grants'}` },
        ...offences.map(({ holding }) => holding.evidence),
      ],
      ...(critical ? { severity: 'critical' as const } : {}),
    });
  }
  if (unknownProviders.size > 0) {
    sink.note(`third-party apps of ${[...unknownProviders].sort().join(', ')} were not checked: rules/data/risky-scopes.yaml lists no scopes for that provider`);
  }
});
