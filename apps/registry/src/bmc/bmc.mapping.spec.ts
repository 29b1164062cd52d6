import 'reflect-metadata';
import { fieldProblems } from '@hookline/service-kit';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BmcWebhookDefinitionDto } from './bmc-definition.dto';
import { inBmcTerms, webhookBodyOf } from './bmc.mapping';

const definition = (callback: Record<string, unknown> = {}) =>
  plainToInstance(BmcWebhookDefinitionDto, {
    name: 'Samplewebhook',
    event: { recordDefinitionName: 'com.example.taskmanager:Task', recordEvents: ['create', 'delete'] },
    callback: { url: 'https://receiver.example/hook', ...callback },
  });

describe('webhookBodyOf', () => {
  it("maps BMC's fields onto a webhook of BMC's dialect, includeAllFields false by default, field ids as given", () => {
    const { body, problems } = webhookBodyOf(definition({ payloadFieldIds: [2, '7'], headers: { secret: 'abc' } }));
    expect(problems).toEqual([]);
    expect(body).toEqual({
      AppName: 'BMC Helix Innovation Studio',
      AppUrl: 'https://receiver.example/hook',
      Name: 'Samplewebhook',
      TargetUrl: 'https://receiver.example/hook',
      ObjectTypes: ['com.example.taskmanager:Task'],
      Events: ['Created', 'Deleted'],
      IncludeAllFields: false,
      Fields: [2, '7'],
      Dialect: 'bmc',
      Headers: { secret: 'abc' },
    });
  });

  it('keeps a blank condition out, and refuses a Content-Type other than JSON by its place in the list', () => {
    const dto = definition({
      authentication: {
        resourceType: 'com.bmc.arsys.rx.services.webapi.domain.BasicAuthenticationType',
        username: 'admin',
        credentials: 'pw',
        httpHeaders: [
          { key: 'X-Requested-By', value: 'XMLHttpRequest' },
          { key: 'content-type', value: 'text/plain' },
        ],
      },
    });
    dto.event.condition = '  ';
    const { body, problems } = webhookBodyOf(dto);
    expect(body).not.toHaveProperty('Condition');
    expect(body.Headers).toEqual({ 'X-Requested-By': 'XMLHttpRequest' });
    expect(body.Authentication).toEqual({ Type: 'Basic', Username: 'admin', Password: 'pw' });
    expect(problems).toEqual([
      { field: 'callback.authentication.httpHeaders[1]', reason: 'Content-Type is always application/json' },
    ]);
  });
});

