import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { entraDirectoryObjects } from '../../src/ingest/entra/directory-objects.js';
import { describe, expect, test } from 'vitest';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le } from './helpers.js';

const GRAPH = fixture('entra', 'directory-objects-graph.json');
const display = 'fixtures/entra/directory-objects-graph.json';
const t = (iso: string): number => Date.parse(iso);

async function detects(name: string, content: string | Buffer): Promise<boolean> {
  const path = tempFile(name, content);
  return entraDirectoryObjects.detect(await readSniff(openInput(path, name)));
}

/** Get-MgServicePrincipal | ConvertTo-Json as Windows PowerShell writes it: PascalCase, \/Date()\/, CRLF. */
const POWERSHELL = [
  '[',
  '    {',
  '        "Id":  "d2000000-0000-4000-8000-000000000001",',
  '        "AppId":  "ab000000-0000-4000-8000-000000000001",',
  '        "DisplayName":  "Legacy Export",',
  '        "AccountEnabled":  true,',
  '        "ServicePrincipalType":  "Application",',
  '        "AppOwnerOrganizationId":  "22222222-2222-4222-8222-222222222222",',
  '        "PasswordCredentials":  [',
  '                                    {',
  '                                        "KeyId":  "c2000000-0000-4000-8000-000000000001",',
  '                                        "Hint":  "aB3",',
  '                                        "StartDateTime":  "\\/Date(1717200000000)\\/",',
  '                                        "EndDateTime":  "\\/Date(1780272000000)\\/"',
  '                                    }',
  '                                ],',
  '        "KeyCredentials":  null,',
  '        "FederatedIdentityCredentials":  null',
  '    },',
  '    {',
  '        "Id":  "d2000000-0000-4000-8000-000000000002",',
  '        "AppId":  "ab000000-0000-4000-8000-000000000002",',
  '        "DisplayName":  "Partner Portal",',
  '        "ServicePrincipalType":  "Application",',
  '        "AppOwnerOrganizationId":  "22222222-2222-4222-8222-222222222222"',
  '    },',
  '    {',
  '        "Id":  "d2000000-0000-4000-8000-000000000003",',
  '        "AppId":  "ab000000-0000-4000-8000-000000000003",',
  '        "DisplayName":  "Outside Vendor",',
  '        "ServicePrincipalType":  "Application",',
  '        "AppOwnerOrganizationId":  "33333333-3333-4333-8333-333333333333"',
  '    }',
  ']',
].join('\r\n');

describe('entra-directory-objects detection', () => {
  test.each([
    ['Graph servicePrincipals', '{"@odata.context":"x#servicePrincipals","value":[{"appId":"a","servicePrincipalType":"Application"}]}', true],
    ['PowerShell applications', '[\n  {\n    "AppId": "a",\n    "SignInAudience": "AzureADMyOrg"\n  }\n]', true],
    ['federated credentials', '[{"Issuer":"https://i","Subject":"repo:a/b:ref:refs/heads/main","Audiences":"api://AzureADTokenExchange"}]', true],
    ['sign-in record (appId only)', '{"createdDateTime":"2026-01-01T00:00:00Z","appId":"a","status":{"errorCode":0}}\n', false],
    ['grant list', '{"value":[{"clientId":"a","consentType":"AllPrincipals","scope":"User.Read"}]}', false],
    ['not JSON', 'appId: a\nsignInAudience: b\n', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects('x.json', content)).toBe(expected);
  });

  test('UTF-16LE PowerShell export is detected', async () => {
    expect(await detects('sp.json', utf16le(POWERSHELL))).toBe(true);
  });
});

