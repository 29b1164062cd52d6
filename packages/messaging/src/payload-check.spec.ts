import {
  ChangeMessage,
  DeliveryJob,
  DeliveryOutcome,
  DeliveryOutcomeBatch,
  opaqueFieldsOf,
  PipelineRunEvent,
  WebhookEvent,
} from '@hookline/contracts';
import { Transform } from 'class-transformer';
import { IsDefined, IsString, validateSync } from 'class-validator';
import { toInstance } from './consumer-runner';
import { compilePayloadCheck } from './payload-check';

const at = '2026-11-25T07:00:00.000Z';
const outcome: DeliveryOutcome = {
  deliveryId: 'm-1:w-1',
  tenant: '100',
  webhookId: 'w-1',
  kind: 'failed',
  attempt: 3,
  status: 500,
  latencyMs: 12,
  error: 'HTTP 500',
  errorKind: 'status',
  at,
  messageId: 'm-1',
  payload: { rule: {}, message: {} },
};
const spec = {
  TargetUrl: 'http://127.0.0.1:1/hook',
  CommunicationMethod: 'http',
  SharedSpace: null,
  Security: null,
  Headers: {},
  Authentication: null,
  SigningSecret: 'v1:sealed',
  RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
};
const valid: [new () => object, object][] = [
  [
    ChangeMessage,
    {
      message_id: 'm-1',
      message_version: 2,
      subscription_id: 100,
      tenant: '100',
      action: 'Updated',
      object_id: 'o-1',
      object_type: 'Defect',
      ref: 'https://rally/defect/1',
      state: { a: { value: 1, type: 'Integer', name: 'A', display_name: 'A', ref: null } },
      changes: {},
      ingested_at: at,
    },
  ],
  [
    DeliveryJob,
    {
      deliveryId: 'm-1:w-1',
      tenant: '100',
      webhookId: 'w-1',
      messageId: 'm-1',
      spec,
      body: new TextEncoder().encode('{}'),
      createdAt: at,
    },
  ],
  [DeliveryOutcome, outcome],
  [DeliveryOutcomeBatch, { outcomes: [outcome, { ...outcome, kind: 'success', payload: undefined }] }],
  [WebhookEvent, { kind: 'deleted', tenant: '100', webhookId: 'w-1', objectVersion: 2 }],
  [WebhookEvent, { kind: 'updated', tenant: '100', webhookId: 'w-1', objectVersion: 3, webhook: { Name: 'w' }, spec }],
  [
    PipelineRunEvent,
    { runId: 'r-1', tenant: '100', pipelineId: 'p-1', hookId: 'h-1', status: 'queued', variables: {}, at },
  ],
];

const fullPathErrors = (cls: new () => object, value: unknown) =>
  validateSync(toInstance(cls, value, opaqueFieldsOf(cls))).length;

/** The value with one field (at any depth) missing, null, or of another type. */
function* mutations(value: unknown): Generator<unknown> {
  if (typeof value !== 'object' || value === null) return;
  const replacements = [undefined, null, '', 0, 1.5, -1, 'text', {}, [], [{}], true, '2026-13-45'];
  for (const key of Object.keys(value)) {
    for (const replacement of replacements)
      yield Array.isArray(value)
        ? value.map((v, i) => (String(i) === key ? replacement : v))
        : { ...value, [key]: replacement };
    for (const inner of mutations((value as Record<string, unknown>)[key]))
      yield Array.isArray(value) ? value.map((v, i) => (String(i) === key ? inner : v)) : { ...value, [key]: inner };
  }
}

describe('compilePayloadCheck', () => {
  it.each(valid.map(([cls, value]) => [cls.name, cls, value] as const))(
    'accepts a valid %s, which class-validator accepts too',
    (_name, cls, value) => {
      const check = compilePayloadCheck(cls);
      expect(check).not.toBeNull();
      expect(fullPathErrors(cls, value)).toBe(0);
      expect(check!(value)).toBe(true);
    },
  );

  it.each(valid.map(([cls, value]) => [cls.name, cls, value] as const))(
    'accepts no one-field fault of a %s that class-validator rejects, and agrees on nearly all',
    (_name, cls, value) => {
      const check = compilePayloadCheck(cls)!;
      let judged = 0;
      let agreed = 0;
      for (const mutated of mutations(value)) {
        const accepted = fullPathErrors(cls, mutated) === 0;
        if (check(mutated)) expect({ mutated, accepted }).toEqual({ mutated, accepted: true });
        judged++;
        // It may be stricter (an array holding undefined): the full path then has the last word.
        if (check(mutated) === accepted) agreed++;
      }
      expect(judged).toBeGreaterThan(40);
      expect(agreed / judged).toBeGreaterThan(0.95);
    },
  );

  it('accepts a DeliveryJob still carrying `target`, as jobs queued before its removal do', () => {
    const [, job] = valid.find(([cls]) => cls === DeliveryJob)!;
    const queuedBefore = { ...job, target: { url: 'http://127.0.0.1:1/hook', communicationMethod: 'http' } };
    expect(compilePayloadCheck(DeliveryJob)!(queuedBefore)).toBe(true);
    expect(fullPathErrors(DeliveryJob, queuedBefore)).toBe(0);
  });

  it('rejects what is not an object', () => {
    const check = compilePayloadCheck(DeliveryOutcome)!;
    for (const value of [null, 'text', 42, [outcome]]) expect(check(value)).toBe(false);
  });

  it('leaves classes it does not model to the full path', () => {
    class Transformed {
      @Transform(({ value }) => String(value).trim()) @IsString() name: string;
    }
    class Defined {
      @IsDefined() name: string;
    }
    class Initialised {
      @IsString() name = 'default';
    }
    class Bare {
      name: string;
    }
    for (const cls of [Transformed, Defined, Initialised, Bare]) expect(compilePayloadCheck(cls)).toBeNull();
  });
});
