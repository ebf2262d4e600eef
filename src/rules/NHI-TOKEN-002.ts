/*
 * token-refresh-after-end: a refresh token was exchanged after the approval
 * it rests on ended or the person it acts for was offboarded.
 */
import { defineRule, type ActivityRef } from '../engine/rule-api.js';
import { formatDate, type Approval, type Evidence, type Instant, type Principal } from '../model/index.js';
import { credentialOwner } from './lifecycle-support.js';
import {
  approvalEvidence,
  credentialEvidence,
  credentialLabel,
  credentialSubject,
  evidence,
  formatActivity,
  principalEvidence,
} from './support.js';

/** The moment a delegation stopped authorising anything. */
interface DelegationEnd {
  readonly kind: 'approval' | 'principal';
  readonly id: string;
  readonly time: Instant;
  /** `approval apr-1 was revoked 2026-02-11` */
  readonly text: string;
  readonly evidence: Evidence;
}

function approvalEnd(approval: Approval, asOf: Instant): DelegationEnd | null {
  let time: Instant | null = null;
  let how = '';
  if (approval.status === 'revoked' || approval.status === 'closed') {
    time = approval.endedAt;
    how = `was ${approval.status}`;
  } else if (approval.status === 'expired') {
    time = approval.expiresAt ?? approval.endedAt;
    how = 'expired';
  } else if (approval.expiresAt !== null && approval.expiresAt <= asOf) {
    // Past its expiry the approval authorises nothing, whatever its status field says.
    time = approval.expiresAt;
    how = 'expired';
  }
  if (time === null) return null;
  const text = `approval ${approval.id} ${how} ${formatDate(time)}`;
  return { kind: 'approval', id: approval.id, time, text, evidence: approvalEvidence(approval, text) };
}

function principalEnd(principal: Principal): DelegationEnd | null {
  if (principal.status === 'active' || principal.offboardedAt === null) return null;
  const text = `${principal.id} was ${principal.status} ${formatDate(principal.offboardedAt)}`;
  return { kind: 'principal', id: principal.id, time: principal.offboardedAt, text, evidence: principalEvidence(principal, text) };
}

function messageId(end: DelegationEnd): string {
  return end.kind === 'approval' ? 'refresh-after-approval-end' : 'refresh-after-offboarding';
}

function refreshEvidence(key: string, refresh: ActivityRef, what: string): Evidence {
  return evidence(`last-refresh:${key}`, refresh.source, `last refresh of ${what}`);
}

export const rule = defineRule('NHI-TOKEN-002', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so no token refresh is known');
    return;
  }
  if (!inventory.has('approval') && !inventory.has('principal')) {
    sink.notEvaluated('no approvals or principals were supplied, so no delegation end is known');
    return;
  }
  /** `approval:<id>` / `principal:<id>` already reported through one of their tokens. */
  const covered = new Set<string>();

  for (const token of inventory.credentials()) {
    if (token.type !== 'refresh-token') continue;
    const stats = usage.forCredential(token.id);
    const refresh = stats?.lastRefresh ?? null;
    if (stats === null || refresh === null) continue;
    const approval = token.approval === null ? undefined : inventory.approval(token.approval);
    const principal = token.onBehalfOf === null ? undefined : inventory.principal(token.onBehalfOf);
    const ends = [approval === undefined ? null : approvalEnd(approval, asOf), principal === undefined ? null : principalEnd(principal)]
      .filter((end): end is DelegationEnd => end !== null && end.time < refresh.time)
      .sort((a, b) => a.time - b.time);
    const first = ends[0];
    if (first === undefined) continue;
    for (const end of ends) covered.add(`${end.kind}:${end.id}`);
    const client = token.clientId ?? token.identity;
    sink.report({
      messageId: messageId(first),
      message:
        `${credentialLabel(token)}${client === null ? '' : ` (client ${client})`} was exchanged for new tokens ${formatActivity(refresh)}, ` +
        `after ${ends.map((end) => end.text).join(' and ')} (${stats.refreshes === 1 ? '1 refresh' : `${stats.refreshes} refreshes`} in the logs in all).`,
      subject: credentialSubject(token, credentialOwner(token, inventory)),
      evidence: [
        credentialEvidence(token, `refresh token ${token.id}`),
        ...ends.map((end) => end.evidence),
        refreshEvidence(token.id, refresh, token.id),
      ],
    });
  }

  // Refreshes the logs tie to a delegation but to no token on file.
  for (const approval of inventory.approvals()) {
    if (approval.principal === null || covered.has(`approval:${approval.id}`)) continue;
    const end = approvalEnd(approval, asOf);
    const stats = usage.forDelegation(approval.delegate, approval.principal);
    const refresh = stats?.lastRefresh ?? null;
    if (end === null || refresh === null || refresh.time <= end.time) continue;
    covered.add(`principal:${approval.principal}`);
    const what = `${approval.delegate} acting for ${approval.principal}`;
    sink.report({
      messageId: messageId(end),
      message: `${approval.delegate} refreshed a token acting for ${approval.principal} ${formatActivity(refresh)}, after ${end.text}.`,
      subject: { kind: 'approval', id: approval.id, ...(approval.tenant === null ? {} : { tenant: approval.tenant }) },
      evidence: [end.evidence, refreshEvidence(`delegation:${approval.delegate}:${approval.principal}`, refresh, what)],
    });
  }
  for (const principal of inventory.principals()) {
    if (covered.has(`principal:${principal.id}`)) continue;
    const end = principalEnd(principal);
    const refresh = usage.forPrincipal(principal.id)?.lastRefresh ?? null;
    if (end === null || refresh === null || refresh.time <= end.time) continue;
    sink.report({
      messageId: messageId(end),
      message: `A token acting for ${principal.id} was refreshed ${formatActivity(refresh)}, after ${end.text}.`,
      subject: { kind: 'principal', id: principal.id },
      evidence: [end.evidence, refreshEvidence(`principal:${principal.id}`, refresh, `tokens acting for ${principal.id}`)],
    });
  }
});
