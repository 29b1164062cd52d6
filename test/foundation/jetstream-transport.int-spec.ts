import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { IsIn, IsInt, IsNotEmpty, IsString } from 'class-validator';
import {
  JetStreamContext,
  JetStreamEvent,
  JetStreamPublisher,
  MessagingModule,
  NatsClient,
  NatsRequestContext,
  nakAfter,
  term,
  type Disposition,
} from '@hookline/messaging';
import { BaseServiceConfig, HooklineError, ServiceKitModule } from '@hookline/service-kit';
import { metricSamples, startApp, startTestInfra, waitFor, type RunningApp, type TestInfra } from '@hookline/testing';

class TransportConfig extends BaseServiceConfig {
  override PORT = 0;
  @IsString() @IsNotEmpty() NATS_URL: string;
}

const ACTIONS = ['ack', 'nak', 'term', 'throw', 'slow'] as const;

class Job {
  @IsString() id: string;
  @IsIn(ACTIONS) action: (typeof ACTIONS)[number];
  @IsInt() n: number;
}

/** Each call of a handler: the job's id and the delivery count, when it started and ended. */
interface Call {
  id: string;
  deliveryCount: number;
  at: number;
  done?: number;
}
const calls: Call[] = [];
const bareCalls: string[] = [];
const callsOf = (id: string) => calls.filter((call) => call.id === id);

const SLOW_MS = 1_500;

/** Jobs say what their handler does with them; the transport carries it out. */
@Controller()
class JobsController {
  @JetStreamEvent({
    stream: 'CHANGES',
    durable: 'transport-jobs',
    filterSubject: 'changes.jobs.>',
    payload: Job,
    ackWaitMs: 1_000,
  })
  async handle(@Payload() job: Job, @Ctx() context: JetStreamContext): Promise<Disposition | void> {
    const call: Call = { id: job.id, deliveryCount: context.deliveryCount, at: Date.now() };
    calls.push(call);
    const first = context.deliveryCount === 1;
    switch (job.action) {
      case 'ack':
        return;
      case 'nak':
        return first ? nakAfter(300) : undefined;
      case 'term':
        return term('the job asked for it');
      case 'throw':
        if (first) throw new Error('transient failure');
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
        call.done = Date.now();
        return;
    }
  }

  // Nest's own decorator with the consumer in its extras: the pattern becomes the durable's filter.
  @EventPattern('changes.bare.>', { stream: 'CHANGES', durable: 'transport-bare' })
  bare(@Payload() job: { id: string }): void {
    bareCalls.push(job.id);
  }

  @MessagePattern('transport.requests.*')
  answer(@Payload() body: { fail?: string; n?: number }, @Ctx() context: NatsRequestContext): object {
    if (body.fail === 'validation') throw HooklineError.validation([{ field: 'n', reason: 'must be positive' }]);
    if (body.fail === 'crash') throw new Error('handler bug');
    return { subject: context.subject, doubled: (body.n ?? 0) * 2 };
  }
}

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'transport-spec', config: TransportConfig }),
    MessagingModule.forRoot({ config: TransportConfig, url: (c) => c.NATS_URL, streams: ['CHANGES'] }),
  ],
  controllers: [JobsController],
})
class TransportModule {}

