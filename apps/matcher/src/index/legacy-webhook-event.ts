import type {
  ClientAuthMethod,
  DeliveryAuthentication,
  DeliverySpec,
  SealedSecret,
  SignInFlow,
  TokenScheme,
  WebhookEvent,
  WebhookView,
} from '@hookline/contracts';

/**
 * The sealed secrets WEBHOOKS events carried, beside the masked view, before they carried the
 * registry's DeliverySpec. WEBHOOKS keeps each webhook's newest event forever and the index is
 * rebuilt from it at every start, so a webhook not changed since still has only this form.
 */
export interface LegacyWebhookSecrets {
  SigningSecret: SealedSecret;
  Authentication: { Password: SealedSecret } | { ClientSecret: SealedSecret } | { Token: SealedSecret } | null;
  Headers: Record<string, SealedSecret>;
}

export type LegacyWebhookEvent = WebhookEvent & { webhook: WebhookView; secrets: LegacyWebhookSecrets };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isLegacyWebhookEvent(raw: unknown): raw is LegacyWebhookEvent {
  if (!isObject(raw) || !isObject(raw.webhook) || !isObject(raw.secrets)) return false;
  const { SigningSecret, Headers, Authentication } = raw.secrets;
  return (
    typeof SigningSecret === 'string' &&
    isObject(Headers) &&
    Object.values(Headers).every((value) => typeof value === 'string') &&
    (Authentication === null || isObject(Authentication))
  );
}

/** The spec the registry would have built, from the masked view and the sealed secrets. */
export function legacyDeliverySpecOf(event: LegacyWebhookEvent): DeliverySpec {
  const { webhook, secrets } = event;
  return {
    TargetUrl: webhook.TargetUrl,
    CommunicationMethod: webhook.CommunicationMethod,
    SharedSpace: webhook.SharedSpace,
    Security: webhook.Security,
    Headers: secrets.Headers,
    Authentication: legacyAuthentication(webhook.Authentication, secrets.Authentication),
    SigningSecret: secrets.SigningSecret,
    RetryPolicy: webhook.RetryPolicy,
  };
}

/**
 * The view's fields with the sealed secret. A view and secret that do not fit together deliver
 * without authentication rather than with half of it; no registry published such a pair. An
 * absent ClientAuthMethod stays absent: the dispatcher reads it as it reads jobs made before it.
 */
function legacyAuthentication(
  auth: WebhookView['Authentication'],
  secret: LegacyWebhookSecrets['Authentication'],
): DeliveryAuthentication | null {
  if (auth === null || secret === null) return null;
  if ((auth.Type === 'Basic' || auth.Type === 'SignIn') && 'Password' in secret) {
    if (auth.Type === 'Basic') return { Type: 'Basic', Username: auth.Username ?? '', Password: secret.Password };
    return {
      Type: 'SignIn',
      Flow: auth.Flow as SignInFlow,
      SignInUrl: auth.SignInUrl ?? '',
      Username: auth.Username ?? '',
      Password: secret.Password,
    };
  }
  if (auth.Type === 'OAuth2ClientCredentials' && 'ClientSecret' in secret)
    return {
      Type: 'OAuth2ClientCredentials',
      TokenUrl: auth.TokenUrl ?? '',
      ClientId: auth.ClientId ?? '',
      ClientSecret: secret.ClientSecret,
      Scope: auth.Scope ?? null,
      ...(auth.ClientAuthMethod && { ClientAuthMethod: auth.ClientAuthMethod as ClientAuthMethod }),
    };
  if (auth.Type === 'Token' && 'Token' in secret)
    return { Type: 'Token', Scheme: auth.Scheme as TokenScheme, Token: secret.Token };
  return null;
}
