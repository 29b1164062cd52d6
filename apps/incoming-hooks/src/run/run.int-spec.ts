import { randomBytes } from 'node:crypto';
import { changesOf, IncomingHooksHarness, statusOf, waitFor } from '../../test/harness';

describe('pipeline run states reach change-ingest as PipelineRun changes', () => {
  let h: IncomingHooksHarness;
  let key: string;

  beforeAll(async () => {
    h = await IncomingHooksHarness.start({ RUN_OUTBOX_INTERVAL_MS: '300' }, { changeIngest: true });
    key = await h.createKey(51);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const changes = (runId: string) => changesOf(h.nats, runId);

  it('sends queued, running and succeeded in order, each once, with the run as before/after state', async () => {
    const pipelineId = (await h.api('POST', '/pipelines', key, { name: 'shop' })).body.id as string;
    const hook = (
      await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, {
        name: 'deploy',
        requires_secret: false,
        action_type: 'deploy',
        settings: { variables: [{ name: 'ref', path: 'ref', type: 'string', required: true }] },
      })
    ).body as { url: string };
    const runId = (await h.call(hook.url, JSON.stringify({ ref: 'main' }))).body.run_id as string;
    await waitFor(async () => (await changes(runId)).length === 1);

    const runner = await h.createKey(51, ['integration']);
    const report = (status: string, message?: string) =>
      h.api('POST', `/pipelines/${pipelineId}/runs/${runId}/state`, runner, { status, message });
    expect((await report('running')).body).toMatchObject({
      id: runId,
      status: 'running',
      started_at: expect.any(String),
    });
    expect((await report('running')).status).toBe(200);
    expect((await report('succeeded', 'deployed in 42 s')).body).toMatchObject({
      status: 'succeeded',
      message: 'deployed in 42 s',
    });
    const late = await report('failed');
    expect([late.status, late.body.error]).toEqual([409, 'CONFLICT']);
    expect((await report('paused')).status).toBe(400);

    const sent = await waitFor(async () => {
      const found = await changes(runId);
      return found.length >= 3 && found;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await changes(runId)).toHaveLength(3);
    expect(sent.map((m) => [m.action, m.object_type, statusOf(m)])).toEqual([
      ['Created', 'PipelineRun', 'queued'],
      ['Updated', 'PipelineRun', 'running'],
      ['Updated', 'PipelineRun', 'succeeded'],
    ]);
    expect(sent[2]).toMatchObject({ tenant: '51', subscription_id: 51, message_id: `${runId}:3` });
    const statusChange = Object.values(sent[2]!.changes).find((c) => c.name === 'Status');
    expect(statusChange).toMatchObject({ value: 'succeeded', old_value: 'running' });
    const run = (await h.api('GET', `/pipelines/${pipelineId}/runs/${runId}`, key)).body;
    expect(run.history.map((e: { status: string }) => e.status)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('keeps changes while change-ingest is away and sends them when it is back', async () => {
    const pipelineId = (await h.api('POST', '/pipelines', key, { name: 'later' })).body.id as string;
    const hook = (
      await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, {
        name: 'h',
        requires_secret: false,
        action_type: 'deploy',
      })
    ).body as { url: string };
    await h.ingest?.close();
    const runId = (await h.call(hook.url, '{}')).body.run_id as string;
    expect(
      (
        await h.api('POST', `/pipelines/${pipelineId}/runs/${runId}/state`, key, {
          status: 'failed',
          message: randomBytes(4).toString('hex'),
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await changes(runId)).toHaveLength(0);
    await h.startChangeIngest();
    const sent = await waitFor(async () => {
      const found = await changes(runId);
      return found.length >= 2 && found;
    });
    expect(sent.map(statusOf)).toEqual(['queued', 'failed']);
  });
});
