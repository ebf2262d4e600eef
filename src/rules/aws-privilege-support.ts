/*
 * What an AWS allow statement grants once the policy evaluator has had its
 * say (explicit denies, the permissions boundary, NotAction, NotResource and
 * conditions judged three ways), for NHI-PRIV-001 and NHI-PRIV-003. Only the
 * model and the rule API.
 */
import { AwsPolicyEvaluator, wildcardCovers, type Decision } from '../engine/rule-api.js';
import type { Grant, Identity } from '../model/index.js';
import { isAllActions } from './privilege-support.js';

/**
 * Service wildcards tried on statements that grant "everything" (`*`,
 * NotAction): which of them survive the denies and the boundary tells what is
 * really granted. The admin services come first.
 */
export const AWS_SERVICE_PROBES: readonly string[] = [
  'iam:*', 'organizations:*', 'sts:*', 'account:*', 's3:*', 'ec2:*', 'lambda:*', 'kms:*', 'secretsmanager:*', 'ssm:*',
  'dynamodb:*', 'rds:*', 'cloudformation:*', 'glue:*', 'ecs:*', 'eks:*', 'logs:*', 'cloudtrail:*', 'sns:*', 'sqs:*',
];

/**
 * The note each AWS privilege rule adds once when it judged an AWS identity: no
 * adapter reads service control policies or resource policies, so what the
 * privilege rules report rests on identity policies, permissions boundaries and
 * role trust policies alone. One wording for all of them, so it reads as one fact.
 */
export const AWS_SCOPE_NOTE =
  'AWS: no service control policy or resource policy export was supplied, so AWS privileges were judged on identity policies, permissions boundaries and role trust policies alone (an SCP may deny what is reported; a resource policy may deny it, or grant more)';

/** A concrete resource no NotResource exception names (unless the exception is `*`): "some resource outside the list". */
export const OUTSIDE_NOT_RESOURCE = 'arn:aws:nhi-audit:::a-resource-outside-the-notresource-list';

/** `s3:*` (AWS), `storage.*` (GCP: a bare service), `Microsoft.Storage/*` (Azure). */
export function isServiceWildcard(action: string): boolean {
  const text = action.trim();
  return /^[A-Za-z0-9-]+:\*$/.test(text) || /^[A-Za-z0-9-]+\.\*$/.test(text) || /^[A-Za-z0-9-]+\.[A-Za-z0-9-]+\/\*$/.test(text);
}

/** One pattern the statement grants whole on a resource, and the evaluator's decision. */
export interface WholeGrant {
  readonly pattern: string;
  readonly decision: Decision;
}

/** What one allow statement grants whole on one resource, after the denies and the boundary. */
export interface StatementReach {
  /** Every action (`*`) survives: nothing caps the statement. */
  readonly everything: boolean;
  /** The wildcard patterns (`*`, service wildcards) it grants whole, in probe order. */
  readonly granted: readonly WholeGrant[];
  /** The boundary caps the statement's broadest pattern to `granted`. */
  readonly cappedBy: Grant | undefined;
  /** Conditions (of the allow, the boundary or a deny) that neither always nor never hold. */
  readonly depends: readonly string[];
}

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The wildcard patterns `grant` grants whole on `resource`, by the evaluator:
 * its own `*` and service wildcards, and, for a statement of every action
 * (`*`, NotAction), the boundary's wildcards and the service probes, so that a
 * NotAction `iam:*` allow reads "every service but IAM" and a `*` allow
 * capped by an `s3:*` boundary reads `s3:*`.
 */
export function statementReach(evaluator: AwsPolicyEvaluator, identity: Identity, grant: Grant, resource: string): StatementReach {
  const own = grant.notActions ? [] : grant.actions.filter((action) => isAllActions(action) || isServiceWildcard(action));
  const broadest = grant.notActions || own.some(isAllActions);
  const boundary = evaluator.boundaryOf(identity).filter((statement) => statement.effect === 'allow');
  const boundaryWildcards = boundary.flatMap((statement) => (statement.notActions ? [] : statement.actions.filter((action) => isAllActions(action) || isServiceWildcard(action))));
  const candidates = unique(broadest ? [...own, '*', ...boundaryWildcards, ...AWS_SERVICE_PROBES] : own);
  const granted: WholeGrant[] = [];
  for (const pattern of candidates) {
    const decision = evaluator.mayAll(identity, pattern, resource);
    if (decision.allowed && decision.allows.includes(grant)) granted.push({ pattern, decision });
  }
  const everything = granted.some(({ pattern }) => isAllActions(pattern));
  // A specific pattern already covered by a broader granted one says nothing new.
  const shown = everything ? granted.filter(({ pattern }) => isAllActions(pattern)) : granted;
  const capped = broadest && !everything && boundary.length > 0 ? shown[0]?.decision.boundary[0] : undefined;
  const depends = unique(shown.flatMap(({ decision }) => decision.depends));
  return { everything, granted: shown, cappedBy: capped, depends };
}

/** Whether `patterns` include one of `admin` (service wildcards, compared case-insensitively; `iam:*` covers `iam:*`). */
export function grantsAdmin(patterns: readonly string[], admin: ReadonlySet<string>): boolean {
  return patterns.some((pattern) => [...admin].some((wanted) => wildcardCovers(pattern, wanted, true) && pattern.includes('*')));
}

/**
 * How the statement's conditions fare, for messages: `no conditions`,
 * `limited by conditions` (not shown in the input), `depends on …`, and any
 * conditional deny that might refuse it (`unless a deny applies (…)`).
 */
export function conditionsText(grant: Grant, depends: readonly string[]): string {
  const denies = depends.filter((text) => text.startsWith('unless a deny applies'));
  const own = depends.filter((text) => !denies.includes(text));
  const shown = own.filter((text) => text !== 'conditions not shown in the input');
  const head =
    shown.length > 0
      ? `depends on ${shown.join('; ')}`
      : own.length > 0
        ? 'limited by conditions'
        : grant.hasConditions
          ? 'conditions that always hold for an attacker acting now'
          : 'no conditions';
  return denies.length > 0 ? `${head}; ${denies.join('; ')}` : head;
}
