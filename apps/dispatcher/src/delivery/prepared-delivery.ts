import type { SecretBox } from '@hookline/auth';
import type { DeliveryJob, DeliverySpec } from '@hookline/contracts';
import { signatureHeaders } from '@hookline/delivery';
import { BoundedMap } from '@hookline/service-kit';

/**
 * Rally's `Security` value travels in this request header. Rally does not name the header; this
 * one is Hookline's and is documented for receivers.
 */
export const SECURITY_HEADER = 'x-hookline-security';

export interface OAuth2Credentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string | null;
}

/** A job with its secrets opened and its body serialised: everything an attempt needs. */
export interface PreparedDelivery {
  body: string;
  signingSecret: string;
  /** The webhook's headers, names lower-cased, values in clear. */
  headers: Record<string, string>;
  security: string | null;
  basicAuthorization: string | null;
  oauth2: OAuth2Credentials | null;
}

/** The job cannot be delivered as it is; retrying will not change that. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** Sealed secrets kept open: several per webhook, for the webhooks delivered to lately. */
const MAX_OPENED_SECRETS = 20_000;

type Opener = Pick<SecretBox, 'decrypt'>;

/**
 * Opens sealed secrets and keeps the newest ones open. Every job of a webhook carries the same
 * sealed values, and opening them (AES-256-GCM) for each job was a twentieth of the dispatcher's
 * CPU. They stay only in this process's memory, where each job's secrets are anyway.
 */
export class SecretOpener implements Opener {
  private readonly opened = new BoundedMap<string, string>(MAX_OPENED_SECRETS);

  constructor(private readonly box: Opener) {}

  decrypt(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.box.decrypt(sealed);
      this.opened.set(sealed, secret);
    }
    return secret;
  }
}

function open(box: Opener, sealed: string, what: string): string {
  try {
    return box.decrypt(sealed);
  } catch {
    // Wrong key or a value that was never sealed; the message must not echo the value.
    throw new InvalidJobError(`${what} cannot be decrypted with HOOKLINE_ENCRYPTION_KEY`);
  }
}

function checkRetryPolicy(spec: DeliverySpec): void {
  const policy = spec.RetryPolicy;
  const ok =
    Number.isInteger(policy.MaxRetries) &&
    policy.MaxRetries >= 0 &&
    Number.isFinite(policy.InitialDelayMs) &&
    policy.InitialDelayMs >= 0 &&
    Number.isFinite(policy.BackoffMultiplier) &&
    policy.BackoffMultiplier >= 1 &&
    Array.isArray(policy.RetryOnStatus) &&
    policy.RetryOnStatus.every((s) => Number.isInteger(s));
  if (!ok) throw new InvalidJobError('RetryPolicy is not valid');
}

/** Opens the sealed secrets of a job; throws InvalidJobError when the job cannot be delivered. */
export function prepareDelivery(job: DeliveryJob, spec: DeliverySpec, box: Opener): PreparedDelivery {
  checkRetryPolicy(spec);
  const headers: Record<string, string> = {};
  for (const [name, sealed] of Object.entries(spec.Headers ?? {}))
    headers[name.toLowerCase()] = open(box, sealed, `header ${name}`);
  const auth = spec.Authentication ?? null;
  let basicAuthorization: string | null = null;
  let oauth2: OAuth2Credentials | null = null;
  if (auth?.Type === 'Basic') {
    const password = open(box, auth.Password, 'Authentication.Password');
    basicAuthorization = `Basic ${Buffer.from(`${auth.Username}:${password}`, 'utf8').toString('base64')}`;
  } else if (auth?.Type === 'OAuth2ClientCredentials') {
    oauth2 = {
      tokenUrl: auth.TokenUrl,
      clientId: auth.ClientId,
      clientSecret: open(box, auth.ClientSecret, 'Authentication.ClientSecret'),
      scope: auth.Scope ?? null,
    };
  } else if (auth !== null) {
    throw new InvalidJobError('Authentication.Type is not Basic or OAuth2ClientCredentials');
  }
  return {
    body: JSON.stringify(job.payload),
    signingSecret: open(box, spec.SigningSecret, 'SigningSecret'),
    headers,
    security: spec.Security ?? null,
    basicAuthorization,
    oauth2,
  };
}

/**
 * The headers of one attempt. The webhook's own headers come first so that Hookline's (signature,
 * Security, Authorization) win on a clash; `webhook-id` is the delivery id on every attempt, so
 * receivers can drop repeats.
 */
export function attemptHeaders(
  deliveryId: string,
  prepared: PreparedDelivery,
  timestampSeconds: number,
  bearerToken?: string,
): Record<string, string> {
  let signature: Record<string, string>;
  try {
    signature = { ...signatureHeaders(prepared.signingSecret, deliveryId, timestampSeconds, prepared.body) };
  } catch (err) {
    throw new InvalidJobError(`SigningSecret is not usable: ${(err as Error).message}`);
  }
  const headers: Record<string, string> = { ...prepared.headers, ...signature };
  if (prepared.security !== null) headers[SECURITY_HEADER] = prepared.security;
  if (bearerToken !== undefined) headers.authorization = `Bearer ${bearerToken}`;
  else if (prepared.basicAuthorization !== null) headers.authorization = prepared.basicAuthorization;
  return headers;
}
