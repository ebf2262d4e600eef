/*
 * out-of-scope-action: a delegate acted — for a principal, or on its own under
 * an approval — with an action that none of its approvals' scopes cover.
 */
import { defineRule, type UsageStats } from '../engine/rule-api.js';
import type { Approval, Evidence, Subject } from '../model/index.js';
import { globMatches, isAwsStyleAction } from './privilege-support.js';
import { approvalEvidence, formatActivity, identitySubject, listWithMore, plural } from './support.js';

/** Scopes are globs (`*`, `s3:Get*`); AWS action names compare case-insensitively, other scopes exactly. */
function covered(action: string, scopes: readonly string[]): boolean {
  return scopes.some((scope) => globMatches(scope, action, isAwsStyleAction(scope) && isAwsStyleAction(action)));
}

/** Approvals grouped by delegate (resolved) and principal: the scopes a delegation may use are their union. */
interface Delegation {
  readonly delegate: string;
  readonly principal: string | null;
  readonly approvals: Approval[];
}

export const rule = defineRule('NHI-SCOPE-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  if (!inventory.has('approval')) {
    sink.notEvaluated('no approval records were supplied, so the scopes delegates may use are unknown');
    return;
  }
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so which actions delegates performed is unknown');
    return;
  }

  const groups = new Map<string, Delegation>();
  const unscoped: string[] = [];
  for (const approval of inventory.approvals()) {
    if (approval.scopes.length === 0) {
      unscoped.push(approval.id);
      continue;
    }
    const delegate = inventory.identity(approval.delegate)?.id ?? approval.delegate;
    const key = `${delegate}\u0000${approval.principal ?? ''}`;
    const group = groups.get(key) ?? { delegate, principal: approval.principal, approvals: [] };
    group.approvals.push(approval);
    groups.set(key, group);
  }

  const overflowed: string[] = [];
  for (const { delegate, principal, approvals } of groups.values()) {
    const stats: UsageStats | null = principal === null ? usage.forIdentity(delegate) : usage.forDelegation(delegate, principal);
    if (stats === null) continue;
    const scopes = [...new Set(approvals.flatMap((approval) => approval.scopes))];
    const outside = stats.actions.values.filter((action) => !covered(action, scopes));
    const party = principal === null ? delegate : `${delegate} for ${principal}`;
    if (stats.actions.overflow) overflowed.push(party);
    if (outside.length === 0) continue;

    const identity = inventory.identity(delegate);
    const subject: Subject = identity === undefined ? { kind: 'identity', id: delegate } : identitySubject(identity);
    const firsts = outside.map((action) => ({ action, first: stats.actions.firstSeen.get(action) }));
    const shown = firsts.slice(0, 5).map(({ action, first }) => `${action}${first === undefined ? '' : ` first at ${formatActivity(first)}`}`);
    const hidden = outside.length - shown.length;
    const ids = approvals.map((approval) => approval.id);
    sink.report({
      messageId: 'out-of-scope',
      message:
        `${principal === null ? `Delegate ${delegate}` : `Delegate ${delegate}, acting for ${principal},`} performed ` +
        `${plural(outside.length, 'action')} outside the scopes of approval${ids.length === 1 ? '' : 's'} ${listWithMore(ids)} ` +
        `(${scopes.map((scope) => `"${scope}"`).join(', ')}): ${shown.join('; ')}${hidden > 0 ? `; and ${hidden} more` : ''}` +
        `${stats.actions.overflow ? ' (more distinct actions were seen than kept, so there may be others)' : ''}.`,
      subject,
      evidence: [
        ...approvals.map((approval) => approvalEvidence(approval, `approval ${approval.id} for ${party}: scopes ${approval.scopes.join(', ')}`)),
        ...firsts.flatMap(({ action, first }): Evidence[] =>
          first === undefined
            ? []
            : [{ key: `event:${delegate}:${principal ?? ''}:first-out-of-scope:${action}`, source: first.source, summary: `first ${action} by ${party}, outside the approved scopes` }],
        ),
      ],
    });
  }

  if (unscoped.length > 0) {
    sink.note(`approvals without scopes were not compared with the actions of their delegates: ${listWithMore(unscoped)}`);
  }
  if (overflowed.length > 0) {
    sink.note(`more distinct actions were seen than kept for ${listWithMore(overflowed)}: only the kept actions were compared with the approved scopes`);
  }
});
