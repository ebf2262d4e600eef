/*
 * delegation-chain-depth: an identity's action reached its target through
 * more delegation hops (token exchange `act` nesting, GCP delegation info,
 * AWS role chaining, Kubernetes impersonation) than `max_hops`. A token's
 * `act` chain (introspection, decoded JWT claims) counts as a chain of the
 * identity holding the token, as events' chains do: hops earliest first, the
 * final caller included, the subject the token acts for not counted.
 */
import { defineRule, type UsageStats } from '../engine/rule-api.js';
import { formatInstant, formatSource, type Credential, type Evidence, type Subject } from '../model/index.js';
import { credentialOwnerRef } from './lifecycle-support.js';
import { credentialEvidence, formatActivity, identityEvidence, identityLabel, identitySubject, partyText, plural } from './support.js';

type Params = {
  /** Most delegation hops an action may pass through. */
  readonly max_hops: number;
};

function chainText(chain: UsageStats['deepestChain'] & object): string {
  const cut = chain.depth > chain.chain.length ? ' → …' : '';
  return `${chain.chain.join(' → ')}${cut}`;
}

/** The token with the longest act chain per holder (identity id or the reference the token wrote); ties go to the first in evidence order. */
function deepestTokens(credentials: readonly Credential[], ownerOf: (credential: Credential) => string | null): Map<string, Credential> {
  const deepest = new Map<string, Credential>();
  for (const credential of credentials) {
    const depth = credential.actorChain?.length ?? 0;
    const owner = ownerOf(credential);
    if (depth === 0 || owner === null) continue;
    const known = deepest.get(owner);
    if (known === undefined || depth > (known.actorChain?.length ?? 0)) deepest.set(owner, credential);
  }
  return deepest;
}

export const rule = defineRule<Params>('NHI-DELEG-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const maxHops = ctx.params.max_hops;
  const tokens = deepestTokens(inventory.credentials(), (credential) => credentialOwnerRef(credential, inventory));
  if (usage.coverage() === null && tokens.size === 0) {
    sink.notEvaluated('no access-log events and no tokens with an act chain were supplied, so delegation chains are unknown');
    return;
  }

  let anyChain = false;
  /** A token's chain, judged when it is deeper than every chain the events showed for the same holder. */
  const judgeToken = (subject: Subject, label: string, token: Credential, eventDepth: number, head: Evidence[]): boolean => {
    const chain = token.actorChain ?? [];
    if (chain.length <= eventDepth) return false;
    anyChain = true;
    if (chain.length <= maxHops) return true;
    const text = chain.map(partyText).join(' → ');
    const issued = token.issuedAt === null ? '' : ` issued ${formatInstant(token.issuedAt)}`;
    sink.report({
      messageId: 'token-chain-too-deep',
      message:
        `${label} holds token ${token.id}${token.onBehalfOf === null ? '' : ` for ${token.onBehalfOf}`}${issued} whose act claim chains ${plural(chain.length, 'actor')} (${text}), ` +
        `more than the ${maxHops} allowed (${formatSource(token.source)}).`,
      subject,
      evidence: [...head, credentialEvidence(token, `token ${token.id}: ${chain.length} hops: ${text}`)],
    });
    return true;
  };
  const judge = (subject: Subject, label: string, stats: UsageStats | null, head: Evidence[]) => {
    const chain = stats?.deepestChain ?? null;
    const token = tokens.get(subject.id);
    tokens.delete(subject.id);
    if (token !== undefined && judgeToken(subject, label, token, chain?.depth ?? 0, head)) return;
    if (chain === null) return;
    anyChain = true;
    if (chain.depth <= maxHops) return;
    sink.report({
      messageId: 'chain-too-deep',
      message:
        `${label} acted through a delegation chain of ${plural(chain.depth, 'hop')} (${chainText(chain)}), more than the ${maxHops} allowed, ` +
        `at ${formatActivity(chain)}.`,
      subject,
      evidence: [
        ...head,
        { key: `event:${subject.id}:deepest-chain`, source: chain.source, summary: `${chain.depth} hops at ${formatInstant(chain.time)}: ${chainText(chain)}` },
      ],
    });
  };

  for (const identity of inventory.identities()) {
    judge(identitySubject(identity), identityLabel(identity), usage.forIdentity(identity.id), [
      identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider})`),
    ]);
  }
  // Actors seen only in the logs can sit at the end of a chain just as well.
  for (const ref of usage.unresolvedIdentities()) {
    judge({ kind: 'identity', id: ref }, `Identity ${ref} (not in the inventory)`, usage.forIdentity(ref), []);
  }
  // Tokens held by clients that neither the inventory nor the logs name otherwise.
  for (const [ref, token] of [...tokens].sort(([a], [b]) => (a < b ? -1 : 1))) {
    judgeToken({ kind: 'identity', id: ref }, `Client ${ref} (not in the inventory)`, token, 0, []);
  }
  if (!anyChain) sink.note('no event carried a delegation chain (actor chain, delegation info, role chaining or impersonation)');
});
