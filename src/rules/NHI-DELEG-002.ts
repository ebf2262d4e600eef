/*
 * unpermitted-actor: a token's `act` chain names an actor that its
 * `may_act` claim does not allow (RFC 8693 §4.1, §4.4).
 */
import { defineRule } from '../engine/rule-api.js';
import type { TokenParty } from '../model/index.js';
import { credentialEvidence, credentialSubject, listWithMore, partyText, plural } from './support.js';
import { credentialOwner } from './lifecycle-support.js';

/** A may_act party allows an actor with the same `sub`, and the same `iss` when both name one. */
function allows(allowed: TokenParty, actor: TokenParty): boolean {
  return allowed.sub === actor.sub && (allowed.iss === undefined || actor.iss === undefined || allowed.iss === actor.iss);
}

export const rule = defineRule('NHI-DELEG-002', (ctx, sink) => {
  const { inventory } = ctx;
  const chained = inventory.credentials().filter((credential) => (credential.actorChain?.length ?? 0) > 0);
  if (chained.length === 0) {
    sink.notEvaluated('no token with an act (actor) claim was supplied (introspection responses or decoded JWT claims)');
    return;
  }
  const unstated: string[] = [];
  for (const credential of chained) {
    const chain = credential.actorChain ?? [];
    const mayAct = credential.mayAct;
    if (mayAct === undefined) {
      unstated.push(credential.id);
      continue;
    }
    const refused = chain.filter((actor) => !mayAct.some((allowed) => allows(allowed, actor)));
    if (refused.length === 0) continue;
    const subject = credential.onBehalfOf ?? credential.clientId ?? 'an unnamed subject';
    const permitted = mayAct.length === 0 ? 'no actor at all' : listWithMore(mayAct.map(partyText));
    sink.report({
      messageId: 'unpermitted-actor',
      message:
        `Token ${credential.id} for ${subject} names ${plural(refused.length, 'actor')} that may_act does not allow: ` +
        `${listWithMore(refused.map(partyText))} (may_act allows ${permitted}; chain ${chain.map(partyText).join(' → ')}).`,
      subject: credentialSubject(credential, credentialOwner(credential, inventory)),
      evidence: [
        credentialEvidence(credential, `token ${credential.id}: act chain ${chain.map((party) => party.sub).join(' → ')}, may_act ${mayAct.map((party) => party.sub).join(', ') || 'empty'}`),
      ],
    });
  }
  if (unstated.length > 0) {
    sink.note(
      `${plural(unstated.length, 'token')} with an act chain but no may_act (${listWithMore(unstated)}): who may act for the subject is not stated, so the actors were not judged`,
    );
  }
});
