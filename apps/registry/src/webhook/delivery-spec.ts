import type { DeliverySpec } from '@hookline/contracts';
import type { WebhookRecord } from './webhook.schema';

/** How the dispatcher delivers for this webhook (test and replay jobs), its secrets still sealed. */
export function deliverySpecOf(record: WebhookRecord): DeliverySpec {
  const auth = record.Authentication;
  return {
    TargetUrl: record.TargetUrl,
    CommunicationMethod: record.CommunicationMethod,
    SharedSpace: record.SharedSpace,
    Security: record.Security,
    Headers: Object.fromEntries(record.Headers.map((h) => [h.Name, h.Value.Encrypted])),
    Authentication:
      auth === null
        ? null
        : auth.Type === 'Basic'
          ? { Type: 'Basic', Username: auth.Username, Password: auth.Password.Encrypted }
          : {
              Type: 'OAuth2ClientCredentials',
              TokenUrl: auth.TokenUrl,
              ClientId: auth.ClientId,
              ClientSecret: auth.ClientSecret.Encrypted,
              Scope: auth.Scope,
            },
    SigningSecret: record.SigningSecret.Encrypted,
    RetryPolicy: record.RetryPolicy,
  };
}
