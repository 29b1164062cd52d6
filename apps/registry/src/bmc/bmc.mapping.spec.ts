import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { BmcWebhookDefinitionDto } from './bmc-definition.dto';
import { inBmcTerms, webhookBodyOf } from './bmc.mapping';

const definition = (callback: Record<string, unknown> = {}) =>
  plainToInstance(BmcWebhookDefinitionDto, {
    name: 'Samplewebhook',
    event: { recordDefinitionName: 'com.example.taskmanager:Task', recordEvents: ['create', 'delete'] },
    callback: { url: 'https://receiver.example/hook', ...callback },
  });

describe('webhookBodyOf', () => {
  it("maps BMC's fields onto a webhook sending BMC's flat record, includeAllFields false by default", () => {
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
      Fields: ['2', '7'],
      PayloadFormat: 'record',
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
