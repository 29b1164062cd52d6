import {
  STREAMS,
  SUBJECTS,
  type PipelineRunStateRefused,
  type PipelineRunStateReply,
  type PipelineRunStateReport,
} from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { changesOf, IncomingHooksHarness, statusOf, waitFor } from '../../test/harness';

describe('runners report run states over NATS', () => {
  let h: IncomingHooksHarness;
  /** A runner's own connection, as a runner process would have. */
  let runner: NatsClient;
  let key: string;

  beforeAll(async () => {
    h = await IncomingHooksHarness.start({ RUN_OUTBOX_INTERVAL_MS: '300' }, { changeIngest: true });
    runner = await NatsClient.connect(h.infra.natsUrl, 'test-runner');
    key = await h.createKey(61);
  });

  afterAll(async () => {
    await runner?.close();
    await h?.stop();
  });

  const report = async (
    tenant: string,
    body: Partial<PipelineRunStateReport> | Record<string, unknown> | string,
  ): Promise<PipelineRunStateReply> => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    return (await runner.connection.request(SUBJECTS.runState(tenant), data, { timeout: 5_000 })).json();
  };

  /** A new queued run of a new pipeline of subscription 61. */
  async function queuedRun(): Promise<{ pipelineId: string; runId: string }> {
    const pipelineId = (await h.api('POST', '/pipelines', key, { name: 'shop' })).body.id as string;
    const hook = (
      await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, {
        name: 'deploy',
        requires_secret: false,
        action_type: 'deploy',
      })
    ).body as { url: string };
    const runId = (await h.call(hook.url, '{}')).body.run_id as string;
    return { pipelineId, runId };
  }

  it('records running and succeeded like the HTTP API, says what happened, and sends each change once', async () => {
    const { pipelineId, runId } = await queuedRun();
    const pipelinesBefore = (await runner.jsm.streams.info(STREAMS.PIPELINES.name)).state.messages;

    expect(await report('61', { pipelineId, runId, status: 'running' })).toEqual({
      result: 'changed',
      runId,
      pipelineId,
      status: 'running',
    });
    // A runner retrying a report it got no reply to changes nothing.
    expect(await report('61', { pipelineId, runId, status: 'running' })).toMatchObject({ result: 'unchanged' });
    expect(await report('61', { pipelineId, runId, status: 'succeeded', message: 'deployed in 42 s' })).toEqual({
      result: 'changed',
      runId,
      pipelineId,
      status: 'succeeded',
    });

    const run = (await h.api('GET', `/pipelines/${pipelineId}/runs/${runId}`, key)).body;
    expect(run).toMatchObject({ status: 'succeeded', message: 'deployed in 42 s', started_at: expect.any(String) });
    expect(run.history.map((e: { status: string }) => e.status)).toEqual(['queued', 'running', 'succeeded']);

    const sent = await waitFor(async () => {
      const found = await changesOf(h.nats, runId);
      return found.length >= 3 && found;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await changesOf(h.nats, runId)).toHaveLength(3);
    expect(sent.map((m) => [m.action, m.object_type, statusOf(m)])).toEqual([
      ['Created', 'PipelineRun', 'queued'],
      ['Updated', 'PipelineRun', 'running'],
      ['Updated', 'PipelineRun', 'succeeded'],
    ]);
    expect(sent[2]).toMatchObject({ tenant: '61', subscription_id: 61, message_id: `${runId}:3` });
    // The subject is outside PIPELINES on purpose: reports are not stored there as runs.
    expect((await runner.jsm.streams.info(STREAMS.PIPELINES.name)).state.messages).toBe(pipelinesBefore);
  });

  it('refuses bad reports with an error reply naming the field, and records nothing', async () => {
    const { pipelineId, runId } = await queuedRun();
    const fieldsOf = (reply: PipelineRunStateReply) => {
      expect(reply).toMatchObject({ error: 'VALIDATION_FAILED' });
      return [...new Set((reply as PipelineRunStateRefused).details.map((d) => d.field))].sort();
    };

    expect(fieldsOf(await report('61', '{not json'))).toEqual(['body']);
    expect(fieldsOf(await report('61', '["running"]'))).toEqual(['body']);
    expect(fieldsOf(await report('61', { status: 'paused' }))).toEqual(['pipelineId', 'runId', 'status']);
    expect(fieldsOf(await report('61', { pipelineId, runId, status: 'running', message: 7 }))).toEqual(['message']);
    expect(fieldsOf(await report('61', { pipelineId, runId, status: 'running', tenant: '62' }))).toEqual(['tenant']);
    expect(fieldsOf(await report('shop', { pipelineId, runId, status: 'running' }))).toEqual(['subject']);
    expect(fieldsOf(await report('0', { pipelineId, runId, status: 'running' }))).toEqual(['subject']);

    // The tenant is the subject's: another subscription's run is not found.
    expect(await report('62', { pipelineId, runId, status: 'running' })).toMatchObject({
      error: 'NOT_FOUND',
      message: `Run ${runId} not found`,
    });
    expect(await report('61', { pipelineId, runId: 'no-such-run', status: 'running' })).toMatchObject({
      error: 'NOT_FOUND',
    });
    const run = (await h.api('GET', `/pipelines/${pipelineId}/runs/${runId}`, key)).body;
    expect(run).toMatchObject({ status: 'queued', history: [expect.objectContaining({ status: 'queued' })] });

    expect(await report('61', { pipelineId, runId, status: 'failed' })).toMatchObject({ result: 'changed' });
    expect(await report('61', { pipelineId, runId, status: 'running' })).toEqual({
      error: 'CONFLICT',
      message: `Run ${runId}: a failed run cannot become running`,
      details: [],
    });
  });
});