describe('entra-directory-objects records (Graph fixture)', () => {
  test('identities: application and service principal keyed by appId, aliases, owner, status, third party, trust', async () => {
    const { records } = await runAdapter(entraDirectoryObjects, GRAPH, display);
    const identities = ofKind(records, 'identity');
    expect(identities.map((i) => [i.id, i.source.line, i.source.pointer])).toEqual([
      ['aa000000-0000-4000-8000-000000000001', lineOf(GRAPH, '"id": "a1000000-0000-4000-8000-000000000001"') - 2, 'value[0]'],
      ['aa000000-0000-4000-8000-000000000001', lineOf(GRAPH, '"id": "d1000000-0000-4000-8000-000000000001"') - 2, 'value[1]'],
      ['aa000000-0000-4000-8000-000000000002', lineOf(GRAPH, '"id": "d1000000-0000-4000-8000-000000000002"') - 2, 'value[2]'],
      ['00000003-0000-0000-c000-000000000000', lineOf(GRAPH, '"id": "d1000000-0000-4000-8000-000000000003"') - 2, 'value[3]'],
    ]);
    const [app, sp, vendor, graph] = identities;
    expect(app).toMatchObject({
      aliases: ['a1000000-0000-4000-8000-000000000001', 'Inventory Sync'],
      displayName: 'Inventory Sync',
      type: 'app',
      provider: 'entra',
      // The SP of an application in the same file shows the home tenant.
      tenant: '11111111-1111-4111-8111-111111111111',
      owner: 'dana@acme.example',
      createdAt: t('2025-03-01T08:00:00Z'),
      status: 'active',
      thirdParty: false,
      trust: [
        {
          effect: 'allow',
          trustees: [{ kind: 'federated', id: 'https://token.actions.githubusercontent.com' }],
          actions: ['federated-credential'],
          hasConditions: true,
          conditionKeys: ['sub', 'aud'],
          pinning: [
            { key: 'sub', values: ['repo:acme/sync:environment:prod'] },
            { key: 'aud', values: ['api://AzureADTokenExchange'] },
          ],
        },
      ],
    });
    expect(sp).toMatchObject({ aliases: ['d1000000-0000-4000-8000-000000000001', 'Inventory Sync'], thirdParty: false });
    expect(vendor).toMatchObject({ status: 'disabled', thirdParty: true, tenant: '11111111-1111-4111-8111-111111111111' });
    // Microsoft's own apps are not reported as third-party.
    expect(graph?.thirdParty).toBe(false);
  });

  test('credentials by key id with issue and expiry; secrets are never read', async () => {
    const { records } = await runAdapter(entraDirectoryObjects, GRAPH, display);
    const credentials = ofKind(records, 'credential');
    expect(credentials.map((c) => [c.id, c.type, c.issuedAt, c.expiresAt, c.identity, c.source.line, c.source.pointer])).toEqual([
      [
        'c1000000-0000-4000-8000-000000000001',
        'client-secret',
        t('2025-03-01T08:00:00Z'),
        t('2026-03-01T08:00:00Z'),
        'aa000000-0000-4000-8000-000000000001',
        lineOf(GRAPH, 'c1000000-0000-4000-8000-000000000001'),
        'value[0].passwordCredentials[0]',
      ],
      [
        'c1000000-0000-4000-8000-000000000003',
        'certificate',
        t('2025-04-01T00:00:00Z'),
        t('2027-04-01T00:00:00Z'),
        'aa000000-0000-4000-8000-000000000001',
        lineOf(GRAPH, 'c1000000-0000-4000-8000-000000000003'),
        'value[1].keyCredentials[0]',
      ],
    ]);
    expect(JSON.stringify(records)).not.toContain('Zk9');
  });

  test('malformed objects and credentials are skipped with line and pointer; the rest is read', async () => {
    const { skips } = await runAdapter(entraDirectoryObjects, GRAPH, display);
    expect(skips).toEqual([
      {
        line: lineOf(GRAPH, '"id": "d1000000-0000-4000-8000-000000000004"') - 2,
        message: 'value[4]: appId is required (a service principal or application), or issuer and subject (a federated credential)',
      },
      {
        line: lineOf(GRAPH, 'c1000000-0000-4000-8000-000000000002'),
        message:
          'value[0].passwordCredentials[1].startDateTime: time "2025-03-01T08:00:00" has no zone; add Z or an offset such as +00:00',
      },
    ]);
  });
});

describe('entra-directory-objects: PowerShell export (UTF-16LE, CRLF, \\/Date()\\/, PascalCase)', () => {
  test('reads identities and credentials; third party by the majority owner of Application principals', async () => {
    const path = tempFile('sp.json', utf16le(POWERSHELL));
    const { records, skips } = await runAdapter(entraDirectoryObjects, path, 'sp.json');
    expect(skips).toEqual([]);
    const identities = ofKind(records, 'identity');
    expect(identities.map((i) => [i.id, i.thirdParty, i.tenant, i.source.line])).toEqual([
      ['ab000000-0000-4000-8000-000000000001', false, '22222222-2222-4222-8222-222222222222', 2],
      ['ab000000-0000-4000-8000-000000000002', false, '22222222-2222-4222-8222-222222222222', 20],
      ['ab000000-0000-4000-8000-000000000003', true, '22222222-2222-4222-8222-222222222222', 27],
    ]);
    expect(ofKind(records, 'credential')).toEqual([
      expect.objectContaining({
        id: 'c2000000-0000-4000-8000-000000000001',
        type: 'client-secret',
        issuedAt: 1717200000000,
        expiresAt: 1780272000000,
        source: { file: 'sp.json', line: 10, pointer: '[0].PasswordCredentials[0]' },
      }),
    ]);
  });

  test('without a majority owner, thirdParty is left unsaid', async () => {
    const two = POWERSHELL.replace('"AppOwnerOrganizationId":  "22222222-2222-4222-8222-222222222222"\r\n    },\r\n    {\r\n        "Id":  "d2000000-0000-4000-8000-000000000003"', '"AppOwnerOrganizationId":  "44444444-4444-4444-8444-444444444444"\r\n    },\r\n    {\r\n        "Id":  "d2000000-0000-4000-8000-000000000003"');
    expect(two).not.toBe(POWERSHELL);
    const path = tempFile('sp.json', utf16le(two));
    const identities = ofKind((await runAdapter(entraDirectoryObjects, path, 'sp.json')).records, 'identity');
    expect(identities.map((i) => i.thirdParty)).toEqual([undefined, undefined, undefined]);
    expect(identities.map((i) => i.tenant)).toEqual([null, null, null]);
  });

  test('a lone federated credential list is keyed by the application the Graph context names', async () => {
    const content = JSON.stringify({
      '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#applications('a1000000-0000-4000-8000-000000000001')/federatedIdentityCredentials",
      value: [{ id: 'f9', name: 'gha', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/x:ref:refs/heads/main', audiences: ['api://AzureADTokenExchange'] }],
    });
    const { records } = await runAdapter(entraDirectoryObjects, tempFile('fic.json', content), 'fic.json');
    expect(ofKind(records, 'identity')).toEqual([
      expect.objectContaining({ id: 'a1000000-0000-4000-8000-000000000001', type: 'app', trust: [expect.objectContaining({ trustees: [{ kind: 'federated', id: 'https://token.actions.githubusercontent.com' }] })] }),
    ]);
  });
});
