import type { ClientAuthMethod, SignInFlow } from '@hookline/contracts';

/** Credentials the dispatcher exchanges for a token before it delivers. */
export interface SignInCredentials {
  flow: 'OAuth2ClientCredentials' | SignInFlow;
  url: string;
  /** The client id, for OAuth2 client credentials. */
  username: string;
  /** The password, or the client secret. */
  secret: string;
  scope: string | null;
  /** How the client id and secret reach the token URL, for OAuth2 client credentials. */
  clientAuthMethod: ClientAuthMethod | null;
}

export interface SignInRequest {
  headers: Record<string, string>;
  body: string;
}

/** A token as the receiver gets it, and until when it may be sent. */
export interface SignedIn {
  authorization: string;
  expiresAt: number;
}

/** Used when the answer does not say how long its token lives. */
export const DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;
/** A token is renewed this long before it expires (or at 90% of a shorter lifetime). */
const EXPIRY_MARGIN_MS = 60_000;
/** AR-JWT tokens are JWTs: three base64url parts, no spaces. */
const JWT_TEXT = /^[\w-]+\.[\w-]+\.[\w-]*$/;
/** What an Authorization header's credentials may be (RFC 7235 token68, RFC 6750 b64token). */
const TOKEN68 = /^[\w\-.~+/]+=*$/;

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into Basic credentials. */
function clientAuthorization(credentials: SignInCredentials): string {
  const id = encodeURIComponent(credentials.username);
  const secret = encodeURIComponent(credentials.secret);
  return `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
}

const FORM = 'application/x-www-form-urlencoded';

/** The POST that signs in, for each flow (see SIGN_IN_FLOWS in the contracts). */
export function signInRequest(credentials: SignInCredentials): SignInRequest {
  switch (credentials.flow) {
    case 'OAuth2ClientCredentials': {
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (credentials.scope) form.set('scope', credentials.scope);
      const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
      if (credentials.clientAuthMethod === 'client_secret_post') {
        form.set('client_id', credentials.username);
        form.set('client_secret', credentials.secret);
      } else headers.authorization = clientAuthorization(credentials);
      return { headers, body: form.toString() };
    }
    case 'OAuth2Password': {
      const form = new URLSearchParams({
        grant_type: 'password',
        username: credentials.username,
        password: credentials.secret,
      });
      return { headers: { 'content-type': FORM, accept: 'application/json' }, body: form.toString() };
    }
    case 'RemedyJwt': {
      const form = new URLSearchParams({ username: credentials.username, password: credentials.secret });
      return { headers: { 'content-type': FORM, accept: 'text/plain' }, body: form.toString() };
    }
    case 'InnovationSuite':
      return {
        // The Innovation Suite refuses REST calls without X-Requested-By (its CSRF guard).
        headers: { 'content-type': 'application/json', accept: 'text/plain', 'x-requested-by': 'XMLHttpRequest' },
        body: JSON.stringify({ userName: credentials.username, password: credentials.secret }),
      };
  }
}

function expiringIn(lifetimeMs: number, now: number): number {
  return now + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
}

/** The `exp` claim of a JWT in ms, or null when the token does not carry a readable one. */
function jwtExpiry(token: string): number | null {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** The token a successful sign-in answered, ready to send, or null when the answer holds none. */
export function signedInFrom(flow: SignInCredentials['flow'], text: string, now = Date.now()): SignedIn | null {
  if (flow === 'RemedyJwt' || flow === 'InnovationSuite') {
    // AR System answers the token itself as the body.
    const token = text.trim();
    if (!TOKEN68.test(token)) return null;
    const expiry = JWT_TEXT.test(token) ? jwtExpiry(token) : null;
    const lifetimeMs = expiry === null ? DEFAULT_TOKEN_LIFETIME_MS : expiry - now;
    if (lifetimeMs <= 0) return null;
    return { authorization: `AR-JWT ${token}`, expiresAt: expiringIn(lifetimeMs, now) };
  }
  let body: { access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return null;
  }
  if (typeof body?.access_token !== 'string' || !TOKEN68.test(body.access_token)) return null;
  const lifetimeMs =
    typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
  return { authorization: `Bearer ${body.access_token}`, expiresAt: expiringIn(lifetimeMs, now) };
}
