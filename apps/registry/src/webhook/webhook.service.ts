import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { maskSecret, SecretBox, tenantOf, type Principal } from '@hookline/auth';
import {
  TEST_DELIVERY_PREFIX,
  type NewDeliveryJob,
  type DeliveryOutcome,
  type DeliverySpec,
} from '@hookline/contracts';
import { cachingResolve, undeliverableTarget, type DeliveryPolicy } from '@hookline/delivery';
import { renderPayload } from '@hookline/matching';
import { ErrorCode, HooklineError, type FieldProblem } from '@hookline/service-kit';
import { RegistryConfig } from '../config/registry.config';
import { DispatcherGateway } from '../dispatch/dispatcher.gateway';
import { DeliveryLogRepository } from '../delivery-log/delivery-log.repository';
import type { AttemptRecord, FailedDeliveryRecord } from '../delivery-log/delivery-log.schema';
import type { AuthenticationDto, RetryPolicyDto, WebhookBodyDto } from './dto/webhook-request.dto';
import { toResponse } from './dto/webhook-response.dto';
import { sampleChangeMessage } from '../dispatch/sample-change';
import { WebhookEvents } from './webhook-events';
import { parsePaging, parseWebhookQuery, type WebhookQueryInput } from './webhook.query';
import { WebhookRepository, type Page } from './webhook.repository';
import { deliverySpecOf } from './delivery-spec';
import {
  crossFieldProblems,
  DEFAULT_RETRY_POLICY,
  DIALECT_DEFAULTS,
  impliedDialect,
  readOnlyProblems,
  WEBHOOK_EVENTS,
} from './webhook.rules';
import type {
  AuthenticationRecord,
  RetryPolicyRecord,
  StoredAuthentication,
  StoredSecret,
  WebhookDefinition,
  WebhookRecord,
} from './webhook.schema';

export interface PageRequest {
  pagesize?: string;
  start?: string;
}

export interface Paged<T> extends Page<T> {
  pageSize: number;
  start: number;
}

/** Delivery ids of replays (`<delivery id>-replay-<n>`, see replay). */
const REPLAY_ID = /-replay-\d+$/;

