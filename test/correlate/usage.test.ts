import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareActivity } from '../../src/correlate/capped-set.js';
import type { ActivityRef } from '../../src/correlate/views.js';
import { CappedSet } from '../../src/correlate/capped-set.js';
import { UsageFold } from '../../src/correlate/usage.js';
import { sourceNetwork, userAgentProduct, workloadKey } from '../../src/correlate/workload.js';
import type { Event } from '../../src/model/index.js';
import { credential, event, grant, identity, principal, t, world } from '../helpers/world.js';

describe('workload keys', () => {
  it.each([
    ['10.0.1.5', '10.0.1.0/24'],
    ['010.000.001.009', '10.0.1.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['::1', '0:0:0::/48'],
    ['AWS Internal', 'aws internal'],
  ])('network of %s is %s', (ip, network) => {
    expect(sourceNetwork(ip)).toBe(network);
  });

  it.each([
    ['aws-cli/2.13.1 Python/3.11.4 Linux/6.1', 'aws-cli'],
    ['Boto3/1.26.0 Python/3.9', 'boto3'],
    ['[aws-sdk-go/1.44 (go1.20)]', 'aws-sdk-go'],
    ['curl', 'curl'],
    ['', 'unknown'],
    ['\u001b[2J\u001b]0;owned\u0007evil-client/1.0', 'evil-client'],
    ['\u009b31mred/1', 'red'],
  ])('product of %j is %s', (agent, product) => {
    expect(userAgentProduct(agent)).toBe(product);
  });

  it('ignores client versions but not networks', () => {
    expect(workloadKey('aws-cli/2.1.0', '10.0.0.7')).toBe(workloadKey('aws-cli/2.13.0', '10.0.0.200'));
    expect(workloadKey('aws-cli/2.1.0', '10.0.0.7')).not.toBe(workloadKey('aws-cli/2.1.0', '10.0.1.7'));
    expect(workloadKey(null, null)).toBeNull();
  });
});

describe('CappedSet', () => {
  const seen = (index: number) => ({ time: index, source: { file: 'log.json', line: index } });

  it('keeps the smallest values whatever the arrival order, and says it overflowed', () => {
    const values = Array.from({ length: 20 }, (_, index) => `v${String(index).padStart(2, '0')}`);
    const forward = new CappedSet(5);
    const backward = new CappedSet(5);
    for (const [index, value] of values.entries()) forward.add(value, seen(index));
    for (const [index, value] of [...values.entries()].reverse()) backward.add(value, seen(index));
    expect(forward.view()).toEqual(backward.view());
    const { firstSeen, ...rest } = forward.view();
    expect(rest).toEqual({ values: ['v00', 'v01', 'v02', 'v03', 'v04'], size: 5, overflow: true });
    expect(firstSeen.get('v03')).toEqual(seen(3));
  });

  it('is exact below the cap and keeps the earliest sighting of each value', () => {
    const set = new CappedSet(5);
    set.add('b', seen(9));
    set.add('a', seen(4));
    set.add('b', seen(2));
    const view = set.view();
    expect([view.values, view.size, view.overflow]).toEqual([['a', 'b'], 2, false]);
    expect(view.firstSeen.get('b')).toEqual(seen(2));
  });
});

function ev(partial: Partial<Event> & { time: number }): Event {
  const built = event(partial);
  if (built.kind !== 'event') throw new Error('not an event');
  return built.record;
}

describe('UsageFold', () => {
  const events: Event[] = [
    ev({ time: t('2026-01-03T00:00:00Z'), identity: 'svc', action: 'a', sourceIp: '10.0.0.1', userAgent: 'x/1', source: { file: 'b.ndjson', line: 1 } }),
    ev({ time: t('2026-01-01T00:00:00Z'), identity: 'svc', action: 'b', sourceIp: '10.0.1.1', userAgent: 'y/1', source: { file: 'a.ndjson', line: 4 } }),
    ev({ time: t('2026-01-05T00:00:00Z'), identity: 'svc', category: 'revoke', credential: 'k1', source: { file: 'a.ndjson', line: 9 } }),
    ev({ time: t('2026-01-04T00:00:00Z'), identity: 'svc', outcome: 'failure', action: 'c', source: { file: 'a.ndjson', line: 7 } }),
    ev({ time: t('2026-01-03T00:00:00Z'), credential: 'k1', action: 'd', onBehalfOf: 'alice', source: { file: 'a.ndjson', line: 2 } }),
  ];

  it('folds first/last use with evidence, counts and terminations', () => {
    const fold = new UsageFold();
    for (const item of events) fold.add(item);
    const stats = fold.byIdentityRef.get('svc')?.stats();
    expect(stats?.events).toBe(4);
    expect(stats?.ownActions).toBe(3);
    expect(stats?.failures).toBe(1);
    expect(stats?.firstUse).toEqual({ time: t('2026-01-01T00:00:00Z'), source: { file: 'a.ndjson', line: 4 } });
    expect(stats?.lastUse?.source).toEqual({ file: 'b.ndjson', line: 1 });
    // A failed attempt is not use, and a revocation is about the identity, not by it.
    expect(stats?.actions.values).toEqual(['a', 'b']);
    expect(stats?.terminations.map((item) => item.category)).toEqual(['revoke']);
    expect(stats?.workloads.size).toBe(2);
    expect(fold.coverage()).toEqual({ from: t('2026-01-01T00:00:00Z'), to: t('2026-01-05T00:00:00Z'), events: 5 });
    expect(fold.byPrincipal.get('alice')?.stats().lastUse?.source.line).toBe(2);
  });

  it('gives the same result whatever the order of events (reader threads send them in any order)', () => {
    const whole = new UsageFold();
    for (const item of events) whole.add(item);
    const reversed = new UsageFold();
    for (const item of [...events].reverse()) reversed.add(item);
    expect(reversed.coverage()).toEqual(whole.coverage());
    expect(reversed.byIdentityRef.get('svc')?.stats()).toEqual(whole.byIdentityRef.get('svc')?.stats());
    expect(reversed.byCredential.get('k1')?.stats()).toEqual(whole.byCredential.get('k1')?.stats());
  });

  it('keeps the first and last sightings exactly (with pointers), in any order', () => {
    const sighting = fc.record({
      day: fc.integer({ min: 0, max: 3 }),
      file: fc.constantFrom('a.json', 'b.json'),
      index: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
      kind: fc.constantFrom('access', 'token-refresh', 'login-interactive', 'failure', 'token-reuse'),
    });
    fc.assert(
      fc.property(fc.array(sighting, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 40 }), (sightings, cut) => {
        // One record per line: ties on (time, file, line) come only from one line's records, which one reader reads in order.
        const made = sightings.map(({ day, file, index, kind }, position) => {
          const line = position + 1;
          const source = index === undefined ? { file, line } : { file, line, pointer: `Records[${index}]` };
          const time = t('2026-01-01T00:00:00Z') + day * 3_600_000;
          const category = kind === 'failure' ? 'access' : kind;
          return ev({ time, identity: 'svc', action: 'a', source, category, outcome: kind === 'failure' ? 'failure' : 'success' });
        });
        const pick = (keep: (item: Event) => boolean, last: boolean): ActivityRef | null => {
          const refs = made.filter(keep).map((item) => ({ time: item.time, source: item.source }));
          refs.sort(compareActivity);
          return (last ? refs.at(-1) : refs[0]) ?? null;
        };
        const success = (item: Event): boolean => item.outcome === 'success' && item.category !== 'token-reuse';
        const whole = new UsageFold();
        for (const item of made) whole.add(item);
        const stats = whole.byIdentityRef.get('svc')?.stats();
        expect(stats?.firstUse ?? null).toEqual(pick(success, false));
        expect(stats?.lastUse ?? null).toEqual(pick(success, true));
        expect(stats?.lastFailure ?? null).toEqual(pick((item) => item.outcome === 'failure', true));
        expect(stats?.firstRefresh ?? null).toEqual(pick((item) => success(item) && item.category === 'token-refresh', false));
        expect(stats?.lastRefresh ?? null).toEqual(pick((item) => success(item) && item.category === 'token-refresh', true));
        expect(stats?.lastInteractiveLogin ?? null).toEqual(pick((item) => success(item) && item.category === 'login-interactive', true));
        expect(stats?.lastReuse ?? null).toEqual(pick((item) => item.category === 'token-reuse', true));
        // Later events first, as when another reader's batch arrives before this one's.
        const rotated = new UsageFold();
        for (const item of [...made.slice(cut), ...made.slice(0, cut)]) rotated.add(item);
        expect(rotated.byIdentityRef.get('svc')?.stats()).toEqual(stats);
      }),
      { numRuns: 300 },
    );
  });

  it('does not count a failed revoke or delete as an end', () => {
    const fold = new UsageFold();
    fold.add(ev({ time: t('2026-01-05T00:00:00Z'), credential: 'k9', category: 'credential-delete', outcome: 'failure' }));
    fold.add(ev({ time: t('2026-01-06T00:00:00Z'), credential: 'k9', category: 'revoke' }));
    expect(fold.byCredential.get('k9')?.stats().terminations.map((item) => [item.category, item.time])).toEqual([['revoke', t('2026-01-06T00:00:00Z')]]);
  });

  it('keeps the principal -> credential links and the last consents in either order of events', () => {
    const made = [
      ev({ time: t('2026-01-02T00:00:00Z'), identity: 'app', credential: 'rt-1', onBehalfOf: 'alice', category: 'token-refresh' }),
      ev({ time: t('2026-01-03T00:00:00Z'), identity: 'app', category: 'consent', onBehalfOf: 'alice' }),
      ev({ time: t('2026-01-04T00:00:00Z'), credential: 'rt-2', onBehalfOf: 'alice', category: 'consent' }),
      ev({ time: t('2026-01-05T00:00:00Z'), identity: 'app', category: 'consent', outcome: 'failure' }),
    ];
    for (const order of [made, [...made].reverse()]) {
      const fold = new UsageFold();
      for (const item of order) fold.add(item);
      expect([...(fold.credentialsByPrincipal.get('alice') ?? [])].sort()).toEqual(['rt-1', 'rt-2']);
      // A refused consent granted nothing.
      expect(fold.lastConsent.get('app')?.time).toBe(t('2026-01-03T00:00:00Z'));
    }
  });

  it('breaks ties on time by evidence position, not arrival order', () => {
    const tie = t('2026-02-01T00:00:00Z');
    const a = ev({ time: tie, identity: 'svc', source: { file: 'z.ndjson', line: 1 } });
    const b = ev({ time: tie, identity: 'svc', source: { file: 'a.ndjson', line: 5 } });
    const one = new UsageFold();
    one.add(a);
    one.add(b);
    const two = new UsageFold();
    two.add(b);
    two.add(a);
    expect(one.byIdentityRef.get('svc')?.stats()).toEqual(two.byIdentityRef.get('svc')?.stats());
    expect(one.byIdentityRef.get('svc')?.stats().lastUse?.source.file).toBe('z.ndjson');
  });
});

