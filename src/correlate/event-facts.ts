import type { Event } from '../model/index.js';
import type { ActivityRef } from './views.js';
import { sourceNetwork, workloadKey } from './workload.js';

/**
 * The service an action belongs to: `s3` for AWS `s3:GetObject`, `iam` for a
 * GCP permission `iam.serviceAccountKeys.create`. Null for actions without a
 * service prefix (Kubernetes `get pods`, Entra activity names).
 */
export function serviceOf(action: string): string | null {
  const colon = action.indexOf(':');
  if (colon > 0) return action.slice(0, colon).toLowerCase();
  const dotted = /^([a-z][a-z0-9]*)\.[A-Za-z]/.exec(action);
  return dotted !== null && !action.includes(' ') ? (dotted[1] ?? null) : null;
}

/** What an event contributes to every accumulator it reaches, derived once per event. */
export interface EventFacts {
  readonly at: ActivityRef;
  readonly service: string | null;
  readonly network: string | null;
  readonly workload: string | null;
}

export function eventFacts(event: Event): EventFacts {
  return {
    at: { time: event.time, source: event.source },
    service: event.action === null ? null : serviceOf(event.action),
    network: event.sourceIp === null ? null : sourceNetwork(event.sourceIp),
    workload: workloadKey(event.userAgent, event.sourceIp),
  };
}