/** Standard Webhooks secret format: `whsec_` + base64 of random bytes. */
function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The webhook rules: defaults, secrets, PATCH semantics, events, tests and replays. */
@Injectable()
export class WebhookService {
  private readonly deliveryPolicy: DeliveryPolicy;
  private readonly resolve = cachingResolve();

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly log: DeliveryLogRepository,
    private readonly events: WebhookEvents,
    private readonly dispatcher: DispatcherGateway,
    private readonly secrets: SecretBox,
    private readonly config: RegistryConfig,
  ) {
    this.deliveryPolicy = config.deliveryPolicy();
  }

  /**
   * Creates a webhook with its dialect's defaults; the signing secret is returned in clear this
   * once. `refBase` is the webhook collection's absolute URL as the request reached it.
   */
  async create(
    principal: Principal,
    body: WebhookBodyDto,
    refBase: string,
  ): Promise<{ webhook: WebhookRecord; signingSecret: string }> {
    const dialect = body.Dialect ?? impliedDialect(body);
    const defaults: WebhookDefinition = {
      AppName: '',
      AppUrl: '',
      Name: '',
      TargetUrl: '',
      Expressions: [],
      ObjectTypes: [],
      CreatedBy: null,
      OwnerID: principal.keyId,
      Disabled: false,
      Security: null,
      Events: [...WEBHOOK_EVENTS],
      Triggers: [],
      Condition: null,
      Fields: [],
      ...DIALECT_DEFAULTS[dialect],
      Dialect: dialect,
      Headers: [],
      Authentication: null,
      CommunicationMethod: 'http',
      SharedSpace: null,
      RetryPolicy: DEFAULT_RETRY_POLICY,
    };
    const definition: WebhookDefinition = { ...defaults, ...this.writableFields(body, null) };
    this.checkWhole(principal, definition);
    await this.checkDeliverable(definition, definition);
    const signingSecret = generateSigningSecret();
    const now = new Date();
    const webhook = await this.webhooks.insert(principal.subscriptionId, {
      _id: randomUUID(),
      ...definition,
      SigningSecret: this.seal(signingSecret),
      RefBase: refBase,
      ObjectVersion: 1,
      CreationDate: now,
      LastUpdateDate: now,
      FireCount: 0,
      ErrorCount: 0,
      LastStatus: null,
      LastWebhookResponseTime: null,
      LastSuccess: null,
      LastFailure: null,
      LastAttemptAt: null,
      PendingEvent: { Kind: 'created', ObjectVersion: 1 },
      DeletedAt: null,
    });
    await this.events.publish(webhook);
    return { webhook, signingSecret };
  }

  async get(principal: Principal, id: string): Promise<WebhookRecord> {
    const webhook = await this.webhooks.findById(principal.subscriptionId, id);
    if (!webhook) throw HooklineError.notFound('Webhook');
    return webhook;
  }

  async query(principal: Principal, input: WebhookQueryInput): Promise<Paged<WebhookRecord>> {
    const { filter, sort, pageSize, start } = parseWebhookQuery(input);
    const page = await this.webhooks.query(principal.subscriptionId, filter, sort, start - 1, pageSize);
    return { ...page, pageSize, start };
  }

  /**
   * Changes only the fields sent (arrays and objects replaced whole). The result must be a valid
   * webhook as a whole, and the write applies only to the version that was checked. Read-only
   * fields sent as GET shows them (`refBase` builds that view's `_ref`) are ignored; a new Dialect
   * brings its PayloadFormat and IncludeAllFields unless the body sets them.
   */
  async update(principal: Principal, id: string, body: WebhookBodyDto, refBase: string): Promise<WebhookRecord> {
    const current = await this.get(principal, id);
    const readOnly = readOnlyProblems(body, current, toResponse(current, refBase));
    if (readOnly.length > 0) throw HooklineError.validation(readOnly);
    const changes = this.writableFields(body, current);
    const dialect = changes.Dialect;
    if (dialect !== undefined && dialect !== null && dialect !== current.Dialect)
      Object.assign(changes, { ...DIALECT_DEFAULTS[dialect], ...changes });
    if (Object.keys(changes).length === 0) return current;
    this.checkWhole(principal, { ...current, ...changes });
    await this.checkDeliverable({ ...current, ...changes }, changes);
    const updated = await this.webhooks.updateVersioned(
      principal.subscriptionId,
      id,
      current.ObjectVersion,
      // A webhook stored before RefBase was kept gets it now, so its payloads' _ref turns absolute.
      { ...changes, ...((current.RefBase ?? null) === null && { RefBase: refBase }) },
      new Date(),
    );
    if (!updated) throw await this.lostRace(principal, id);
    await this.events.publish(updated);
    return updated;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const deleted = await this.webhooks.markDeleted(principal.subscriptionId, id, new Date());
    if (!deleted) throw HooklineError.notFound('Webhook');
    await this.events.publish(deleted);
  }

  /** Deletes a webhook whose target answered 410 Gone (Rally seed); no error when it is gone already. */
  async removeGone(subscriptionId: number, id: string): Promise<void> {
    const deleted = await this.webhooks.markDeleted(subscriptionId, id, new Date());
    if (deleted) await this.events.publish(deleted);
  }

  /** Replaces the signing secret; the new one is returned in clear this once. */
  async rotateSigningSecret(
    principal: Principal,
    id: string,
  ): Promise<{ webhook: WebhookRecord; signingSecret: string }> {
    const current = await this.get(principal, id);
    const signingSecret = generateSigningSecret();
    const updated = await this.webhooks.updateVersioned(
      principal.subscriptionId,
      id,
      current.ObjectVersion,
      { SigningSecret: this.seal(signingSecret) },
      new Date(),
    );
    if (!updated) throw await this.lostRace(principal, id);
    await this.events.publish(updated);
    return { webhook: updated, signingSecret };
  }

  /**
   * Sends a sample payload through the dispatcher and reports its outcome (ChangeGear "test a
   * webhook"). The body is the one the webhook really sends, for a sample record: its dialect,
   * PayloadFormat, Fields and IncludeAllFields shape it as the matcher would, and a `rule` in it
   * is what a real delivery carries (no credentials or stats). The test is one attempt: a status
   * from the retry list is reported, not retried behind the caller.
   */
  async test(principal: Principal, id: string, refBase: string): Promise<DeliveryOutcome> {
    const webhook = await this.get(principal, id);
    const deliveryId = `${TEST_DELIVERY_PREFIX}${randomUUID()}`;
    const payload = renderPayload(toResponse(webhook, refBase), sampleChangeMessage(webhook, deliveryId), {
      // As the matcher reads a stored webhook: an empty Fields limits nothing.
      Fields: webhook.Fields.length > 0 ? webhook.Fields : undefined,
      IncludeAllFields: webhook.IncludeAllFields,
      PayloadFormat: webhook.PayloadFormat,
      Dialect: webhook.Dialect ?? undefined,
    });
    const spec = deliverySpecOf(webhook);
    const job = this.jobFor(webhook, deliveryId, deliveryId, payload as Record<string, unknown>, {
      ...spec,
      RetryPolicy: { ...spec.RetryPolicy, MaxRetries: 0 },
    });
    const outcome = await this.dispatcher.deliverAndAwaitOutcome(job, this.config.TEST_DELIVERY_TIMEOUT_MS);
    if (!outcome) {
      throw new HooklineError(
        ErrorCode.Unavailable,
        `No delivery outcome within ${this.config.TEST_DELIVERY_TIMEOUT_MS} ms; is the dispatcher running?`,
      );
    }
    return outcome;
  }

  async attempts(principal: Principal, id: string, request: PageRequest): Promise<Paged<AttemptRecord>> {
    await this.get(principal, id);
    const { pageSize, start } = parsePaging(request);
    return { ...(await this.log.listAttempts(principal.subscriptionId, id, start - 1, pageSize)), pageSize, start };
  }

  async failedDeliveries(principal: Principal, id: string, request: PageRequest): Promise<Paged<FailedDeliveryRecord>> {
    await this.get(principal, id);
    const { pageSize, start } = parsePaging(request);
    return { ...(await this.log.listFailed(principal.subscriptionId, id, start - 1, pageSize)), pageSize, start };
  }

  /** Sends a failed delivery's saved payload again, to the webhook's current target. Returns the new delivery id. */
  async replay(principal: Principal, id: string, deliveryId: string): Promise<string> {
    const webhook = await this.get(principal, id);
    if (webhook.Disabled)
      throw new HooklineError(ErrorCode.Conflict, 'The webhook is disabled; enable it before replaying deliveries');
    const failed = await this.log.claimReplay(principal.subscriptionId, id, deliveryId, new Date());
    if (!failed) throw HooklineError.notFound('Failed delivery');
    if (!failed.Payload)
      throw new HooklineError(
        ErrorCode.Unprocessable,
        'No payload was saved for this delivery, so it cannot be replayed',
      );
    const replayId = `${deliveryId}-replay-${failed.ReplayCount}`;
    await this.dispatcher.enqueue(this.jobFor(webhook, replayId, failed.MessageID ?? deliveryId, failed.Payload));
    return replayId;
  }

  /**
   * BMC's "saved for processing one last time": once the webhook's receiver answers again, each
   * failed delivery never replayed is sent once more, with its saved payload (at most `limit` per
   * call, oldest first). A failed replay has had its last processing and is only marked.
   * Returns how many it took, so the caller knows whether more may wait.
   */
  async processFailedOnceMore(subscriptionId: number, webhookId: string, limit: number): Promise<number> {
    const webhook = await this.webhooks.findById(subscriptionId, webhookId);
    if (!webhook || webhook.Disabled) return 0;
    const owed = await this.log.neverReplayed(subscriptionId, webhookId, limit);
    for (const failed of owed) {
      const claimed = await this.log.claimFirstReplay(subscriptionId, failed._id, new Date());
      if (!claimed?.Payload || REPLAY_ID.test(claimed._id)) continue;
      const replayId = `${claimed._id}-replay-${claimed.ReplayCount}`;
      await this.dispatcher.enqueue(this.jobFor(webhook, replayId, claimed.MessageID ?? claimed._id, claimed.Payload));
    }
    return owed.length;
  }

  private jobFor(
    webhook: WebhookRecord,
    deliveryId: string,
    messageId: string,
    payload: Record<string, unknown>,
    spec: DeliverySpec = deliverySpecOf(webhook),
  ): NewDeliveryJob {
    return {
      deliveryId,
      tenant: tenantOf({ subscriptionId: webhook.SubscriptionID }),
      webhookId: webhook._id,
      messageId,
      spec,
      payload,
      createdAt: new Date().toISOString(),
    };
  }

  /** Rules over the whole definition, which a PATCH of one field can break. */
  private checkWhole(principal: Principal, definition: WebhookDefinition): void {
    const problems: FieldProblem[] = crossFieldProblems({
      CommunicationMethod: definition.CommunicationMethod,
      SharedSpace: definition.SharedSpace,
      headerNames: definition.Headers.map((h) => h.Name),
      hasAuthentication: definition.Authentication !== null,
    });
    if (problems.length > 0) throw HooklineError.validation(problems);
    const space = definition.SharedSpace;
    if (
      definition.CommunicationMethod === 'websocket' &&
      space &&
      !principal.roles.includes('admin') &&
      !principal.sharedSpaces.includes(space)
    ) {
      throw new HooklineError(ErrorCode.Unprocessable, `This API key is not assigned to shared space ${space}`, [
        { field: 'SharedSpace', reason: 'is not one of the shared spaces of this API key' },
      ]);
    }
  }

  /**
   * Refuses (422) a target the dispatcher could never deliver to under the same policy settings:
   * on create, and on a PATCH that changes where deliveries go. Tunnel deliveries leave from the
   * listener's network, so the policy does not apply to them.
   */
  private async checkDeliverable(definition: WebhookDefinition, changed: Partial<WebhookDefinition>): Promise<void> {
    if (definition.CommunicationMethod !== 'http') return;
    const auth = definition.Authentication;
    const authUrl =
      auth?.Type === 'OAuth2ClientCredentials'
        ? { field: 'Authentication.TokenUrl', url: auth.TokenUrl }
        : auth?.Type === 'SignIn'
          ? { field: 'Authentication.SignInUrl', url: auth.SignInUrl }
          : undefined;
    const targets = [
      ...(changed.TargetUrl !== undefined || changed.CommunicationMethod !== undefined
        ? [{ field: 'TargetUrl', url: definition.TargetUrl }]
        : []),
      ...(authUrl && (changed.Authentication !== undefined || changed.CommunicationMethod !== undefined)
        ? [authUrl]
        : []),
    ];
    const problems: FieldProblem[] = [];
    const settings = new Set<string>();
    for (const { field, url } of targets) {
      const refusal = await undeliverableTarget(url, this.deliveryPolicy, { resolve: this.resolve });
      if (!refusal) continue;
      settings.add(refusal.setting);
      const reason = refusal.reason.includes(refusal.setting)
        ? refusal.reason
        : `${refusal.reason} (${refusal.setting})`;
      problems.push({ field, reason: `can never be delivered to: ${reason}` });
    }
    if (problems.length > 0)
      throw new HooklineError(
        ErrorCode.Unprocessable,
        `The dispatcher's delivery policy (${[...settings].join(', ')}) refuses this target`,
        problems,
      );
  }

  private async lostRace(principal: Principal, id: string): Promise<HooklineError> {
    if (!(await this.webhooks.findById(principal.subscriptionId, id))) return HooklineError.notFound('Webhook');
    return new HooklineError(
      ErrorCode.Conflict,
      'The webhook was changed by another request meanwhile; read it again and retry',
    );
  }

  /** The fields the body sets, secrets sealed. A secret sent back in its masked form keeps its stored value. */
  private writableFields(body: WebhookBodyDto, current: WebhookRecord | null): Partial<WebhookDefinition> {
    // The DTO skips every check of these nested fields when they are null (ValidateIf keeps
    // ValidateNested from reporting null twice), so null is refused here, before it is used.
    const nulled = (['Expressions', 'RetryPolicy'] as const).filter((key) => body[key] === null);
    if (nulled.length > 0)
      throw HooklineError.validation(nulled.map((field) => ({ field, reason: `${field} must not be null` })));
    const fields: Partial<WebhookDefinition> = {};
    const plain = [
      'AppName',
      'AppUrl',
      'Name',
      'TargetUrl',
      'ObjectTypes',
      'CreatedBy',
      'OwnerID',
      'Disabled',
      'Security',
      'Events',
      'Condition',
      'Fields',
      'IncludeAllFields',
      'PayloadFormat',
      'CommunicationMethod',
      'SharedSpace',
    ] as const;
    for (const key of plain) {
      const value = body[key];
      if (value !== undefined) (fields as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    }
    // Null is how GET shows a webhook stored before dialects: it may come back, not be set anew.
    // Read lean, a webhook stored before dialects has no Dialect at all.
    if (body.Dialect === null && current !== null && (current.Dialect ?? null) !== null)
      throw HooklineError.validation([
        { field: 'Dialect', reason: `Dialect cannot be removed; set another one (${current.Dialect} now)` },
      ]);
    if (body.Dialect !== undefined && body.Dialect !== null) fields.Dialect = body.Dialect;
    this.applyTriggers(body, current, fields);
    if (body.Expressions !== undefined) {
      fields.Expressions = body.Expressions.map((e) => ({
        AttributeID: e.AttributeID ?? null,
        AttributeName: e.AttributeName ?? null,
        Operator: e.Operator,
        ...(e.Value === undefined || e.Value === null ? {} : { Value: e.Value }),
      }));
    }
    if (body.Headers !== undefined) {
      fields.Headers = Object.entries(body.Headers).map(([Name, value]) => ({
        Name,
        Value: this.sealUnlessMasked(
          value,
          current?.Headers.find((h) => h.Name.toLowerCase() === Name.toLowerCase())?.Value,
        ),
      }));
    }
    if (body.Authentication !== undefined) {
      fields.Authentication =
        body.Authentication === null ? null : this.authentication(body.Authentication, current?.Authentication ?? null);
    }
    if (body.RetryPolicy !== undefined) fields.RetryPolicy = retryPolicy(body.RetryPolicy);
    return fields;
  }

  /**
   * Triggers, when given, are the whole story of when the webhook fires: ObjectTypes and Events
   * cannot be sent beside them and are derived from them (so the data page filters still find the
   * webhook). `Triggers: []` goes back to ObjectTypes and Events.
   */
  private applyTriggers(body: WebhookBodyDto, current: WebhookRecord | null, fields: Partial<WebhookDefinition>): void {
    if (body.Triggers !== undefined)
      fields.Triggers = body.Triggers.map(({ ObjectType, Event }) => ({ ObjectType, Event }));
    const triggers = fields.Triggers ?? current?.Triggers ?? [];
    if (triggers.length === 0) return;
    const derived = {
      ObjectTypes: [...new Set(triggers.map((t) => t.ObjectType))],
      Events: WEBHOOK_EVENTS.filter((event) => triggers.some((t) => t.Event === event)),
    };
    // The ones GET shows, sent back as they were, are no clash.
    const clash = (['ObjectTypes', 'Events'] as const).filter(
      (field) => body[field] !== undefined && !isDeepStrictEqual(body[field], derived[field]),
    );
    if (clash.length > 0)
      throw HooklineError.validation(
        clash.map((field) => ({
          field,
          reason: `${field} cannot be set beside Triggers, which name each object type and event (Triggers: [] goes back to ${field})`,
        })),
      );
    if (fields.Triggers === undefined) return;
    fields.ObjectTypes = derived.ObjectTypes;
    fields.Events = derived.Events;
  }

  private authentication(auth: AuthenticationDto, current: AuthenticationRecord | null): StoredAuthentication {
    switch (auth.Type) {
      case 'Basic': {
        const previous = current?.Type === 'Basic' ? current.Password : undefined;
        return { Type: 'Basic', Username: auth.Username!, Password: this.sealUnlessMasked(auth.Password!, previous) };
      }
      case 'OAuth2ClientCredentials': {
        const previous = current?.Type === 'OAuth2ClientCredentials' ? current.ClientSecret : undefined;
        return {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: auth.TokenUrl!,
          ClientId: auth.ClientId!,
          ClientSecret: this.sealUnlessMasked(auth.ClientSecret!, previous),
          Scope: auth.Scope ?? null,
          // Left out, it stays absent: the repository reads absence as the default.
          ...(auth.ClientAuthMethod && { ClientAuthMethod: auth.ClientAuthMethod }),
        };
      }
      case 'SignIn': {
        const previous = current?.Type === 'SignIn' ? current.Password : undefined;
        return {
          Type: 'SignIn',
          Flow: auth.Flow!,
          SignInUrl: auth.SignInUrl!,
          Username: auth.Username!,
          Password: this.sealUnlessMasked(auth.Password!, previous),
        };
      }
      case 'Token': {
        const previous = current?.Type === 'Token' ? current.Token : undefined;
        return { Type: 'Token', Scheme: auth.Scheme!, Token: this.sealUnlessMasked(auth.Token!, previous) };
      }
    }
  }

  private seal(secret: string): StoredSecret {
    return { Encrypted: this.secrets.encrypt(secret), Masked: maskSecret(secret) };
  }

  /** A client that read a webhook and sends it back unchanged sends masks, not secrets: keep the stored ones. */
  private sealUnlessMasked(secret: string, current: StoredSecret | undefined): StoredSecret {
    return current && secret === current.Masked ? current : this.seal(secret);
  }
}

function retryPolicy(policy: RetryPolicyDto): RetryPolicyRecord {
  return {
    MaxRetries: policy.MaxRetries ?? DEFAULT_RETRY_POLICY.MaxRetries,
    InitialDelayMs: policy.InitialDelayMs ?? DEFAULT_RETRY_POLICY.InitialDelayMs,
    BackoffMultiplier: policy.BackoffMultiplier ?? DEFAULT_RETRY_POLICY.BackoffMultiplier,
    RetryOnStatus: policy.RetryOnStatus ? [...policy.RetryOnStatus] : [...DEFAULT_RETRY_POLICY.RetryOnStatus],
  };
}
