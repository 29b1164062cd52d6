import type { WebhookView } from '@hookline/contracts';
import type { AttemptRecord, FailedDeliveryRecord } from '../../delivery-log/delivery-log.schema';
import type { AuthenticationRecord, WebhookRecord } from '../webhook.schema';

/** A webhook as the API returns it; the same shape travels in WEBHOOKS events, so it lives in the contracts. */
export type WebhookResponse = WebhookView;

function authenticationResponse(auth: AuthenticationRecord | null): WebhookResponse['Authentication'] {
  if (!auth) return null;
  switch (auth.Type) {
    case 'Basic':
      return { Type: auth.Type, Username: auth.Username, Password: auth.Password.Masked };
    case 'OAuth2ClientCredentials':
      return {
        Type: auth.Type,
        TokenUrl: auth.TokenUrl,
        ClientId: auth.ClientId,
        ClientSecret: auth.ClientSecret.Masked,
        Scope: auth.Scope,
        ClientAuthMethod: auth.ClientAuthMethod,
      };
    case 'SignIn':
      return {
        Type: auth.Type,
        Flow: auth.Flow,
        SignInUrl: auth.SignInUrl,
        Username: auth.Username,
        Password: auth.Password.Masked,
      };
    case 'Token':
      return { Type: auth.Type, Scheme: auth.Scheme, Token: auth.Token.Masked };
  }
}

/**
 * Shapes a stored webhook for a response. `refBase` is the absolute URL of the webhook collection.
 * Stats are null until the webhook has fired (Rally seed).
 */
export function toResponse(record: WebhookRecord, refBase: string, clearSigningSecret?: string): WebhookResponse {
  const fired = record.FireCount > 0;
  return {
    AppName: record.AppName,
    AppUrl: record.AppUrl,
    Name: record.Name,
    TargetUrl: record.TargetUrl,
    ObjectTypes: record.ObjectTypes,
    Expressions: record.Expressions.map((e) => ({
      AttributeID: e.AttributeID ?? null,
      AttributeName: e.AttributeName ?? null,
      Operator: e.Operator,
      Value: e.Value ?? null,
    })),
    CreatedBy: record.CreatedBy,
    CreationDate: record.CreationDate.toISOString(),
    Disabled: record.Disabled,
    Security: record.Security,
    LastUpdateDate: record.LastUpdateDate.toISOString(),
    ObjectUUID: record._id,
    OwnerID: record.OwnerID,
    SubscriptionID: record.SubscriptionID,
    _objectVersion: record.ObjectVersion,
    _ref: `${refBase}/${record._id}`,
    _type: 'webhook',
    FireCount: fired ? record.FireCount : null,
    ErrorCount: fired ? record.ErrorCount : null,
    LastStatus: record.LastStatus,
    LastWebhookResponseTime: record.LastWebhookResponseTime,
    LastSuccess: record.LastSuccess?.toISOString() ?? null,
    LastFailure: record.LastFailure?.toISOString() ?? null,
    Events: record.Events,
    Triggers: record.Triggers,
    Condition: record.Condition,
    Fields: record.Fields,
    IncludeAllFields: record.IncludeAllFields,
    PayloadFormat: record.PayloadFormat,
    Dialect: record.Dialect ?? null,
    Headers: Object.fromEntries(record.Headers.map((h) => [h.Name, h.Value.Masked])),
    Authentication: authenticationResponse(record.Authentication),
    CommunicationMethod: record.CommunicationMethod,
    SharedSpace: record.SharedSpace,
    RetryPolicy: record.RetryPolicy,
    SigningSecret: clearSigningSecret ?? record.SigningSecret.Masked,
  };
}

export interface PageResponse<T> {
  Results: T[];
  TotalResultCount: number;
  PageSize: number;
  StartIndex: number;
}

export function attemptResponse(attempt: AttemptRecord) {
  return {
    DeliveryID: attempt.DeliveryID,
    Attempt: attempt.Attempt,
    Time: attempt.At.toISOString(),
    Outcome: attempt.Kind,
    Status: attempt.Status,
    LatencyMs: attempt.LatencyMs,
    Error: attempt.Error,
    /** Null when tracing was off. */
    TraceID: attempt.TraceID ?? null,
    ErrorKind: attempt.ErrorKind ?? null,
    Request: attempt.Request ?? null,
    Response: attempt.Response ?? null,
  };
}

export function failedDeliveryResponse(failed: FailedDeliveryRecord) {
  return {
    DeliveryID: failed._id,
    MessageID: failed.MessageID,
    FailedAt: failed.FailedAt.toISOString(),
    LastStatus: failed.LastStatus,
    Attempts: failed.Attempts,
    Error: failed.Error,
    Payload: failed.Payload,
    ReplayCount: failed.ReplayCount,
    LastReplayAt: failed.LastReplayAt?.toISOString() ?? null,
  };
}

/** Result of `POST /webhook/{id}/test`: what the receiver answered to the sample payload. */
export interface TestDeliveryResponse {
  DeliveryID: string;
  Outcome: string;
  Status: number | null;
  LatencyMs: number;
  ResponseExcerpt: string | null;
  Error: string | null;
}
