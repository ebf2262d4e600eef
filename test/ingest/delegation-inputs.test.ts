/*
 * Inputs of the delegation-boundary rules: canonical provisioners,
 * eligibilities, client_type, condition keys and event claims; the config
 * file's provisioners; Okta reuse detection; CloudTrail console creations.
 */
import { describe, expect, test } from 'vitest';
import { awsCloudTrail } from '../../src/ingest/aws/cloudtrail.js';
import { canonicalEvents } from '../../src/ingest/canonical/events.js';
import { canonicalInventory } from '../../src/ingest/canonical/inventory.js';
import { oktaSystemLog } from '../../src/ingest/okta/system-log.js';
import { parseConfig } from '../../src/engine/config.js';
import { ConfigError, type Catalog } from '../../src/model/index.js';
import { ofKind, runAdapter, tempFile } from './helpers.js';

const INVENTORY = `apiVersion: nhi-audit/v1
kind: Inventory
identities:
  - id: cli-app
    type: app
    client_type: public
    permissions:
      - { actions: [iam:PassRole], via: break-glass, conditions: { DateLessThan: { aws:CurrentTime: "2026-12-01T00:00:00Z" } } }
provisioners:
  - { provider: aws, tenant: "111122223333", actors: [arn:aws:iam::111122223333:role/Terraform] }
  - { provider: okta }
eligibilities:
  - { identity: cli-app, role_or_scope: break-glass, max_duration: 8h, approver: secops@example.com }
  - { identity: cli-app, role_or_scope: admin, max_duration: soon }
`;

describe('canonical inventory: provisioners, eligibilities, client_type, condition keys', () => {
  test('reads each with its line and skips bad entries naming the field', async () => {
    const { records, skips } = await runAdapter(canonicalInventory, tempFile('inventory.yaml', INVENTORY), 'inventory.yaml');
    expect(ofKind(records, 'identity')[0]?.clientType).toBe('public');
    expect(ofKind(records, 'grant')[0]?.conditionKeys).toEqual(['aws:CurrentTime']);
    expect(ofKind(records, 'provisioner')).toEqual([
      { provider: 'aws', tenant: '111122223333', actors: ['arn:aws:iam::111122223333:role/Terraform'], source: { file: 'inventory.yaml', line: 10 } },
    ]);
    expect(ofKind(records, 'eligibility')).toEqual([
      { identity: 'cli-app', roleOrScope: 'break-glass', maxDuration: 8 * 3_600_000, approver: 'secops@example.com', source: { file: 'inventory.yaml', line: 13 } },
    ]);
    expect(skips.map((skip) => skip.line)).toEqual([11, 14]);
    expect(skips[0]?.message).toMatch(/actors/);
    expect(skips[1]?.message).toMatch(/max_duration/);
  });
});

describe('canonical events: claims and actor_interactive', () => {
  test('keeps an object of claims, parses a JSON string of one and ignores anything else', async () => {
    const lines = [
      { time: '2026-03-01T00:00:00Z', identity: 'agent-1', claims: { sub: 'agent-1', act: { sub: 'gateway' }, scope: 'read' } },
      { time: '2026-03-01T00:00:01Z', identity: 'agent-1', claims: '{"sub":"agent-1"}' },
      { time: '2026-03-01T00:00:02Z', identity: 'agent-1', claims: 'eyJ-not-json' },
      { time: '2026-03-01T00:00:03Z', identity: 'bot', credential: 'k1', category: 'credential-create', actor_chain: ['alice'], actor_interactive: true },
    ].map((line) => JSON.stringify(line));
    const { records, skips } = await runAdapter(canonicalEvents, tempFile('app.events.ndjson', `${lines.join('\n')}\n`));
    expect(skips).toEqual([]);
    const events = ofKind(records, 'event');
    expect(events.map((e) => e.claims)).toEqual([{ sub: 'agent-1', act: { sub: 'gateway' }, scope: 'read' }, { sub: 'agent-1' }, undefined, undefined]);
    expect(events[3]?.actorInteractive).toBe(true);
  });
});

describe('config: provisioners', () => {
  const catalog: Catalog = { data: {}, frameworks: [], rules: [] };
  test('reads them with the config file as evidence', () => {
    const config = parseConfig('provisioners:\n  - { provider: gcp, tenant: proj-1, actors: [tf@proj-1.iam.gserviceaccount.com] }\n', '.nhi-audit.yaml', catalog);
    expect(config.provisioners).toEqual([
      { provider: 'gcp', tenant: 'proj-1', actors: ['tf@proj-1.iam.gserviceaccount.com'], source: { file: '.nhi-audit.yaml', line: 2 } },
    ]);
  });
  test('reports every bad entry with its line', () => {
    let problems: readonly string[] = [];
    try {
      parseConfig('provisioners:\n  - { provider: gcp }\n  - { provider: aws, actors: [a], team: x }\n', '.nhi-audit.yaml', catalog);
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      '.nhi-audit.yaml:2: provisioners: actors must be a non-empty list of identity ids, role ARNs or names',
      '.nhi-audit.yaml:3: provisioners: unknown key "team" (expected provider, tenant, actors)',
    ]);
  });
});

describe('Okta app.oauth2.as.token.detect_reuse', () => {
  test('is a token-reuse event about the refresh token, for the client and the person', async () => {
    const record = {
      uuid: 'r1', published: '2026-03-01T10:00:00.000Z', eventType: 'app.oauth2.as.token.detect_reuse', outcome: { result: 'FAILURE', reason: 'refresh token reuse detected' },
      actor: { id: '0oacliapp', type: 'PublicClientApp', alternateId: 'cli-app', displayName: 'CLI' },
      target: [{ id: '00ualice', type: 'User', alternateId: 'alice@example.com' }, { id: 'rt-old-1', type: 'refresh_token' }],
      debugContext: { debugData: { clientId: '0oacliapp' } },
    };
    const { records } = await runAdapter(oktaSystemLog, tempFile('system-log.ndjson', `${JSON.stringify(record)}\n`));
    const [reuse] = ofKind(records, 'event');
    expect(reuse).toMatchObject({ category: 'token-reuse', credential: 'rt-old-1', identity: '0oacliapp', onBehalfOf: 'alice@example.com' });
  });
});

describe('CloudTrail CreateLoginProfile from the console', () => {
  test('is a credential-create of the user\'s password, named as the credential report names it, by an interactive creator', async () => {
    const record = {
      eventVersion: '1.09', eventTime: '2026-10-21T13:45:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateLoginProfile', recipientAccountId: '111122223333',
      sessionCredentialFromConsole: 'true',
      userIdentity: {
        type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_1/jane', accountId: '111122223333',
        sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_1', userName: 'AWSReservedSSO_Admin_1' } },
      },
      requestParameters: { userName: 'tms-integration', password: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    };
    const { records } = await runAdapter(awsCloudTrail, tempFile('trail.json', JSON.stringify({ Records: [record] })));
    const [created] = ofKind(records, 'event');
    expect(created).toMatchObject({
      category: 'credential-create', identity: 'arn:aws:iam::111122223333:user/tms-integration', credential: 'arn:aws:iam::111122223333:user/tms-integration#password',
      actorChain: ['arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_1'], actorInteractive: true,
    });
    expect(ofKind(records, 'credential')).toMatchObject([{ type: 'password', createdBy: 'arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_1' }]);
  });
});
