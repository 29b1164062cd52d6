import { draftRules, emptyForm, fromWebhook, maskedLeft, parseValue, splitProblems, toBody, valueText } from './model';
import type { Webhook } from '../../lib/api';

describe('the webhook form model', () => {
  it('types expression values by operator: none, a list, or one scalar', () => {
    expect(parseValue('changed', 'x')).toBeUndefined();
    expect(parseValue('~', 'High, 3, true,')).toEqual(['High', 3, true]);
    expect(parseValue('>', ' 10 ')).toBe(10);
    expect(parseValue('=', '"10"')).toBe('10');
    expect(parseValue('=', 'Open')).toBe('Open');
  });

  it('shows values so that parsing them gives them back', () => {
    for (const value of ['10', 'true', 'Open', 10, false, ['a', 2]])
      expect(parseValue(Array.isArray(value) ? '~' : '=', valueText(value))).toEqual(value);
  });

  it('sends Expressions unless events say when it fires, and leaves untouched secrets out', () => {
    const values = { ...emptyForm(), Name: ' n ', TargetUrl: 'https://r.example/x' };
    expect(toBody(values)).toMatchObject({
      Name: 'n',
      Expressions: [],
      Headers: {},
      Authentication: null,
      RetryPolicy: {},
      CommunicationMethod: 'http',
      SharedSpace: null,
    });
    expect(toBody({ ...values, CommunicationMethod: 'websocket', SharedSpace: ' team-a ' }).SharedSpace).toBe('team-a');
    const evented = toBody({ ...values, Events: ['Created'] }, () => false);
    expect(evented).not.toHaveProperty('Expressions');
    expect(evented).not.toHaveProperty('Headers');
    expect(evented).not.toHaveProperty('Authentication');
    const basic = toBody({
      ...values,
      Authentication: { ...values.Authentication, Type: 'Basic', Username: 'u', Password: 'p' },
      RetryPolicy: { MaxRetries: 2, InitialDelayMs: '', BackoffMultiplier: '' },
    });
    expect(basic.Authentication).toEqual({ Type: 'Basic', Username: 'u', Password: 'p' });
    expect(basic.RetryPolicy).toEqual({ MaxRetries: 2 });
  });

  it('reads a webhook back into the form', () => {
    const webhook = {
      ...toBody(emptyForm()),
      Name: 'w',
      Events: [],
      Expressions: [{ AttributeName: 'Priority', Operator: '~', Value: ['High', 1] }],
      Headers: { 'X-Team': '****' },
      Authentication: { Type: 'Token', Scheme: 'Bearer', Token: '****' },
      RetryPolicy: { MaxRetries: 3 },
    } as unknown as Webhook;
    const form = fromWebhook(webhook);
    expect(form.Expressions).toEqual([{ AttributeName: 'Priority', Operator: '~', Value: 'High, 1' }]);
    expect(form.Headers).toEqual([{ name: 'X-Team', value: '****' }]);
    expect(form.Authentication).toMatchObject({ Type: 'Token', Token: '****' });
    expect(form.RetryPolicy).toEqual({ MaxRetries: 3, InitialDelayMs: '', BackoffMultiplier: '' });
  });

  it('asks again for masked secrets in a part that was changed, since it is saved whole', () => {
    const values = {
      ...emptyForm(),
      Headers: [
        { name: 'X-Old', value: 'abcd********wxyz' },
        { name: 'X-New', value: 'fresh' },
      ],
      Authentication: { ...emptyForm().Authentication, Type: 'Basic' as const, Username: 'u', Password: '********' },
    };
    expect(maskedLeft(values, () => false)).toEqual({});
    expect(Object.keys(maskedLeft(values, () => true))).toEqual(['Headers.0.value', 'Authentication.Password']);
  });

  it('puts each API problem at its field, the others at the top', () => {
    const known = (field: string) => ['TargetUrl', 'Expressions.0.Value'].includes(field);
    expect(
      splitProblems(
        [
          { field: 'TargetUrl', reason: 'must be a URL' },
          { field: 'Expressions.0.Value', reason: 'required' },
          { field: 'Triggers', reason: 'odd' },
        ],
        known,
      ),
    ).toEqual({ fields: { TargetUrl: 'must be a URL', 'Expressions.0.Value': 'required' }, other: ['Triggers: odd'] });
  });

  it('dry-runs only the filters, with values typed as a save would send them', () => {
    const values = {
      ...emptyForm(),
      Name: 'secretive',
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: ' Priority ', Operator: '>' as const, Value: '3' }],
      Condition: ' ',
      Headers: [{ name: 'X-Key', value: 'never sent' }],
    };
    expect(draftRules(values)).toEqual({
      ObjectTypes: ['Defect'],
      Events: undefined,
      Expressions: [{ AttributeName: 'Priority', Operator: '>', Value: 3 }],
      Condition: null,
    });
  });

  it('sends a BMC webhook’s field ids back as numbers, each stored field with its own type', () => {
    const bmc = fromWebhook({
      ...(emptyForm() as unknown as Webhook),
      Expressions: [],
      Headers: {},
      Authentication: null,
      RetryPolicy: {},
      Dialect: 'bmc',
      Fields: [2, '7', 536870913],
    } as unknown as Webhook);
    expect(bmc.Fields).toEqual(['2', '7', '536870913']);
    expect(toBody({ ...bmc, Fields: [...bmc.Fields, '8', 'Status'] }).Fields).toEqual([2, '7', 536870913, 8, 'Status']);
    // Other dialects name fields: digits typed there stay text.
    expect(toBody({ ...emptyForm(), Fields: ['8', 'Owner'] }).Fields).toEqual(['8', 'Owner']);
  });
});