describe('correlated usage', () => {
  it('joins events under aliases and credential-only events into the identity', () => {
    const scene = world(
      identity({ id: 'arn:aws:iam::1:role/app', aliases: ['AROAEXAMPLE'] }),
      credential({ id: 'AKIA1', identity: 'AROAEXAMPLE' }),
      event({ time: t('2026-01-01T00:00:00Z'), identity: 'arn:aws:iam::1:role/app' }),
      event({ time: t('2026-01-02T00:00:00Z'), identity: 'AROAEXAMPLE' }),
      event({ time: t('2026-01-03T00:00:00Z'), credential: 'AKIA1' }),
      event({ time: t('2026-01-04T00:00:00Z'), identity: 'arn:aws:iam::1:role/app', credential: 'AKIA1' }),
      event({ time: t('2026-01-05T00:00:00Z'), identity: 'stranger' }),
    );
    const stats = scene.usage.forIdentity('arn:aws:iam::1:role/app');
    // Four events, the last naming both identity and credential counted once.
    expect(stats?.events).toBe(4);
    expect(stats?.lastUse?.time).toBe(t('2026-01-04T00:00:00Z'));
    expect(scene.usage.forIdentity('AROAEXAMPLE')).toEqual(stats);
    expect(scene.usage.forCredential('AKIA1')?.events).toBe(2);
    expect(scene.inventory.credentialsOf('arn:aws:iam::1:role/app').map((item) => item.id)).toEqual(['AKIA1']);
    expect(scene.usage.unresolvedIdentities()).toEqual(['stranger']);
  });

  it('merges the same record from two inputs, first source kept, gaps filled, lists united', () => {
    const scene = world(
      identity({ id: 'svc', owner: null, consumers: ['a'], source: { file: 'one.yaml', line: 3 } }),
      identity({ id: 'svc', owner: 'ops@example.com', consumers: ['b'], source: { file: 'two.yaml', line: 8 } }),
    );
    const merged = scene.inventory.identity('svc');
    expect(merged?.owner).toBe('ops@example.com');
    expect(merged?.consumers).toEqual(['a', 'b']);
    expect(merged?.source).toEqual({ file: 'one.yaml', line: 3 });
    expect(scene.inventory.has('identity')).toBe(true);
    expect(scene.inventory.has('approval')).toBe(false);
  });

  it.each([
    ['identity', () => [identity({ id: 'app', status: 'active' }), identity({ id: 'app', status: 'disabled', disabledAt: t('2026-02-01T00:00:00Z') })]],
    ['identity, final state read first', () => [identity({ id: 'app', status: 'deleted' }), identity({ id: 'app', status: 'active' })]],
  ] as const)('lets the more final status win whatever the read order (%s)', (_name, records) => {
    const pair = records();
    for (const order of [pair, [...pair].reverse()]) {
      const merged = world(...order).inventory.identity('app');
      expect(merged?.status).not.toBe('active');
    }
  });

  it('keeps an offboarded principal offboarded and an inactive credential inactive in either order', () => {
    const records = [
      principal({ id: 'alice', status: 'active', source: { file: 'inventory.yaml', line: 2 } }),
      principal({ id: 'alice', status: 'offboarded', offboardedAt: t('2026-03-01T00:00:00Z'), source: { file: 'okta.ndjson', line: 9 } }),
      credential({ id: 'k', active: true }),
      credential({ id: 'k', active: false }),
    ];
    for (const order of [records, [...records].reverse()]) {
      const scene = world(...order);
      expect(scene.inventory.principal('alice')?.status).toBe('offboarded');
      expect(scene.inventory.principal('alice')?.offboardedAt).toBe(t('2026-03-01T00:00:00Z'));
      expect(scene.inventory.credential('k')?.active).toBe(false);
    }
  });

  it('merges one id from several files in path order, not arrival order (worker threads hand files over in any order)', () => {
    const records = [
      identity({ id: 'app', owner: null, aliases: ['x'], source: { file: 'a/inventory.yaml', line: 7 } }),
      identity({ id: 'app', owner: 'team-b', aliases: ['y'], source: { file: 'b/dump.json', line: 3 } }),
      identity({ id: 'app', owner: 'team-c', aliases: ['z'], source: { file: 'c/dump.json', line: 1 } }),
      grant({ identity: 'app', actions: ['s3:GetObject'], source: { file: 'c/dump.json', line: 2 } }),
      grant({ identity: 'app', actions: ['s3:PutObject'], source: { file: 'b/dump.json', line: 9 } }),
    ];
    for (const order of [records, [...records].reverse(), [records[2], records[0], records[4], records[1], records[3]]]) {
      const scene = world(...(order as typeof records));
      const merged = scene.inventory.identity('app');
      // The first file's evidence, the first present owner in path order, aliases united in path order.
      expect(merged?.source.file).toBe('a/inventory.yaml');
      expect(merged?.owner).toBe('team-b');
      expect(merged?.aliases).toEqual(['x', 'y', 'z']);
      expect(scene.inventory.grantsOf('app').map((item) => item.actions[0])).toEqual(['s3:PutObject', 's3:GetObject']);
    }
  });

  it('indexes credentials by the principal they act for and the approval they rest on', () => {
    const scene = world(
      credential({ id: 'a', onBehalfOf: 'alice', approval: 'APR-1' }),
      credential({ id: 'b', onBehalfOf: 'alice' }),
      credential({ id: 'c', onBehalfOf: 'bob', approval: 'APR-1' }),
    );
    expect(scene.inventory.credentialsActingFor('alice').map((item) => item.id)).toEqual(['a', 'b']);
    expect(scene.inventory.credentialsUnderApproval('APR-1').map((item) => item.id)).toEqual(['a', 'c']);
    expect(scene.inventory.credentialsActingFor('nobody')).toEqual([]);
  });
});
