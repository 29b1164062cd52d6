import type { DeliveryAuthentication, DeliverySpec } from '@hookline/contracts';
import type { AuthenticationRecord, WebhookRecord } from './webhook.schema';

/**
 * How the dispatcher delivers for this webhook, its secrets still sealed: built here only, for the
 * WEBHOOKS events the matcher copies into jobs and for the registry's own test and replay jobs.
 */
export function deliverySpecOf(record: WebhookRecord): DeliverySpec {
  return {
    TargetUrl: record.TargetUrl,
    CommunicationMethod: record.CommunicationMethod,
    SharedSpace: record.SharedSpace,
    Security: record.Security,
    Headers: Object.fromEntries(record.Headers.map((h) => [h.Name, h.Value.Encrypted])),
    Authentication: sealedAuthentication(record.Authentication),
    SigningSecret: record.SigningSecret.Encrypted,
    RetryPolicy: record.RetryPolicy,
  };
}

function sealedAuthentication(auth: AuthenticationRecord | null): DeliveryAuthentication | null {
  if (auth === null) return null;
  switch (auth.Type) {
    case 'Basic':
      return { Type: 'Basic', Username: auth.Username, Password: auth.Password.Encrypted };
    case 'OAuth2ClientCredentials':
      return {
        Type: 'OAuth2ClientCredentials',
        TokenUrl: auth.TokenUrl,
        ClientId: auth.ClientId,
        ClientSecret: auth.ClientSecret.Encrypted,
        Scope: auth.Scope,
        ClientAuthMethod: auth.ClientAuthMethod,
      };
    case 'SignIn':
      return {
        Type: 'SignIn',
        Flow: auth.Flow,
        SignInUrl: auth.SignInUrl,
        Username: auth.Username,
        Password: auth.Password.Encrypted,
      };
    case 'Token':
      return { Type: 'Token', Scheme: auth.Scheme, Token: auth.Token.Encrypted };
  }
}
