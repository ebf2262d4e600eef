/*
 * stale-approval: an approval still marked active although it expired, its
 * review is overdue, or it was last reviewed too long ago — while its
 * delegate still holds live credentials or keeps acting.
 */
import { defineRule } from '../engine/rule-api.js';
import { formatDate, formatDuration, type Approval, type Credential, type Instant } from '../model/index.js';
import {
  approvalEvidence,
  credentialEvidence,
  credentialPhrase,
  formatActivity,
  isLive,
  lastUseEvidence,
  listWithMore,
  type LastUse,
} from './support.js';

type Params = {
  /** Longest time since the last review (or the grant) before an approval counts as stale (ms). */
  readonly max_review_age: number;
};

interface Staleness {
  readonly messageId: 'expired-still-active' | 'review-overdue' | 'review-stale';
  /** When this condition made the approval stale. */
  readonly since: Instant;
  readonly text: string;
}

function staleness(approval: Approval, asOf: Instant, maxAge: number): Staleness[] {
  const found: Staleness[] = [];
  if (approval.expiresAt !== null && approval.expiresAt <= asOf) {
    found.push({ messageId: 'expired-still-active', since: approval.expiresAt, text: `expired ${formatDate(approval.expiresAt)}` });
  }
  if (approval.reviewBy !== null && approval.reviewBy <= asOf) {
    found.push({ messageId: 'review-overdue', since: approval.reviewBy, text: `was due for review by ${formatDate(approval.reviewBy)}` });
  }
  const reviewed = approval.lastReviewedAt ?? approval.grantedAt;
  if (reviewed !== null && asOf - reviewed > maxAge) {
    const how = approval.lastReviewedAt === null ? 'was granted' : 'was last reviewed';
    found.push({
      messageId: 'review-stale',
      since: reviewed + maxAge,
      text: `${how} ${formatDate(reviewed)}, more than ${formatDuration(maxAge)} ago`,
    });
  }
  return found;
}

export const rule = defineRule<Params>('NHI-APPR-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  const maxAge = ctx.params.max_review_age;
  if (!inventory.has('approval')) {
    sink.notEvaluated('no approval records were supplied');
    return;
  }
  if (!inventory.has('credential') && usage.coverage() === null) {
    sink.notEvaluated('neither credentials nor event logs were supplied, so whether delegates still hold or use access is unknown');
    return;
  }

  for (const approval of inventory.approvals()) {
    if (approval.status !== 'active') continue;
    const conditions = staleness(approval, asOf, maxAge);
    if (conditions.length === 0) {
      if (approval.lastReviewedAt === null && approval.grantedAt === null && approval.expiresAt === null && approval.reviewBy === null) {
        sink.note(`approval ${approval.id} has no grant, review or expiry date: its age is unknown`);
      }
      continue;
    }
    const staleSince = Math.min(...conditions.map((condition) => condition.since));

    // What the delegate still holds: its own live credentials and any issued under this approval.
    const held = new Map<string, Credential>();
    for (const credential of [...inventory.credentialsOf(approval.delegate), ...inventory.credentialsUnderApproval(approval.id)]) {
      if (isLive(credential, usage, asOf)) held.set(credential.id, credential);
    }
    const last = usage.forIdentity(approval.delegate)?.lastUse ?? null;
    const actedAfter: LastUse | null =
      last !== null && last.time > staleSince
        ? { key: `last-use:identity:${approval.delegate}`, what: approval.delegate, ...last, fromEvents: true }
        : null;
    if (held.size === 0 && actedAfter === null) continue;

    const party = `delegate ${approval.delegate}${approval.principal === null ? '' : ` for ${approval.principal}`}`;
    const purpose = approval.purpose === null ? '' : `, purpose "${approval.purpose}"`;
    const holds = [...held.values()];
    const consequences: string[] = [];
    if (holds.length > 0) {
      consequences.push(`its delegate still holds active ${listWithMore(holds.map(credentialPhrase))}`);
    }
    if (actedAfter !== null) consequences.push(`${holds.length > 0 ? 'it ' : 'its delegate '}acted ${formatActivity(actedAfter)}, after the approval went stale`);
    const first = conditions[0];
    sink.report({
      messageId: first?.messageId ?? 'review-stale',
      message:
        `Approval ${approval.id} (${party}${purpose}) is still active but ${listWithMore(conditions.map((condition) => condition.text))}; ` +
        `${consequences.join(' and ')}.`,
      subject: { kind: 'approval', id: approval.id, ...(approval.tenant === null ? {} : { tenant: approval.tenant }) },
      evidence: [
        approvalEvidence(approval, `approval ${approval.id}, status active, stale since ${formatDate(staleSince)}`),
        ...holds.map((credential) => credentialEvidence(credential, `${credential.type} ${credential.id}, active`)),
        ...(actedAfter === null ? [] : [lastUseEvidence(actedAfter)]),
      ],
    });
  }
});
