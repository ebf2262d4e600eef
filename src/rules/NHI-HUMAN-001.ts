/*
 * human-use-of-nhi: a person uses a machine identity — it signs in
 * interactively, or acts through a browser or provider console — or an IAM
 * user record serves both a program (live programmatic keys) and a person
 * (interactive sign-ins).
 */
import { defineRule, userAgentProduct, type UsageStats } from '../engine/rule-api.js';
import type { Credential, CredentialType, Evidence, Identity } from '../model/index.js';
import { activityEvidence, activityTime, clip } from './hygiene-support.js';
import { credentialPhrase, formatActivity, identityEvidence, identityLabel, identitySubject, isLive, listWithMore, plural } from './support.js';

/** Keys a program authenticates with (a password is how a person signs in). */
const PROGRAMMATIC: ReadonlySet<CredentialType> = new Set<CredentialType>([
  'access-key', 'api-key', 'pat', 'client-secret', 'certificate', 'ssh-key', 'sa-token', 'sa-key',
]);

/** Browsers (every mainstream one announces itself as Mozilla/… or Opera/…) and the AWS console's own user agents. */
export function isInteractiveAgent(userAgent: string): boolean {
  const product = userAgentProduct(userAgent);
  return product === 'mozilla' || product === 'opera' || /^(signin|console)(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(product);
}

function isAccountRoot(identity: Identity): boolean {
  return identity.aliases.includes('<root_account>') || /:root$/.test(identity.id);
}

/** Roles that only people assume through SAML single sign-on (AWS IAM Identity Center permission sets among them). */
function isHumanFederationRole(identity: Identity): boolean {
  const trust = identity.trust ?? [];
  return trust.length > 0 && trust.every((statement) => statement.actions.some((action) => /AssumeRoleWithSAML/i.test(action)));
}

interface Signs {
  readonly text: string[];
  readonly evidence: Evidence[];
}

/** Interactive sign-ins and browser/console user agents in the identity's usage, with the event lines that show them. */
function interactiveSigns(identity: Identity, stats: UsageStats | null): Signs {
  const signs: Signs = { text: [], evidence: [] };
  if (stats === null) return signs;
  if (stats.interactiveLogins > 0 && stats.lastInteractiveLogin !== null) {
    signs.text.push(`${plural(stats.interactiveLogins, 'interactive sign-in')}, the last at ${formatActivity(stats.lastInteractiveLogin)}`);
    signs.evidence.push(
      activityEvidence(`interactive-login:${identity.id}`, stats.lastInteractiveLogin, `interactive sign-in at ${activityTime(stats.lastInteractiveLogin)}`),
    );
  }
  // The first user agent of each interactive product: evidence of the earliest browser/console use.
  const byProduct = new Map<string, string>();
  for (const agent of stats.userAgents.values) {
    if (!isInteractiveAgent(agent)) continue;
    const product = userAgentProduct(agent);
    const seen = stats.userAgents.firstSeen.get(agent);
    const current = byProduct.get(product);
    const currentSeen = current === undefined ? undefined : stats.userAgents.firstSeen.get(current);
    if (seen !== undefined && (currentSeen === undefined || seen.time < currentSeen.time)) byProduct.set(product, agent);
  }
  for (const [product, agent] of [...byProduct.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const seen = stats.userAgents.firstSeen.get(agent);
    if (seen === undefined) continue;
    signs.text.push(`browser/console user agent "${clip(agent)}" first seen ${formatActivity(seen)}`);
    signs.evidence.push(activityEvidence(`user-agent:${identity.id}:${product}`, seen, `${product} user agent first seen at ${activityTime(seen)}`));
  }
  return signs;
}

export const rule = defineRule('NHI-HUMAN-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so interactive sign-ins and browser use are unknown');
    return;
  }
  if (!inventory.has('identity')) {
    sink.notEvaluated('no identities were supplied, so which actors are machines is unknown');
    return;
  }
  for (const identity of inventory.identities()) {
    const stats = usage.forIdentity(identity.id);
    const signs = interactiveSigns(identity, stats);
    if (signs.text.length === 0) continue;
    if (identity.type === 'user') {
      // classifyIdentity calls a user who signs in a person; the question here is whether it also serves a program.
      const keys = inventory.credentialsOf(identity.id).filter((credential) => PROGRAMMATIC.has(credential.type) && isLive(credential, usage, asOf));
      // The account root is the account's owner, not a machine user; its keys are another rule's matter.
      if (keys.length === 0 || isAccountRoot(identity)) continue;
      sink.report({
        messageId: 'user-keys-and-console',
        message:
          `${identityLabel(identity)} holds live programmatic credentials (${listWithMore(keys.map(credentialPhrase))}) and is also used interactively ` +
          `(${signs.text.join('; ')}): one account serves both a program and a person.`,
        subject: identitySubject(identity),
        evidence: [identityEvidence(identity, `user ${identity.id} (${identity.provider})`), ...keys.map(keyEvidence), ...signs.evidence],
      });
      continue;
    }
    if (isHumanFederationRole(identity)) continue;
    sink.report({
      messageId: 'interactive-use',
      message: `${identityLabel(identity)} (${identity.provider}) is a non-human identity used like a person: ${signs.text.join('; ')}.`,
      subject: identitySubject(identity),
      evidence: [identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider})`), ...signs.evidence],
    });
  }
});

function keyEvidence(credential: Credential): Evidence {
  return { key: `credential:${credential.id}`, source: credential.source, summary: `live ${credential.type} ${credential.id}` };
}
