import { parseInstant, type Instant } from '../../model/index.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { text } from './common.js';

/** A Kubernetes object as parsed: keys to values. */
export type Mapping = Readonly<Record<string, unknown>>;

export function metadataOf(value: Mapping): Mapping {
  const metadata = value['metadata'];
  return isMapping(metadata) ? metadata : {};
}

/**
 * An object without a namespace is a manifest applied to the current context's
 * namespace; `default` is what kubectl uses when the context names none.
 */
export function namespaceOf(value: Mapping): string {
  return text(metadataOf(value)['namespace']) ?? 'default';
}

/** `metadata.clusterName` (set by old API servers and some multi-cluster exports); otherwise the cluster is unknown. */
export function clusterOf(value: Mapping): string | null {
  return text(metadataOf(value)['clusterName']);
}

/** `creationTimestamp`, null when absent; the problem when it is not a zoned time. */
export function createdAt(value: Mapping): Instant | null | string {
  const raw = metadataOf(value)['creationTimestamp'];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') return `metadata.creationTimestamp: expected an ISO-8601 time string, got ${describeType(raw)}`;
  const parsed = parseInstant(raw);
  return parsed.ok ? parsed.value : `metadata.creationTimestamp: ${parsed.reason}`;
}
