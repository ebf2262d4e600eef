/*
 * delegation-chain-depth: an identity's action reached its target through
 * more delegation hops (token exchange `act` nesting, GCP delegation info,
 * AWS role chaining, Kubernetes impersonation) than `max_hops`.
 */
import { defineRule, type UsageStats } from '../engine/rule-api.js';
import { formatInstant, type Evidence, type Subject } from '../model/index.js';
import { formatActivity, identityEvidence, identityLabel, identitySubject, plural } from './support.js';

type Params = {
  /** Most delegation hops an action may pass through. */
  readonly max_hops: number;
};

function chainText(chain: UsageStats['deepestChain'] & object): string {
  const cut = chain.depth > chain.chain.length ? ' → …' : '';
  return `${chain.chain.join(' → ')}${cut}`;
}

export const rule = defineRule<Params>('NHI-DELEG-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const maxHops = ctx.params.max_hops;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so delegation chains are unknown');
    return;
  }

  let anyChain = false;
  const judge = (subject: Subject, label: string, stats: UsageStats | null, head: Evidence[]) => {
    const chain = stats?.deepestChain ?? null;
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
  if (!anyChain) sink.note('no event carried a delegation chain (actor chain, delegation info, role chaining or impersonation)');
});
