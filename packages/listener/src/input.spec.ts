import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeBody, createWebhookBody, parseExpression, parseHeaders, webhookFields } from './input';

function jsonFile(value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hookline-input-')), 'body.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('--where expressions', () => {
  it('reads attribute, operator and a typed value', () => {
    expect(parseExpression('Priority = High')).toEqual({ AttributeName: 'Priority', Operator: '=', Value: 'High' });
    expect(parseExpression('PlanEstimate >= 3')).toEqual({ AttributeName: 'PlanEstimate', Operator: '>=', Value: 3 });
    expect(parseExpression('Name changed-to Login fails')).toEqual({
      AttributeName: 'Name',
      Operator: 'changed-to',
      Value: 'Login fails',
    });
    expect(parseExpression('Tags ~ ["a","b"]')).toEqual({ AttributeName: 'Tags', Operator: '~', Value: ['a', 'b'] });
    expect(parseExpression('Owner has')).toEqual({ AttributeName: 'Owner', Operator: 'has' });
  });

  it('refuses an unknown operator, a missing value and a value where none belongs', () => {
    expect(() => parseExpression('Priority == High')).toThrow('--where takes "<attribute> <operator> [value]"');
    expect(() => parseExpression('Priority =')).toThrow('--where: = needs a value');
    expect(() => parseExpression('Owner has Ada')).toThrow('--where: has takes no value');
  });
});

describe('webhook bodies', () => {
  it('builds a create body from flags, defaulting the Rally-required AppName and AppUrl', () => {
    expect(
      createWebhookBody({
        name: 'On high',
        target: 'https://r.example/hook',
        objectType: ['Defect'],
        event: ['created', 'Updated'],
        where: ['Priority = High'],
        header: ['X-Team: blue'],
      }),
    ).toEqual({
      AppName: 'hookline CLI',
      AppUrl: 'hookline-cli',
      Name: 'On high',
      TargetUrl: 'https://r.example/hook',
      ObjectTypes: ['Defect'],
      Events: ['Created', 'Updated'],
      Expressions: [{ AttributeName: 'Priority', Operator: '=', Value: 'High' }],
      Headers: { 'X-Team': 'blue' },
    });
  });

  it('lets flags override the fields of --file', () => {
    const file = jsonFile({
      AppName: 'mine',
      AppUrl: 'x',
      Name: 'from file',
      TargetUrl: 'https://a/',
      Events: ['Deleted'],
    });
    expect(createWebhookBody({ file, name: 'from flag' })).toEqual({
      AppName: 'mine',
      AppUrl: 'x',
      Name: 'from flag',
      TargetUrl: 'https://a/',
      Events: ['Deleted'],
    });
  });

  it('says which required flags are missing, and which values are wrong', () => {
    expect(() => createWebhookBody({ name: 'x' })).toThrow('a webhook needs --target');
    expect(() => createWebhookBody({})).toThrow('a webhook needs --name and --target');
    expect(() => webhookFields({ event: ['Changed'] })).toThrow(
      '--event takes Created, Updated, Deleted, not "Changed"',
    );
    expect(() => webhookFields({ dialect: 'svix' })).toThrow('--dialect takes rally, octane, bmc, changegear');
    expect(() => parseHeaders(['no colon'])).toThrow('--header takes "Name: value"');
    expect(() => webhookFields({ file: jsonFile('[1]') })).toThrow('must hold a JSON object');
    expect(() => webhookFields({ file: jsonFile('{oops') })).toThrow('is not JSON');
    expect(() => webhookFields({ file: '/nonexistent/w.json' })).toThrow('cannot read /nonexistent/w.json: ENOENT');
  });

  it('updates only what is given; enable and shared space map to their fields', () => {
    expect(webhookFields({ enabled: false })).toEqual({ Disabled: true });
    expect(webhookFields({ sharedSpace: 'plant-3' })).toEqual({
      CommunicationMethod: 'websocket',
      SharedSpace: 'plant-3',
    });
  });
});

describe('change bodies', () => {
  it('builds a snapshot change from flags', () => {
    expect(
      changeBody({
        action: 'Updated',
        objectType: 'Defect',
        objectId: 'd-1',
        before: '{"P":"Low"}',
        after: '{"P":"High"}',
      }),
    ).toEqual({
      action: 'Updated',
      object_type: 'Defect',
      object_id: 'd-1',
      before: { P: 'Low' },
      after: { P: 'High' },
    });
  });

  it('sends a file as it is, an array too, and never beside flags', () => {
    const batch = [{ action: 'Created', object_type: 'Defect', object_id: 'd-1' }];
    expect(changeBody({ file: jsonFile(batch) })).toEqual(batch);
    expect(() => changeBody({ file: jsonFile(batch), action: 'Created' })).toThrow('either in --file or in flags');
  });

  it('names the missing flags and a bad JSON object', () => {
    expect(() => changeBody({ action: 'Created' })).toThrow('a change needs --object-type, --object-id');
    expect(() => changeBody({ action: 'Created', objectType: 'D', objectId: '1', after: '[]' })).toThrow(
      '--after takes a JSON object',
    );
  });
});
