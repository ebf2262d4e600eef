import { describe, expect, it } from 'vitest';
import { classifyIdentity } from '../../src/correlate/classify.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const USER = 'arn:aws:iam::1:user/someone';

function classify(...records: NormalizedRecord[]) {
  const scene = world(identity({ id: USER, type: 'user', aliases: ['someone'], source: at('iam.json', 3) }), ...records);
  const subject = scene.inventory.identity(USER);
  if (subject === undefined) throw new Error('no identity');
  return classifyIdentity(subject, scene.inventory, scene.usage);
}

const sdkUse = (line: number) =>
  event({ time: t('2026-01-02T00:00:00Z'), identity: USER, userAgent: 'Boto3/1.34 Python/3.12', sourceIp: '10.0.0.1', source: at('trail.json', line) });

describe('classifyIdentity', () => {
  it('takes a declared non-human type at its word, citing the record', () => {
    const scene = world(identity({ id: 'role/x', type: 'role', source: at('iam.json', 9) }));
    const role = scene.inventory.identity('role/x');
    expect(role && classifyIdentity(role, scene.inventory, scene.usage)).toEqual({ kind: 'machine', nonHuman: true, reason: 'declared type role at iam.json:9' });
  });

  it.each<[string, NormalizedRecord[], 'machine' | 'human' | 'unknown', RegExp]>([
    ['acts only through an SDK', [sdkUse(1)], 'machine', /acted only through programs \(boto3\) and never signed in/],
    ['holds an active access key and no password', [credential({ id: 'k', identity: USER, type: 'access-key' })], 'machine', /programmatic key and no password/],
    ['uses an SDK but also signs in interactively', [sdkUse(1), event({ time: t('2026-01-03T00:00:00Z'), identity: USER, category: 'login-interactive' })], 'human', /signs in interactively/],
    ['uses a browser', [event({ time: t('2026-01-03T00:00:00Z'), identity: USER, userAgent: 'Mozilla/5.0 (X11)' })], 'human', /signs in interactively/],
    ['holds only a console password', [credential({ id: 'p', identity: USER, type: 'password' })], 'human', /console password and no programmatic key/],
    ['is also a principal record', [principal({ id: USER })], 'human', /also the principal record/],
    ['holds a key and a password', [credential({ id: 'k', identity: USER, type: 'access-key' }), credential({ id: 'p', identity: USER, type: 'password' })], 'unknown', /nothing in the inputs shows whether a person or a program uses it/],
    ['holds only an inactive key', [credential({ id: 'k', identity: USER, type: 'access-key', active: false })], 'unknown', /nothing in the inputs shows whether a person or a program uses it/],
    ['has no credential and no log', [], 'unknown', /nothing in the inputs shows whether a person or a program uses it/],
  ])('a user that %s', (_name, records, kind, reason) => {
    const result = classify(...records);
    expect(result.kind).toBe(kind);
    // Unknown is judged like a machine.
    expect(result.nonHuman).toBe(kind !== 'human');
    expect(result.reason).toMatch(reason);
  });

  it('takes an e-mail-style (SSO) user name as a person', () => {
    const scene = world(identity({ id: 'arn:aws:iam::1:user/ana@example.com', type: 'user', aliases: ['ana@example.com'] }));
    const user = scene.inventory.identity('arn:aws:iam::1:user/ana@example.com');
    expect(user && classifyIdentity(user, scene.inventory, scene.usage)).toMatchObject({ kind: 'human', reason: expect.stringMatching(/named like a person/) });
  });

  it('never counts the account root as a machine', () => {
    const scene = world(identity({ id: 'arn:aws:iam::1:root', type: 'user', aliases: ['<root_account>'] }), credential({ id: 'k', identity: 'arn:aws:iam::1:root', type: 'access-key' }));
    const root = scene.inventory.identity('arn:aws:iam::1:root');
    expect(root && classifyIdentity(root, scene.inventory, scene.usage).nonHuman).toBe(false);
  });
});
