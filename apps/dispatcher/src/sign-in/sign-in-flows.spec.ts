import { DEFAULT_TOKEN_LIFETIME_MS, signedInFrom, signInRequest, type SignInCredentials } from './sign-in-flows';

const NOW = 1_800_000_000_000;

const credentials = (flow: SignInCredentials['flow']): SignInCredentials => ({
  flow,
  url: 'https://bmc.example.com/login',
  username: 'admin',
  secret: 'p&ss word',
  scope: null,
  clientAuthMethod: null,
});

/** An unsigned JWT with the given claims: only the claims matter to the dispatcher. */
const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"HS256"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') +
  '.c2ln';

describe('signInRequest', () => {
  it("AR System's login: a form with username and password", () => {
    const { headers, body } = signInRequest(credentials('RemedyJwt'));
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(headers).not.toHaveProperty('authorization');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ username: 'admin', password: 'p&ss word' });
  });

  it("the Innovation Suite's login: JSON with userName, and X-Requested-By", () => {
    const { headers, body } = signInRequest(credentials('InnovationSuite'));
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'x-requested-by': 'XMLHttpRequest' });
    expect(JSON.parse(body)).toEqual({ userName: 'admin', password: 'p&ss word' });
  });

  it('the OAuth2 password grant, and client credentials with the client in Basic, form-encoded first', () => {
    const password = signInRequest(credentials('OAuth2Password'));
    expect(Object.fromEntries(new URLSearchParams(password.body))).toEqual({
      grant_type: 'password',
      username: 'admin',
      password: 'p&ss word',
    });
    const client = signInRequest({
      ...credentials('OAuth2ClientCredentials'),
      scope: 'hooks',
      clientAuthMethod: 'client_secret_basic',
    });
    expect(client.headers).toEqual({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('admin:p%26ss%20word').toString('base64')}`,
    });
    expect(Object.fromEntries(new URLSearchParams(client.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'hooks',
    });
  });

  it('OAuth2 client credentials posted in the form: client_id and client_secret fields, no Authorization', () => {
    const { headers, body } = signInRequest({
      ...credentials('OAuth2ClientCredentials'),
      scope: 'hooks',
      clientAuthMethod: 'client_secret_post',
    });
    expect(headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'hooks',
      client_id: 'admin',
      client_secret: 'p&ss word',
    });
  });
});

describe('signedInFrom', () => {
  it('AR-JWT: the body is the token; a JWT is kept until a minute before its exp', () => {
    const token = jwt({ sub: 'admin', exp: NOW / 1000 + 3600 });
    expect(signedInFrom('RemedyJwt', `${token}\n`, NOW)).toEqual({
      authorization: `AR-JWT ${token}`,
      expiresAt: NOW + 3600_000 - 60_000,
    });
  });

  it('AR-JWT: an opaque token, or a JWT without exp, lives the default lifetime', () => {
    expect(signedInFrom('InnovationSuite', 'opaque-token', NOW)).toEqual({
      authorization: 'AR-JWT opaque-token',
      expiresAt: NOW + DEFAULT_TOKEN_LIFETIME_MS - 30_000,
    });
    expect(signedInFrom('RemedyJwt', jwt({ sub: 'admin' }), NOW)?.expiresAt).toBe(
      NOW + DEFAULT_TOKEN_LIFETIME_MS - 30_000,
    );
  });

  it('AR-JWT: refuses an empty body, a page of HTML and an expired JWT', () => {
    expect(signedInFrom('RemedyJwt', '  ', NOW)).toBeNull();
    expect(signedInFrom('RemedyJwt', '<html><body>Login</body></html>', NOW)).toBeNull();
    expect(signedInFrom('RemedyJwt', jwt({ exp: NOW / 1000 - 1 }), NOW)).toBeNull();
  });

  it("OAuth2: the JSON answer's access_token as Bearer, for its expires_in", () => {
    expect(signedInFrom('OAuth2Password', '{"access_token":"tok-1","expires_in":600}', NOW)).toEqual({
      authorization: 'Bearer tok-1',
      expiresAt: NOW + 600_000 - 60_000,
    });
    expect(signedInFrom('OAuth2ClientCredentials', '{"access_token":""}', NOW)).toBeNull();
    expect(signedInFrom('OAuth2ClientCredentials', 'tok-1', NOW)).toBeNull();
    expect(signedInFrom('OAuth2ClientCredentials', 'null', NOW)).toBeNull();
  });
});
