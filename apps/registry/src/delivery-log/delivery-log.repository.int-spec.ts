import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { startTestInfra, type TestInfra } from '@hookline/testing';
import { DeliveryLogModule } from './delivery-log.module';
import { DeliveryLogRepository } from './delivery-log.repository';
import type { AttemptRecord } from './delivery-log.schema';

const attempt = (n: number, detail: Pick<AttemptRecord, 'Request' | 'Response'>): AttemptRecord => ({
  _id: `2024-01-01T00:00:0${n}.000Z|d-${n}#1`,
  SubscriptionID: 7,
  WebhookID: 'w-1',
  DeliveryID: `d-${n}`,
  Attempt: 1,
  Kind: 'success',
  Status: 200,
  LatencyMs: 12,
  Error: null,
  At: new Date(`2024-01-01T00:00:0${n}.000Z`),
  TraceID: null,
  ErrorKind: null,
  ...detail,
});

describe('DeliveryLogRepository: the attempt log', () => {
  let infra: TestInfra;
  let module: TestingModule;
  let connection: Connection;
  let repository: DeliveryLogRepository;

  beforeAll(async () => {
    infra = await startTestInfra();
    module = await Test.createTestingModule({
      imports: [MongooseModule.forRoot(infra.mongoUrl), DeliveryLogModule],
    }).compile();
    connection = module.get<Connection>(getConnectionToken());
    repository = module.get(DeliveryLogRepository);
  });

  afterAll(async () => {
    await module?.close();
    await infra?.stop();
  });

  it('gives back each attempt as it was recorded: request, response, or neither', async () => {
    const sent = attempt(1, {
      Request: {
        Url: 'https://r.example/hook',
        Headers: { 'content-type': 'application/json', authorization: '********' },
        BodyExcerpt: null,
      },
      Response: { Headers: {}, BodyExcerpt: '' },
    });
    const notSent = attempt(2, { Request: null, Response: null });
    expect((await repository.recordAttempts([sent, notSent])).created).toEqual(new Set([sent._id, notSent._id]));

    const page = await repository.listAttempts(7, 'w-1', 0, 10);
    expect(page).toEqual({ items: [notSent, sent], total: 2 });
  });

  it('reads entries stored before the request and response were kept as text', async () => {
    const before = attempt(3, {
      Request: { Url: 'https://r.example/old', Headers: { 'webhook-id': 'msg_1' }, BodyExcerpt: '{"a":1}' },
      Response: { Headers: { 'content-type': 'text/plain' }, BodyExcerpt: 'thanks' },
    });
    await connection.db!.collection('delivery_attempts').insertOne({ ...before, WebhookID: 'w-old' } as object);

    expect((await repository.listAttempts(7, 'w-old', 0, 10)).items).toEqual([{ ...before, WebhookID: 'w-old' }]);
  });
});
