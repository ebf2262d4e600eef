import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-HUMAN-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'deployer@proj.iam.gserviceaccount.com';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

const sa = () => identity({ id: SA, provider: 'gcp', source: at('iam.json', 7) });
const where = (finding: FindingDraft | undefined) => (finding?.evidence ?? []).map((item) => formatSource(item.source));
const login = (who: string, line: number, day = 2) =>
  event({ time: t(`2026-03-0${day}T09:00:00Z`), identity: who, category: 'login-interactive', source: at('events.ndjson', line) });
const call = (who: string, line: number, userAgent: string, day = 1) =>
  event({ time: t(`2026-03-0${day}T10:00:00Z`), identity: who, userAgent, source: at('events.ndjson', line) });

describe('NHI-HUMAN-001 human-use-of-nhi', () => {
  it('reports a service account that signs in interactively, with the full message', async () => {
    const run = await runRule(rule, world(sa(), login(SA, 40), login(SA, 41, 3)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('interactive-use');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'gcp' });
    expect(finding?.message).toBe(
      `Service account ${SA} (gcp) is a non-human identity used like a person: 2 interactive sign-ins, the last at 2026-03-03T09:00:00Z (events.ndjson:41).`,
    );
    expect(where(finding)).toEqual(['iam.json:7', 'events.ndjson:41']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `interactive-login:${SA}`]);
  });

  it.each([
    { name: 'a browser user agent', records: [call(SA, 50, FIREFOX, 2), call(SA, 51, 'Mozilla/5.0 Chrome/119', 1)], lines: ['iam.json:7', 'events.ndjson:51'] },
    { name: 'an Opera user agent', records: [call(SA, 52, 'Opera/9.80 (Windows NT 6.1)')], lines: ['iam.json:7', 'events.ndjson:52'] },
    { name: 'the AWS console', records: [call(SA, 53, 'console.ec2.amazonaws.com')], lines: ['iam.json:7', 'events.ndjson:53'] },
    { name: 'a sign-in and a browser', records: [login(SA, 60), call(SA, 61, FIREFOX)], lines: ['iam.json:7', 'events.ndjson:60', 'events.ndjson:61'] },
  ])('fires on $name', async ({ records, lines }) => {
    const run = await runRule(rule, world(sa(), ...records), AS_OF);
    expect(run.findings.map((finding) => finding.messageId)).toEqual(['interactive-use']);
    expect(where(run.findings[0])).toEqual(lines);
  });

  const user = (id = 'arn:aws:iam::1:user/etl') => identity({ id, type: 'user', provider: 'aws', source: at('authz.json', 3) });
  const key = (line = 5, extra = {}) => credential({ id: 'AKIAEXAMPLE0001', type: 'access-key', identity: 'arn:aws:iam::1:user/etl', source: at('creds.csv', line), ...extra });

  it('reports an IAM user with a live access key that also signs in to the console', async () => {
    const run = await runRule(rule, world(user(), key(), login('arn:aws:iam::1:user/etl', 70)), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.messageId).toBe('user-keys-and-console');
    expect(run.findings[0]?.message).toBe(
      'User arn:aws:iam::1:user/etl holds live programmatic credentials (access key AKIAEXAMPLE0001) and is also used interactively ' +
        '(1 interactive sign-in, the last at 2026-03-02T09:00:00Z (events.ndjson:70)): one account serves both a program and a person.',
    );
    expect(where(run.findings[0])).toEqual(['authz.json:3', 'creds.csv:5', 'events.ndjson:70']);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'a service account used only by programs', records: [sa(), call(SA, 80, 'aws-cli/2.13.1 Python/3.11')] },
    { name: 'a service account whose sign-in failed', records: [sa(), event({ time: t('2026-03-02T09:00:00Z'), identity: SA, category: 'login-interactive', outcome: 'failure' })] },
    { name: 'a user who signs in but holds no key', records: [user(), login('arn:aws:iam::1:user/etl', 81)] },
    { name: 'a user with a key who never signs in', records: [user(), key(), call('arn:aws:iam::1:user/etl', 82, 'aws-cli/2.13.1')] },
    { name: 'a user whose key was revoked before the sign-in check', records: [user(), key(5, { revokedAt: t('2026-01-01T00:00:00Z') }), login('arn:aws:iam::1:user/etl', 83)] },
    { name: 'the account root with keys and console sign-ins', records: [identity({ id: 'arn:aws:iam::1:root', type: 'user', provider: 'aws' }), credential({ id: 'AKIAROOT', type: 'access-key', identity: 'arn:aws:iam::1:root' }), login('arn:aws:iam::1:root', 84)] },
    {
      name: 'a SAML single sign-on role used from the console',
      records: [
        identity({ id: 'arn:aws:iam::1:role/AWSReservedSSO_Admin', type: 'role', provider: 'aws', trust: [{ effect: 'allow', trustees: [{ kind: 'federated', id: 'arn:aws:iam::1:saml-provider/AWSSSO' }], actions: ['sts:AssumeRoleWithSAML', 'sts:TagSession'], hasConditions: true, conditionKeys: ['SAML:aud'] }] }),
        call('arn:aws:iam::1:role/AWSReservedSSO_Admin', 85, 'console.amazonaws.com'),
      ],
    },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('reports each identity used by a person', async () => {
    const run = await runRule(rule, world(sa(), login(SA, 90), user(), key(), call('arn:aws:iam::1:user/etl', 91, FIREFOX)), AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.subject.id])).toEqual([
      ['user-keys-and-console', 'arn:aws:iam::1:user/etl'],
      ['interactive-use', SA],
    ]);
    expect(where(run.findings[0])).toEqual(['authz.json:3', 'creds.csv:5', 'events.ndjson:91']);
  });

  it.each([
    { name: 'no events', records: [sa()], reason: /no access-log events/ },
    { name: 'no identities', records: [login(SA, 1)], reason: /no identities/ },
  ])('is not evaluated with $name', async ({ records, reason }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(reason)]);
    expect(run.findings).toEqual([]);
  });
});
