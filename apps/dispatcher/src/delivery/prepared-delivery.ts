import { maskSecret, type SecretBox } from '@hookline/auth';
import {
  CLIENT_AUTH_METHODS,
  MAX_LOGGED_BODY_CHARS,
  type AttemptRequest,
  DEFAULT_CLIENT_AUTH_METHOD,
  SIGN_IN_FLOWS,
  TOKEN_SCHEMES,
  type DeliveryJob,
  type DeliverySpec,
} from '@hookline/contracts';
import { requestHeaders, signatureHeaders } from '@hookline/delivery';
import { BoundedMap, injectActiveTraceHeaders, tracingOn } from '@hookline/service-kit';
import type { SignInCredentials } from '../sign-in/sign-in-flows';

/**
 * Rally's `Security` value travels in this request header. Rally does not name the header; this
 * one is Hookline's and is documented for receivers.
 */
export const SECURITY_HEADER = 'x-hookline-security';

/** A job with its secrets opened: everything an attempt needs. */
export interface PreparedDelivery {
  /** The JSON body's bytes, as the job brought them. */
  body: Uint8Array;
  signingSecret: string;
  /** The webhook's headers, names lower-cased, values in clear. */
  headers: Record<string, string>;
  security: string | null;
  /** The Authorization header of Basic or a fixed token. */
  authorization: string | null;
  /** Credentials to sign in with; the token they get is the Authorization header. */
  signIn: SignInCredentials | null;
}

/** The job cannot be delivered as it is; retrying will not change that. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** Sealed secrets kept open: several per webhook, for the webhooks delivered to lately. */
const MAX_OPENED_SECRETS = 20_000;

type Opener = Pick<SecretBox, 'decrypt'>;

/**
 * Opens sealed secrets and keeps the newest ones open: every job of a webhook carries the same
 * sealed values, and opening them for each job costs CPU (docs/decisions/010-delivery-hot-path.md).
 * They stay only in this process's memory, where each job's secrets are anyway.
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
  return {
    body: job.body,
    signingSecret: open(box, spec.SigningSecret, 'SigningSecret'),
    headers,
    security: spec.Security ?? null,
    ...authenticationOf(spec, box),
  };
}

function authenticationOf(spec: DeliverySpec, box: Opener): Pick<PreparedDelivery, 'authorization' | 'signIn'> {
  const auth = spec.Authentication ?? null;
  switch (auth?.Type) {
    case undefined:
      return { authorization: null, signIn: null };
    case 'Basic': {
      const password = open(box, auth.Password, 'Authentication.Password');
      const basic = Buffer.from(`${auth.Username}:${password}`, 'utf8').toString('base64');
      return { authorization: `Basic ${basic}`, signIn: null };
    }
    case 'OAuth2ClientCredentials': {
      const method = auth.ClientAuthMethod ?? DEFAULT_CLIENT_AUTH_METHOD;
      if (!CLIENT_AUTH_METHODS.includes(method))
        throw new InvalidJobError('Authentication.ClientAuthMethod is not known');
      return {
        authorization: null,
        signIn: {
          flow: 'OAuth2ClientCredentials',
          url: auth.TokenUrl,
          username: auth.ClientId,
          secret: open(box, auth.ClientSecret, 'Authentication.ClientSecret'),
          scope: auth.Scope ?? null,
          clientAuthMethod: method,
        },
      };
    }
    case 'SignIn':
      if (!SIGN_IN_FLOWS.includes(auth.Flow)) throw new InvalidJobError('Authentication.Flow is not known');
      return {
        authorization: null,
        signIn: {
          flow: auth.Flow,
          url: auth.SignInUrl,
          username: auth.Username,
          secret: open(box, auth.Password, 'Authentication.Password'),
          scope: null,
          clientAuthMethod: null,
        },
      };
    case 'Token':
      if (!TOKEN_SCHEMES.includes(auth.Scheme)) throw new InvalidJobError('Authentication.Scheme is not known');
      return { authorization: `${auth.Scheme} ${open(box, auth.Token, 'Authentication.Token')}`, signIn: null };
    default:
      throw new InvalidJobError('Authentication.Type is not Basic, OAuth2ClientCredentials, SignIn or Token');
  }
}

/**
 * The headers of one attempt. The webhook's own headers come first so that Hookline's (signature,
 * Security, Authorization, trace context) win on a clash; `webhook-id` is the delivery id on every
 * attempt, so receivers can drop repeats.
 */
export function attemptHeaders(
  deliveryId: string,
  prepared: PreparedDelivery,
  timestampSeconds: number,
  signedIn?: string,
): Record<string, string> {
  let signature: Record<string, string>;
  try {
    signature = { ...signatureHeaders(prepared.signingSecret, deliveryId, timestampSeconds, prepared.body) };
  } catch (err) {
    throw new InvalidJobError(`SigningSecret is not usable: ${(err as Error).message}`);
  }
  const headers: Record<string, string> = { ...prepared.headers, ...signature };
  if (prepared.security !== null) headers[SECURITY_HEADER] = prepared.security;
  const authorization = signedIn ?? prepared.authorization;
  if (authorization !== null) headers.authorization = authorization;
  // The attempt's span (tracing on) goes on at the receiver: `traceparent`, `tracestate`.
  if (tracingOn()) injectActiveTraceHeaders(headers);
  return headers;
}

/** Headers whose values are credentials wherever they appear. */
const SECRET_HEADERS = new Set(['authorization', 'webhook-signature', SECURITY_HEADER]);
const fromUtf8 = new TextDecoder();

/**
 * An attempt's request as the delivery log keeps it. The webhook's own header values are masked as
 * the API shows them, since any of them may hold a credential (one Hookline's header replaced shows
 * Hookline's value); only the start of the body is kept, and only when `withBody`.
 */
export function loggedRequest(
  url: string,
  headers: Record<string, string>,
  prepared: PreparedDelivery,
  withBody = true,
): AttemptRequest {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(requestHeaders(headers)))
    shown[name] = SECRET_HEADERS.has(name) || prepared.headers[name] === value ? maskSecret(value) : value;
  if (!withBody) return { url, headers: shown };
  // Four bytes per character at most, so the slice never needs more of the body than this.
  const start = fromUtf8.decode(prepared.body.subarray(0, 4 * MAX_LOGGED_BODY_CHARS));
  return { url, headers: shown, bodyExcerpt: start.slice(0, MAX_LOGGED_BODY_CHARS) };
}
