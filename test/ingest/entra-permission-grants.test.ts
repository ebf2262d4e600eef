import { describe, expect, test } from 'vitest';
import { entraPermissionGrants } from '../../src/ingest/entra/permission-grants.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le } from './helpers.js';

const GRANTS = fixture('entra', 'oauth2-permission-grants.json');

async function detects(content: string | Buffer): Promise<boolean> {
  return entraPermissionGrants.detect(await readSniff(openInput(tempFile('x.json', content), 'x.json')));
}

/** Get-MgServicePrincipalAppRoleAssignment | ConvertTo-Json: PascalCase, CRLF, UTF-16LE. */
const ASSIGNMENTS = [
  '[',
  '    {',
  '        "AppRoleId":  "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",',
  '        "PrincipalId":  "d1000000-0000-4000-8000-000000000001",',
  '        "PrincipalType":  "ServicePrincipal",',
  '        "ResourceDisplayName":  "Microsoft Graph",',
  '        "ResourceId":  "d1000000-0000-4000-8000-000000000003"',
  '    },',
  '    {',
  '        "AppRoleId":  "5e0ee9a8-0000-4000-8000-0000000000ab",',
  '        "PrincipalId":  "d1000000-0000-4000-8000-000000000001",',
  '        "PrincipalType":  "ServicePrincipal",',
  '        "ResourceId":  "d1000000-0000-4000-8000-000000000077"',
  '    },',
  '    {',
  '        "AppRoleId":  "00000000-0000-0000-0000-000000000000",',
  '        "PrincipalId":  "e1000000-0000-4000-8000-000000000001",',
  '        "PrincipalType":  "User",',
  '        "ResourceId":  "d1000000-0000-4000-8000-000000000003"',
  '    }',
  ']',
].join('\r\n');

describe('entra-permission-grants detection', () => {
  test.each([
    ['oauth2PermissionGrants', '{"value":[{"clientId":"a","consentType":"AllPrincipals","scope":"User.Read","resourceId":"r"}]}', true],
    ['appRoleAssignedTo', '[{"appRoleId":"x","principalId":"p","resourceId":"r"}]', true],
    ['one PowerShell object', '{\r\n    "ClientId":  "a",\r\n    "ConsentType":  "Principal",\r\n    "Scope":  "User.Read"\r\n}', true],
    ['service principals', '{"value":[{"appId":"a","servicePrincipalType":"Application"}]}', false],
    ['sign-in', '{"createdDateTime":"2026-01-01T00:00:00Z","appId":"a","status":{"errorCode":0},"isInteractive":false}\n', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects(content)).toBe(expected);
  });
});

describe('entra-permission-grants records', () => {
  test('delegated grants: one grant per record, scopes as actions, consent type', async () => {
    const { records, skips } = await runAdapter(entraPermissionGrants, GRANTS, 'g.json');
    expect(ofKind(records, 'grant')).toEqual([
      {
        identity: 'd1000000-0000-4000-8000-000000000002',
        actions: ['Directory.ReadWrite.All', 'offline_access'],
        notActions: false,
        resources: ['d1000000-0000-4000-8000-000000000003'],
        effect: 'allow',
        via: 'delegated:d1000000-0000-4000-8000-000000000003',
        hasConditions: false,
        consent: 'all-principals',
        source: { file: 'g.json', line: lineOf(GRANTS, '"id": "g1"'), pointer: 'value[0]' },
      },
      expect.objectContaining({
        identity: 'd1000000-0000-4000-8000-000000000001',
        actions: ['User.Read'],
        consent: 'principal',
        source: { file: 'g.json', line: lineOf(GRANTS, '"id": "g2"'), pointer: 'value[1]' },
      }),
    ]);
    expect(skips).toEqual([{ line: lineOf(GRANTS, '"id": "g3"'), message: 'value[2]: consentType: expected AllPrincipals or Principal' }]);
  });

  test('app role assignments (UTF-16LE PowerShell): well-known role ids become permission names; user assignments are passed over', async () => {
    const { records, skips } = await runAdapter(entraPermissionGrants, tempFile('ara.json', utf16le(ASSIGNMENTS)), 'ara.json');
    expect(skips).toEqual([]);
    expect(ofKind(records, 'grant').map((g) => [g.identity, g.actions, g.via, g.resources, g.consent, g.source])).toEqual([
      ['d1000000-0000-4000-8000-000000000001', ['RoleManagement.ReadWrite.Directory'], 'app-role:Microsoft Graph', ['d1000000-0000-4000-8000-000000000003'], undefined, { file: 'ara.json', line: 2, pointer: '[0]' }],
      ['d1000000-0000-4000-8000-000000000001', ['5e0ee9a8-0000-4000-8000-0000000000ab'], 'app-role:d1000000-0000-4000-8000-000000000077', ['d1000000-0000-4000-8000-000000000077'], undefined, { file: 'ara.json', line: 9, pointer: '[1]' }],
    ]);
  });
});