describe('JetStreamServer: @EventPattern handlers as durable pull consumers, @MessagePattern as request/reply', () => {
  let infra: TestInfra;
  let app: RunningApp;
  let publisher: JetStreamPublisher;

  const start = () => startApp({ service: 'transport-spec', module: TransportModule }, { NATS_URL: infra.natsUrl });
  const publish = (id: string, action: Job['action'] | 'bad', subject = `changes.jobs.${id}`) =>
    publisher.publish(subject, { id, action, n: 1 }, { msgId: id });
  const request = async (subject: string, body: string) => {
    const reply = await app.app.get(NatsClient).connection.request(subject, body, { timeout: 5_000 });
    return reply.json<Record<string, unknown>>();
  };
  const handled = async (result: string) =>
    metricSamples(await (await fetch(`${app.baseUrl}/metrics`)).text(), 'hookline_messages_handled_total').find(
      ({ labels }) => labels.durable === 'transport-jobs' && labels.result === result,
    )?.value ?? 0;

  beforeAll(async () => {
    infra = await startTestInfra();
    app = await start();
    publisher = app.app.get(JetStreamPublisher);
  });

  afterAll(async () => {
    await app?.close();
    await infra?.stop();
  });

  it('hands a valid message to its handler once and acks it', async () => {
    await publish('a-1', 'ack');
    await waitFor(() => callsOf('a-1').length === 1, 10_000);
    // Past the ack wait: an unacked message would be back by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(callsOf('a-1').map((call) => call.deliveryCount)).toEqual([1]);
  });

  it('redelivers a message nak’ed with a delay, after that delay', async () => {
    await publish('n-1', 'nak');
    await waitFor(() => callsOf('n-1').length === 2, 10_000);
    const [first, second] = callsOf('n-1');
    expect([first.deliveryCount, second.deliveryCount]).toEqual([1, 2]);
    expect(second.at - first.at).toBeGreaterThanOrEqual(250);
  });

  it('redelivers a message whose handler threw', async () => {
    await publish('x-1', 'throw');
    await waitFor(() => callsOf('x-1').length === 2, 10_000);
    expect(callsOf('x-1').map((call) => call.deliveryCount)).toEqual([1, 2]);
  });

  it('never hands out again a terminated message, nor an invalid payload (which never reaches the handler)', async () => {
    const termedBefore = await handled('term');
    await publish('t-1', 'term');
    await publish('bad-1', 'bad');
    await waitFor(async () => (await handled('term')) - termedBefore === 2, 10_000);
    // Two ack waits and more: a term the server ignored would have brought them back.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(callsOf('t-1').map((call) => call.deliveryCount)).toEqual([1]);
    expect(callsOf('bad-1')).toEqual([]);
    expect((await handled('term')) - termedBefore).toBe(2);
  });

  it('runs a bare @EventPattern(subject, { stream, durable }) as a durable filtered on its subject', async () => {
    await publish('b-1', 'ack', 'changes.bare.b-1');
    await waitFor(() => bareCalls.includes('b-1'), 10_000);
    expect(bareCalls).toEqual(['b-1']);
    // The jobs' durable does not see it.
    expect(callsOf('b-1')).toEqual([]);
  });

  it('answers a @MessagePattern request with the handler’s return value', async () => {
    expect(await request('transport.requests.7', JSON.stringify({ n: 21 }))).toEqual({
      subject: 'transport.requests.7',
      doubled: 42,
    });
  });

  it('answers a refused request with the HTTP error body, and a failed one with UNAVAILABLE', async () => {
    expect(await request('transport.requests.7', JSON.stringify({ fail: 'validation' }))).toEqual({
      error: 'VALIDATION_FAILED',
      message: 'The request is invalid',
      details: [{ field: 'n', reason: 'must be positive' }],
    });
    expect(await request('transport.requests.7', '{not json')).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'body', reason: 'is not valid JSON' }],
    });
    expect(await request('transport.requests.7', JSON.stringify({ fail: 'crash' }))).toEqual({
      error: 'UNAVAILABLE',
      message: 'Not carried out; send again',
      details: [],
    });
  });

  it('lets a running handler finish before the app closes, and the next instance picks up from there', async () => {
    await publish('s-1', 'slow');
    await waitFor(() => callsOf('s-1').length === 1, 10_000);
    await app.close();
    const [slow] = callsOf('s-1');
    expect(slow.done).toBeDefined();

    app = await start();
    publisher = app.app.get(JetStreamPublisher);
    await publish('a-2', 'ack');
    await waitFor(() => callsOf('a-2').length === 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The slow job was acked before the close: the new instance did not get it again.
    expect(callsOf('s-1')).toHaveLength(1);
  });
});
