import type { NormalizedRecord, SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { field, keyCredential, mapping, text } from './common.js';

/*
 * gcp-sa-keys: `gcloud iam service-accounts keys list --iam-account=SA --format=json`,
 * a JSON array of key metadata (name, keyType, validAfterTime, validBeforeTime,
 * keyAlgorithm, keyOrigin, disabled); NDJSON of the same items is read too.
 * The list never holds key material; if an item carries `privateKeyData`
 * (a `keys create` response saved by mistake) it is not read.
 */

export const gcpServiceAccountKeys: Adapter = {
  id: 'gcp-sa-keys',
  provider: 'gcp',
  title: 'GCP service-account keys (gcloud iam service-accounts keys list JSON)',
  detection:
    'a JSON array (or NDJSON) whose first item has a "name" of the form projects/…/serviceAccounts/…/keys/<id> ' +
    'and "validAfterTime" or "keyType", without a Cloud Asset "asset_type"',
  yields: ['credential'],
  detect: detectKeys,
  read: readKeys,
};

function detectKeys(sniff: Sniff): boolean {
  const first = mapping(firstJsonRecord(sniff.head)?.value);
  if (first === undefined || field(first, 'asset_type') !== undefined) return false;
  const name = text(first['name']);
  return (
    name !== null &&
    /^projects\/[^/]+\/serviceAccounts\/[^/]+\/keys\/[^/]+$/.test(name) &&
    (typeof first['validAfterTime'] === 'string' || typeof first['keyType'] === 'string')
  );
}

async function* readKeys(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const array = jsonLayout(ctx.sniff.head) === 'array';
  for await (const { value, line, index } of jsonRecords(input, ctx)) {
    const prefix = array ? `[${index}]: ` : '';
    const source: SourceRef = array ? { file: input.display, line, pointer: `[${index}]` } : { file: input.display, line };
    const item = mapping(value);
    if (item === undefined) {
      ctx.skip(line, `${prefix}expected a JSON object, got ${describeType(value)}`);
      continue;
    }
    const credential = keyCredential(item, null, source);
    if (typeof credential === 'string') ctx.skip(line, `${prefix}${credential}`);
    else yield { kind: 'credential', record: credential };
  }
}
