/*
 * refresh-token-rotation: a refresh token presented under the same id for
 * longer than max_reuse_age (never rotated), or presented after its successor
 * was issued to the same grant (a replay, or the server's own reuse detection).
 */
import { defineRule, type ActivityRef, type InventoryView, type UsageStats, type UsageView } from '../engine/rule-api.js';
import { formatDuration, formatInstant, type Credential, type Evidence, type Instant } from '../model/index.js';
import { credentialOwner, daysText } from './lifecycle-support.js';
import { credentialEvidence, credentialLabel, credentialSubject, evidence, formatActivity, plural } from './support.js';

interface Params {
  readonly max_reuse_age: number;
  readonly public_clients_only: boolean;
}

/** The grant a refresh token belongs to: its client and the person it acts for. */
function grantKey(token: Credential, inventory: InventoryView): string | null {
  const client = credentialOwner(token, inventory)?.id ?? token.clientId ?? token.identity;
  if (client === null || token.onBehalfOf === null) return null;
  return `${client}\u0000${token.onBehalfOf}`;
}

/** When a token came to exist: its issue time, else its first sighting in the logs. */
function issueTime(token: Credential, usage: UsageView): Instant | null {
  return token.issuedAt ?? usage.forCredential(token.id)?.firstUse?.time ?? null;
}

/** The first token issued to the same grant after this one, or null. */
function successorOf(token: Credential, siblings: readonly Credential[], usage: UsageView): { token: Credential; issued: Instant } | null {
  const own = issueTime(token, usage);
  if (own === null) return null;
  let best: { token: Credential; issued: Instant } | null = null;
  for (const other of siblings) {
    if (other.id === token.id) continue;
    const issued = issueTime(other, usage);
    if (issued === null || issued <= own) continue;
    if (best === null || issued < best.issued || (issued === best.issued && other.id < best.token.id)) best = { token: other, issued };
  }
  return best;
}

function presentationEvidence(token: Credential, stats: UsageStats): Evidence[] {
  const first = stats.firstRefresh;
  const last = stats.lastRefresh;
  const out: Evidence[] = [];
  if (first !== null) out.push(evidence(`first-refresh:${token.id}`, first.source, `first presentation of ${token.id} at ${formatInstant(first.time)}`));
  if (last !== null && (first === null || last.time !== first.time || last.source.line !== first.source.line || last.source.file !== first.source.file)) {
    out.push(evidence(`last-refresh:${token.id}`, last.source, `last presentation of ${token.id} at ${formatInstant(last.time)}`));
  }
  return out;
}

function presentationsText(stats: UsageStats, first: ActivityRef, last: ActivityRef): string {
  return `${plural(stats.refreshes, 'presentation')}, first ${formatActivity(first)}, last ${formatActivity(last)}`;
}

export const rule = defineRule<Params>('NHI-TOKEN-003', (ctx, sink) => {
  const { inventory, usage, params } = ctx;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so no refresh-token presentation is known');
    return;
  }
  const tokens = inventory.credentials().filter((credential) => credential.type === 'refresh-token');
  if (tokens.length === 0) {
    sink.notEvaluated('no refresh-token records were supplied (from an OAuth log or an inventory)');
    return;
  }
  const byGrant = new Map<string, Credential[]>();
  for (const token of tokens) {
    const key = grantKey(token, inventory);
    if (key === null) continue;
    const list = byGrant.get(key);
    if (list === undefined) byGrant.set(key, [token]);
    else list.push(token);
  }
  let untyped = 0;

  for (const token of tokens) {
    const client = credentialOwner(token, inventory);
    if (params.public_clients_only) {
      if (client?.clientType === 'confidential') continue;
      if (client?.clientType === undefined) untyped += 1;
    }
    const stats = usage.forCredential(token.id);
    if (stats === null) continue;
    const first = stats.firstRefresh;
    const last = stats.lastRefresh;
    const clientText = client === undefined ? (token.clientId === null ? '' : ` (client ${token.clientId})`) : ` (client ${client.id})`;
    const forText = token.onBehalfOf === null ? '' : ` acting for ${token.onBehalfOf}`;
    const subject = credentialSubject(token, client);
    const base = [credentialEvidence(token, `refresh token ${token.id}`), ...presentationEvidence(token, stats)];

    if (stats.reuses > 0 && stats.lastReuse !== null) {
      sink.report({
        messageId: 'reuse-detected',
        severity: 'high',
        message:
          `The authorization server detected ${credentialLabel(token)}${clientText}${forText} presented again after rotation ` +
          `${formatActivity(stats.lastReuse)} (${plural(stats.reuses, 'detection')}): a replay of a token that had been replaced.` +
          (first !== null && last !== null ? ` Its presentations: ${presentationsText(stats, first, last)}.` : ''),
        subject,
        evidence: [...base, evidence(`token-reuse:${token.id}`, stats.lastReuse.source, `reuse of ${token.id} detected at ${formatInstant(stats.lastReuse.time)}`)],
      });
      continue;
    }
    if (first === null || last === null) continue;

    const key = grantKey(token, inventory);
    const successor = key === null ? null : successorOf(token, byGrant.get(key) ?? [], usage);
    if (successor !== null && last.time > successor.issued) {
      sink.report({
        messageId: 'reused-after-successor',
        severity: 'high',
        message:
          `${credentialLabel(token)}${clientText}${forText} was presented ${formatActivity(last)}, after its successor ` +
          `${successor.token.id} was issued to the same grant ${formatInstant(successor.issued)}: a replay of a rotated token ` +
          `(${presentationsText(stats, first, last)}).`,
        subject,
        evidence: [...base, credentialEvidence(successor.token, `successor ${successor.token.id} issued ${formatInstant(successor.issued)}`)],
      });
      continue;
    }
    // A rotation recorded on the token restarts the span: what counts is reuse of one value.
    const since = token.lastRotatedAt !== null && token.lastRotatedAt > first.time ? token.lastRotatedAt : first.time;
    if (stats.refreshes < 2 || last.time - since <= params.max_reuse_age) continue;
    sink.report({
      messageId: 'not-rotated',
      message:
        `${credentialLabel(token)}${clientText}${forText} was presented under the same id for ${daysText(since, last.time)}, ` +
        `longer than ${formatDuration(params.max_reuse_age)}, without being rotated (${presentationsText(stats, first, last)}).`,
      subject,
      evidence: base,
    });
  }
  if (untyped > 0) {
    sink.note(
      `${plural(untyped, 'refresh token')} of clients whose type (public or confidential) the inputs do not say ` +
        'were judged as public clients\' tokens (public_clients_only is set).',
    );
  }
});