describe('webhookBodyOf: sign-ins', () => {
  const AUTH = 'com.bmc.arsys.rx.services.webapi.domain.';
  const authenticationOf = (authentication: Record<string, unknown>) =>
    webhookBodyOf(definition({ authentication })).body.Authentication;

  it('Native and Remedy sign in at the callback server unless loginPath is an absolute URL', () => {
    expect(
      authenticationOf({ resourceType: `${AUTH}NativeAuthenticationType`, username: 'a', credentials: 'b' }),
    ).toEqual({
      Type: 'SignIn',
      Flow: 'InnovationSuite',
      SignInUrl: 'https://receiver.example/api/rx/authentication/loginrequest',
      Username: 'a',
      Password: 'b',
    });
    const remedy = { resourceType: `${AUTH}RemedyAuthenticationType`, username: 'a', credentials: 'b' };
    expect(authenticationOf(remedy)).toMatchObject({
      Flow: 'RemedyJwt',
      SignInUrl: 'https://receiver.example/api/jwt/login',
    });
    expect(authenticationOf({ ...remedy, loginPath: 'http://ar.example:8008/api/jwt/login' })).toMatchObject({
      SignInUrl: 'http://ar.example:8008/api/jwt/login',
    });
  });

  it('Remedy and RSSO: credentials win over an access token; the token alone is sent as it is', () => {
    const remedy = { resourceType: `${AUTH}RemedyAuthenticationType`, accessToken: 'tok' };
    expect(authenticationOf(remedy)).toEqual({ Type: 'Token', Scheme: 'AR-JWT', Token: 'tok' });
    expect(authenticationOf({ ...remedy, username: 'a', credentials: 'b' })).toMatchObject({ Type: 'SignIn' });
    const rsso = { resourceType: `${AUTH}RSSOAuthenticationType`, accessToken: 'tok' };
    expect(authenticationOf(rsso)).toEqual({ Type: 'Token', Scheme: 'Bearer', Token: 'tok' });
    expect(
      authenticationOf({
        ...rsso,
        loginName: 'j',
        credentials: 'b',
        tokenPath: 'https://sso.example/rsso/oauth2/token',
      }),
    ).toEqual({
      Type: 'SignIn',
      Flow: 'OAuth2Password',
      SignInUrl: 'https://sso.example/rsso/oauth2/token',
      Username: 'j',
      Password: 'b',
    });
  });

  it('OAuth2: tokenFetchMechanism 0 or absent sends the client in Basic, 1 posts it in the form', () => {
    const oauth = {
      resourceType: `${AUTH}OAuth2ClientCredentials`,
      username: 'client-1',
      credentials: 's3cret',
      tokenPath: 'https://sso.example.com/oauth/token',
    };
    expect(authenticationOf(oauth)).toEqual({
      Type: 'OAuth2ClientCredentials',
      TokenUrl: 'https://sso.example.com/oauth/token',
      ClientId: 'client-1',
      ClientSecret: 's3cret',
      ClientAuthMethod: 'client_secret_basic',
    });
    for (const basic of [0, '0', null])
      expect(authenticationOf({ ...oauth, tokenFetchMechanism: basic })).toMatchObject({
        ClientAuthMethod: 'client_secret_basic',
      });
    for (const formPost of [1, '1'])
      expect(authenticationOf({ ...oauth, tokenFetchMechanism: formPost })).toMatchObject({
        ClientAuthMethod: 'client_secret_post',
      });
  });

  it('refuses a tokenFetchMechanism other than 0 or 1, by its place in the definition', () => {
    const problemsOf = (tokenFetchMechanism: unknown) =>
      fieldProblems(
        validateSync(
          definition({
            authentication: {
              resourceType: `${AUTH}OAuth2ClientCredentials`,
              username: 'client-1',
              credentials: 's3cret',
              tokenPath: 'https://sso.example.com/oauth/token',
              tokenFetchMechanism,
            },
          }),
        ),
      );
    for (const invalid of [2, -1, 0.5, true, 'basic', '', [1]])
      expect(problemsOf(invalid)).toEqual([
        {
          field: 'callback.authentication.tokenFetchMechanism',
          reason: 'tokenFetchMechanism must be 0 (basic auth) or 1 (form post)',
        },
      ]);
    expect(problemsOf(1)).toEqual([]);
  });

  it('names each missing field, and a token path that resolves to no http(s) URL', () => {
    const { problems } = webhookBodyOf(
      definition({ authentication: { resourceType: `${AUTH}RemedyAuthenticationType`, username: 'a' } }),
    );
    expect(problems).toEqual([
      {
        field: 'callback.authentication.credentials',
        reason: 'credentials is required with RemedyAuthenticationType unless accessToken is given',
      },
    ]);
    const relative = webhookBodyOf(
      definition({
        authentication: {
          resourceType: `${AUTH}RSSOAuthenticationType`,
          loginName: 'j',
          credentials: 'b',
          tokenPath: '/rsso/oauth2/token',
        },
      }),
    );
    expect(relative.problems).toEqual([
      {
        field: 'callback.authentication.tokenPath',
        reason: 'tokenPath must be an absolute http(s) URL, or a path with authServerEndpoint an absolute http(s) URL',
      },
    ]);
  });
});

describe('inBmcTerms', () => {
  it('names a Hookline field as the BMC field it came from, in the reason too', () => {
    expect(inBmcTerms({ field: 'Events', reason: 'Events may only contain: Created (got X)' })).toEqual({
      field: 'event.recordEvents',
      reason: 'event.recordEvents may only contain: Created (got X)',
    });
    expect(inBmcTerms({ field: 'Authentication.Password', reason: 'Password must be a non-empty string' })).toEqual({
      field: 'callback.authentication.credentials',
      reason: 'callback.authentication.credentials must be a non-empty string',
    });
    expect(inBmcTerms({ field: 'Headers.Host', reason: 'is set by Hookline and cannot be overridden' })).toEqual({
      field: 'callback.headers.Host',
      reason: 'is set by Hookline and cannot be overridden',
    });
  });
});
