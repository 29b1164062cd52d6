import { eventRefBase } from './webhook-events';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldProblems } from '@hookline/service-kit';
import { SEED_EXAMPLE } from '@hookline/testing';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-request.dto';
import { WebhookQueryDto } from './dto/webhook-query.dto';
import { parseEvents, parseOrder, parseWebhookQuery } from './webhook.query';
import {
  checkConditionSyntax,
  ConditionSyntaxError,
  crossFieldProblems,
  expressionValueProblem,
  impliedDialect,
  readOnlyProblems,
} from './webhook.rules';
import type { WebhookResponse } from './dto/webhook-response.dto';
import type { WebhookRecord } from './webhook.schema';

function problems(cls: new () => object, body: unknown) {
  return fieldProblems(
    validateSync(plainToInstance(cls, body) as object, { whitelist: true, forbidNonWhitelisted: true }),
  );
}

function conditionError(source: string): ConditionSyntaxError {
  try {
    checkConditionSyntax(source);
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return err;
    throw err;
  }
  throw new Error(`"${source}" parsed`);
}

describe('expression values fit their operator', () => {
  it.each([
    ['=', 10, undefined],
    ['changed-to', 'Done', undefined],
    ['=', undefined, /required/],
    ['=', [1], /string, number or boolean/],
    ['~', ['Defect', 'TestCase'], undefined],
    ['!~', [], /non-empty array/],
    ['~', 'Defect', /non-empty array/],
    ['~', [{ a: 1 }], /items/],
    ['has', undefined, undefined],
    ['changed', null, undefined],
    ['!has', 'x', /absent/],
  ])('%s with %j', (operator, value, expected) => {
    const problem = expressionValueProblem(operator, value);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('BMC condition syntax', () => {
  it('accepts the seed example and nested boolean logic', () => {
    expect(() =>
      checkConditionSyntax('${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$'),
    ).not.toThrow();
    expect(() =>
      checkConditionSyntax('NOT (${webhookContext.7} != 0 OR ${webhookContext.8} LIKE "%x%")'),
    ).not.toThrow();
  });

  it('points at the position of the error', () => {
    expect(conditionError('${webhookContext.4} = ').position).toBe(22);
    expect(conditionError('${webhookContext.4} "x"').position).toBe(20);
    expect(conditionError('${webhookContext.4} = "open').position).toBe(22);
    expect(conditionError('(${webhookContext.4} = 1').position).toBe(24);
    expect(conditionError('${other.4} = 1').position).toBe(0);
    expect(conditionError('${webhookContext.4} = 1 AND')).toMatchObject({
      position: 27,
      message: expect.stringMatching(/end of input/),
    });
  });
});

describe('query parameters', () => {
  it('parses Rally order clauses, case-insensitively, ascending by default', () => {
    expect(parseOrder('Name desc')).toEqual([['Name', -1]]);
    expect(parseOrder('Disabled desc,Name')).toEqual([
      ['Disabled', -1],
      ['Name', 1],
    ]);
    expect(parseOrder('appname ASC, ObjectUUID')).toEqual([
      ['AppName', 1],
      ['_id', 1],
    ]);
    expect(() => parseOrder('Expressions')).toThrow(/cannot sort/);
    expect(() => parseOrder('Name sideways')).toThrow(/asc or desc/);
  });

  it('maps BMC and Rally event names, caps the page size, and defaults paging', () => {
    expect(parseEvents('create,Updated,delete')).toEqual(['Created', 'Updated', 'Deleted']);
    expect(() => parseEvents('explode')).toThrow();
    expect(parseWebhookQuery({ pagesize: '500', isEnabled: 'false', name: 'a, b' })).toEqual({
      filter: { names: ['a', 'b'], disabled: true },
      sort: [],
      pageSize: 200,
      start: 1,
    });
    expect(
      problems(WebhookQueryDto, { pagesize: '0', start: 'x', order: 'Nope', isEnabled: 'yes' })
        .map((p) => p.field)
        .sort(),
    ).toEqual(['isEnabled', 'order', 'pagesize', 'start']);
  });
});

describe('webhook request validation', () => {
  it('accepts the seed example as it is', () => {
    expect(problems(CreateWebhookDto, SEED_EXAMPLE)).toEqual([]);
  });

  it('names every bad field of a create at once', () => {
    const fields = problems(CreateWebhookDto, {
      AppUrl: 'x',
      TargetUrl: 'ftp://nope',
      Expressions: [
        { AttributeName: 'A', AttributeID: 'b', Operator: '=~', Value: 1 },
        { Operator: 'has', Value: 3 },
      ],
      Security: 'has a "quote"',
      FireCount: 3,
    }).map((p) => p.field);
    expect(fields.sort()).toEqual(
      [
        'AppName',
        'Name',
        'TargetUrl',
        'Expressions.0.AttributeName',
        'Expressions.0.Operator',
        'Expressions.1.AttributeName',
        'Expressions.1.Value',
        'Security',
        'FireCount',
      ].sort(),
    );
  });

  it('lets a PATCH leave fields out but not null out the required ones', () => {
    expect(problems(UpdateWebhookDto, { Disabled: true })).toEqual([]);
    expect(problems(UpdateWebhookDto, { Name: null, Expressions: [] }).map((p) => p.field)).toEqual([
      'Name',
      'Expressions',
    ]);
    expect(problems(UpdateWebhookDto, { Security: null, Condition: null })).toEqual([]);
  });

  it('needs Expressions only when neither Events nor a Condition says when the webhook fires', () => {
    const { Expressions: _expressions, ...rest } = SEED_EXAMPLE;
    expect(problems(CreateWebhookDto, rest)).toEqual([
      { field: 'Expressions', reason: 'Expressions is required unless Events or Condition is given' },
    ]);
    // ChangeGear: modules and events. BMC: a record definition, events and a condition.
    expect(problems(CreateWebhookDto, { ...rest, ObjectTypes: ['Incident'], Events: ['Created'] })).toEqual([]);
    expect(problems(CreateWebhookDto, { ...rest, Condition: '${webhookContext.4} = $NULL$' })).toEqual([]);
    expect(problems(CreateWebhookDto, { ...rest, Events: ['Deleted'], Expressions: [] })).toEqual([]);
    expect(problems(CreateWebhookDto, { ...rest, Condition: null }).map((p) => p.field)).toEqual(['Expressions']);
    expect(problems(UpdateWebhookDto, { Expressions: [], Events: ['Updated'] })).toEqual([]);
  });

  it('checks each extension field', () => {
    const result = problems(CreateWebhookDto, {
      ...SEED_EXAMPLE,
      Events: ['Created', 'Exploded'],
      Condition: '${webhookContext.4} = ',
      Headers: { 'Bad Header': 'x', Host: 'evil', 'X-Ok': 'fine\r\nInjected: 1' },
      Authentication: { Type: 'Basic', Username: 'u', TokenUrl: 'https://t' },
      CommunicationMethod: 'pigeon',
      RetryPolicy: { MaxRetries: 99 },
    });
    expect(Object.fromEntries(result.map((p) => [p.field, p.reason]))).toEqual({
      Events: expect.stringMatching(/Exploded/),
      Condition: expect.stringMatching(/position 22/),
      Headers: expect.stringMatching(
        /Bad Header.*not a valid.*Host.*cannot be overridden.*X-Ok.*printable ASCII.*U\+000D/,
      ),
      'Authentication.Password': expect.stringMatching(/required with Type Basic/),
      'Authentication.TokenUrl': expect.stringMatching(/only used with Type OAuth2ClientCredentials/),
      CommunicationMethod: expect.stringMatching(/http, websocket/),
      'RetryPolicy.MaxRetries': expect.stringMatching(/0 to 10/),
    });
  });

  it('checks a sign-in and a fixed token by their own fields', () => {
    const authProblems = (Authentication: Record<string, unknown>) =>
      Object.fromEntries(
        problems(CreateWebhookDto, { ...SEED_EXAMPLE, Authentication }).map((p) => [p.field, p.reason]),
      );
    expect(authProblems({ Type: 'SignIn', Flow: 'Kerberos', SignInUrl: 'ftp://x', Username: 'u' })).toEqual({
      'Authentication.Flow': 'Flow must be one of: RemedyJwt, InnovationSuite, OAuth2Password',
      'Authentication.SignInUrl': expect.stringMatching(/http/),
      'Authentication.Password': 'Password is required with Type Basic or SignIn',
    });
    expect(authProblems({ Type: 'Token', Scheme: 'Bearer', Token: 't', Username: 'u' })).toEqual({
      'Authentication.Username': 'Username is only used with Type Basic or SignIn',
    });
    expect(authProblems({ Type: 'Token', Scheme: 'Digest' })).toEqual({
      'Authentication.Scheme': 'Scheme must be one of: Bearer, AR-JWT',
      'Authentication.Token': 'Token is required with Type Token',
    });
  });

  it('checks how OAuth2 client credentials reach the token URL, and only with that Type', () => {
    const authProblems = (Authentication: Record<string, unknown>) =>
      Object.fromEntries(
        problems(CreateWebhookDto, { ...SEED_EXAMPLE, Authentication }).map((p) => [p.field, p.reason]),
      );
    const oauth = { Type: 'OAuth2ClientCredentials', TokenUrl: 'https://t', ClientId: 'c', ClientSecret: 's' };
    for (const ClientAuthMethod of ['client_secret_basic', 'client_secret_post', null, undefined])
      expect(authProblems({ ...oauth, ClientAuthMethod })).toEqual({});
    expect(authProblems({ ...oauth, ClientAuthMethod: 'private_key_jwt' })).toEqual({
      'Authentication.ClientAuthMethod': 'ClientAuthMethod must be one of: client_secret_basic, client_secret_post',
    });
    expect(
      authProblems({ Type: 'Basic', Username: 'u', Password: 'p', ClientAuthMethod: 'client_secret_post' }),
    ).toEqual({ 'Authentication.ClientAuthMethod': 'ClientAuthMethod is only used with Type OAuth2ClientCredentials' });
  });

  it('checks rules spanning fields on the whole webhook', () => {
    expect(
      crossFieldProblems({
        CommunicationMethod: 'websocket',
        SharedSpace: null,
        headerNames: ['authorization'],
        hasAuthentication: true,
      }),
    ).toEqual([
      { field: 'SharedSpace', reason: expect.stringMatching(/required/) },
      { field: 'Headers.Authorization', reason: expect.stringMatching(/Authentication/) },
    ]);
    expect(
      crossFieldProblems({
        CommunicationMethod: 'http',
        SharedSpace: null,
        headerNames: ['Authorization'],
        hasAuthentication: false,
      }),
    ).toEqual([]);
  });
});

describe('dialects', () => {
  it("gives a body without one the dialect its Triggers or PayloadFormat imply, else Rally's", () => {
    expect(impliedDialect({})).toBe('rally');
    expect(impliedDialect({ Triggers: [{ ObjectType: 'Incident', Event: 'Created' }] })).toBe('changegear');
    expect(impliedDialect({ Triggers: [] })).toBe('rally');
    expect(impliedDialect({ PayloadFormat: 'ticket' })).toBe('changegear');
    expect(impliedDialect({ PayloadFormat: 'record' })).toBe('bmc');
  });

  it('refuses a Dialect other than the four, by name', () => {
    expect(problems(CreateWebhookDto, { ...SEED_EXAMPLE, Dialect: 'Rally' })).toEqual([
      { field: 'Dialect', reason: 'Dialect must be one of: rally, octane, bmc, changegear' },
    ]);
    expect(problems(UpdateWebhookDto, { Dialect: null })).toEqual([]);
  });
});

describe('read-only fields sent back', () => {
  const id = '51c8d135-a8ce-4bd2-9865-e3ec045cb47e';
  const shown = {
    ObjectUUID: id,
    _ref: `https://hookline.example/api/v2/webhook/${id}`,
    _type: 'webhook',
    _objectVersion: 3,
    CreationDate: '2016-06-23T20:54:26.978Z',
    SubscriptionID: 100,
    FireCount: 5,
    ErrorCount: 0,
    LastStatus: 200,
  } as unknown as WebhookResponse;
  const current = { _id: id, FireCount: 5 } as WebhookRecord;
  const check = (body: Record<string, unknown>) =>
    readOnlyProblems(plainToInstance(UpdateWebhookDto, body), current, shown).map((p) => p.field);

  it('ignores them as GET showed them, _ref under either prefix', () => {
    expect(check({ ...shown })).toEqual([]);
    expect(check({ ...shown, _ref: `https://other.example/apps/pigeon/api/v2/webhook/${id}` })).toEqual([]);
  });

  it('names each one changed', () => {
    expect(check({ ...shown, ObjectUUID: 'x', _objectVersion: 2, _ref: 'https://h/api/v2/webhook/y' })).toEqual([
      'ObjectUUID',
      '_ref',
      '_objectVersion',
    ]);
    expect(check({ FireCount: 6 })).toEqual(['FireCount']);
  });

  it('takes stats read before later deliveries as a stale copy, not a change', () => {
    expect(check({ FireCount: 4, ErrorCount: 1, LastStatus: 503 })).toEqual([]);
    expect(check({ FireCount: null, LastStatus: null })).toEqual([]);
    expect(check({ LastStatus: 503 })).toEqual(['LastStatus']);
  });

  it('refuses them outright in a create', () => {
    expect(problems(CreateWebhookDto, { ...SEED_EXAMPLE, FireCount: 0 })).toEqual([
      { field: 'FireCount', reason: 'FireCount is read-only' },
    ]);
    expect(problems(UpdateWebhookDto, { FireCount: 0 })).toEqual([]);
  });
});

describe("eventRefBase: the rule's _ref in payloads", () => {
  it('keeps the prefix the creating request used, under PUBLIC_BASE_URL when set', () => {
    const pigeon = { RefBase: 'http://10.0.0.5:8081/apps/pigeon/api/v2/webhook' };
    expect(eventRefBase(pigeon, 'https://hooks.example.com/')).toBe(
      'https://hooks.example.com/apps/pigeon/api/v2/webhook',
    );
    expect(eventRefBase(pigeon, undefined)).toBe(pigeon.RefBase);
  });

  it('gives webhooks stored before RefBase the /api/v2 path, absolute only under PUBLIC_BASE_URL', () => {
    expect(eventRefBase({ RefBase: null }, 'https://hooks.example.com')).toBe(
      'https://hooks.example.com/api/v2/webhook',
    );
    expect(eventRefBase({ RefBase: null }, undefined)).toBe('/api/v2/webhook');
  });
});
