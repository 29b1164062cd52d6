import { randomUUID } from 'node:crypto';
import type { ChangeMessage, WebhookView } from '@hookline/contracts';

/*
 * Test data as the APIs and the message contracts take it: each factory answers a valid value
 * with fresh ids, and a test overrides only the fields its case is about.
 */

/** Rally's documented example of a webhook, verbatim: the Rally-compatible API must take it as is. */
export const SEED_EXAMPLE = {
  AppName: 'My Cool App',
  AppUrl: 'www.example.com',
  Name: 'My first webhook',
  TargetUrl: 'http://my.service.com/ready/to/receive/post',
  ObjectTypes: ['HierarchicalRequirement', 'Defect'],
  Expressions: [
    { AttributeName: 'PlanEstimate', Operator: '>', Value: 10 },
    { AttributeName: 'Workspace', Operator: '=', Value: '31685839-67fe-4f9d-9470-da56c222998b' },
  ],
};

/** A body for `POST /api/v2/webhook`: a webhook on every Defect change, posting to `TargetUrl`. */
export function webhookBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AppName: 'Tests',
    AppUrl: 'www.example.com',
    Name: 'A test webhook',
    TargetUrl: 'http://127.0.0.1:9/hook',
    ObjectTypes: ['Defect'],
    ...overrides,
  };
}

/** One change for `POST /api/v2/changes`: a Defect created, with a fresh message id. */
export function changeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    message_id: randomUUID(),
    action: 'Created',
    object_type: 'Defect',
    object_id: randomUUID(),
    after: { Name: 'A test defect' },
    ...overrides,
  };
}

/** A change message as ingest publishes it on CHANGES (tenant 100 unless overridden). */
export function changeMessage(overrides: Partial<ChangeMessage> = {}): ChangeMessage {
  const tenant = overrides.tenant ?? '100';
  return {
    message_id: randomUUID(),
    message_version: 2,
    subscription_id: Number(tenant),
    tenant,
    action: 'Created',
    object_id: randomUUID(),
    object_type: 'Defect',
    state: {},
    changes: {},
    ingested_at: new Date().toISOString(),
    ...overrides,
  };
}

/** The password `userBody` gives, for signing in as that user. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A body for `POST /api/v2/users`: an admin of subscription 100 with TEST_PASSWORD. */
export function userBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Email: `user-${randomUUID()}@example.com`,
    Password: TEST_PASSWORD,
    Roles: ['admin'],
    SubscriptionID: 100,
    ...overrides,
  };
}

/**
 * A webhook as the registry shows it, and as WEBHOOKS events carry it (secrets masked): fires on
 * every Created or Updated Defect whose Priority is High.
 */
export function webhookView(overrides: Partial<WebhookView> = {}): WebhookView {
  return {
    AppName: 'Hookline',
    AppUrl: 'https://hookline.example',
    Name: 'High defects',
    TargetUrl: 'https://hooks.example.com/in',
    ObjectTypes: ['Defect'],
    Expressions: [{ AttributeID: null, AttributeName: 'Priority', Operator: '=', Value: 'High' }],
    CreatedBy: null,
    CreationDate: '2026-01-01T00:00:00.000Z',
    Disabled: false,
    Security: null,
    LastUpdateDate: '2026-01-01T00:00:00.000Z',
    ObjectUUID: 'wh-1',
    OwnerID: 'owner',
    SubscriptionID: 100,
    _objectVersion: 1,
    _ref: '/webhook/wh-1',
    _type: 'webhook',
    FireCount: null,
    ErrorCount: null,
    LastStatus: null,
    LastWebhookResponseTime: null,
    LastSuccess: null,
    LastFailure: null,
    Events: ['Created', 'Updated'],
    Condition: null,
    Fields: [],
    IncludeAllFields: true,
    Headers: {},
    Authentication: null,
    CommunicationMethod: 'http',
    SharedSpace: null,
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: [503] },
    SigningSecret: '****',
    ...overrides,
  };
}
