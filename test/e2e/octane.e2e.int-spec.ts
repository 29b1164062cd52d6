/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Receiver, waitFor, type ReceivedRequest } from '@hookline/testing';
import { E2eStack, type Tenant } from './e2e-stack';

const LISTENER_CLI = join(__dirname, '..', '..', 'packages', 'listener', 'dist', 'cli.js');

/** Attribute name → entry of a payload's `state` or `changes` map (keyed by attribute id). */
function byName(map: Record<string, any>): Record<string, any> {
  return Object.fromEntries(Object.values(map).map((entry) => [entry.name, entry]));
}

/**
 * ALM Octane trigger webhooks as an Octane admin sets them up: create/update/delete rules with
 * basic fields or chosen Fields, before/after changes, basic authentication, the HTTP policy
 * (WEBHOOK_ALLOW_HTTP on the standard port only, WEBHOOK_REQUEST_TIMEOUT), and the WebSocket
 * communication method through the real `hookline listen` CLI.
 */
describe('seed: ALM Octane trigger webhooks on the whole stack', () => {
  let e2e: E2eStack;
  /** The one port plain HTTP may use here, as port 80 is in Octane's default. */
  let standard: Receiver;
  let octane: Tenant;
  let listener: ChildProcess | undefined;
  const listenerLines: string[] = [];

  beforeAll(async () => {
    standard = await Receiver.start();
    e2e = await E2eStack.start({
      serviceEnv: {
        dispatcher: { WEBHOOK_HTTP_PORTS: String(standard.port), WEBHOOK_REQUEST_TIMEOUT: '1000' },
      },
    });
    octane = await e2e.tenant(1001);
  }, 120_000);

  afterAll(async () => {
    listener?.kill('SIGINT');
    await e2e?.stop();
    await standard?.stop();
  });

  const rule = (name: string, extra: Record<string, unknown>) =>
    octane.registry.request('POST', '/api/v2/webhook', {
      AppName: 'ALM Octane',
      AppUrl: 'www.example.com',
      Name: name,
      ObjectTypes: ['defect'],
      TargetUrl: standard.url(`/${name}`),
      ...extra,
    });
  const defect = (action: string, id: string, before?: object, after?: object) =>
    octane.ingest.request('POST', '/api/v2/changes', {
      action,
      object_type: 'defect',
      object_id: id,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
    });
  const one = async (receiver: Receiver, path: string, count = 1): Promise<ReceivedRequest[]> =>
    waitFor(() => receiver.at(path).length >= count && receiver.at(path), 20_000);

  it('sends basic fields on create and delete, before/after changes on update, and the chosen Fields', async () => {
    // IncludeAllFields false: Octane's default payload, basic fields (plus before/after changes on update).
    const basic = await rule('basic', { Events: ['Created', 'Updated', 'Deleted'], IncludeAllFields: false });
    expect(basic.status).toBe(200);
    const withFields = await rule('with-fields', {
      Events: ['Updated'],
      // Fields narrows the whole record to the basic fields plus these (UDFs too), changed or not.
      Fields: ['severity', 'udf_customer_l'],
      Authentication: { Type: 'Basic', Username: 'octane', Password: 's3cret!' },
    });
    expect(withFields.status).toBe(200);
    expect(JSON.stringify(withFields.body)).not.toContain('s3cret!');
    // Octane's own defaults: id and type, plus before/after on update; Fields adds to that.
    const dialect = await rule('octane-dialect', {
      Dialect: 'octane',
      Events: ['Created', 'Updated', 'Deleted'],
      Fields: ['severity'],
    });
    expect(dialect.body).toMatchObject({ Dialect: 'octane', IncludeAllFields: false, PayloadFormat: 'rally' });
    await e2e.indexed(3);

    const fields = { id: 'D-7', type: 'defect', name: 'Login fails', severity: 'high', udf_customer_l: 'ACME' };
    expect((await defect('Created', 'D-7', undefined, fields)).status).toBe(202);
    const [created] = await one(standard, '/basic');
    expect(Object.keys(byName(JSON.parse(created.body).message.state)).sort()).toEqual(['id', 'type']);

    expect(
      (await defect('Updated', 'D-7', fields, { ...fields, severity: 'critical', name: 'Login fails!' })).status,
    ).toBe(202);
    const [, updated] = await one(standard, '/basic', 2);
    const changes = byName(JSON.parse(updated.body).message.changes);
    expect(changes.severity).toMatchObject({ old_value: 'high', value: 'critical' });
    expect(changes.name).toMatchObject({ old_value: 'Login fails', value: 'Login fails!' });

    const [chosen] = await one(standard, '/with-fields');
    const state = byName(JSON.parse(chosen.body).message.state);
    expect(Object.keys(state).sort()).toEqual(['id', 'severity', 'type', 'udf_customer_l']);
    expect(state.udf_customer_l.value).toBe('ACME');
    expect(chosen.headers.authorization).toBe(`Basic ${Buffer.from('octane:s3cret!').toString('base64')}`);

    expect((await defect('Deleted', 'D-7', fields)).status).toBe(202);
    const [, , deleted] = await one(standard, '/basic', 3);
    const gone = JSON.parse(deleted.body).message;
    expect(gone.action).toBe('Deleted');
    expect(Object.keys(byName(gone.state)).sort()).toEqual(['id', 'type']);
    // The update-only rule fired once, on the update.
    expect(standard.at('/with-fields')).toHaveLength(1);

    const byAction = Object.fromEntries(
      (await one(standard, '/octane-dialect', 3)).map((r) => [JSON.parse(r.body).message.action, JSON.parse(r.body)]),
    );
    const { Created: onCreate, Updated: onUpdate, Deleted: onDelete } = byAction;
    expect(Object.keys(byName(onCreate.message.state)).sort()).toEqual(['id', 'severity', 'type']);
    const update = onUpdate.message;
    expect(Object.keys(byName(update.state)).sort()).toEqual(['id', 'severity', 'type']);
    // Every changed field's before/after, `name` too though Fields does not list it.
    expect(byName(update.changes)).toEqual({
      severity: expect.objectContaining({ old_value: 'high', value: 'critical' }),
      name: expect.objectContaining({ old_value: 'Login fails', value: 'Login fails!' }),
    });
    expect(Object.keys(byName(onDelete.message.state)).sort()).toEqual(['id', 'severity', 'type']);
  });

  it('keeps to the HTTP policy: plain HTTP only on the allowed port, and WEBHOOK_REQUEST_TIMEOUT', async () => {
    // The registry applies the dispatcher's policy, so a port plain HTTP may not use is refused at create.
    const other = await rule('other-port', {
      Events: ['Created'],
      TargetUrl: e2e.receiver.url('/other-port'),
      RetryPolicy: { MaxRetries: 0 },
    });
    expect(other.status).toBe(422);
    expect(other.body.details).toEqual([
      { field: 'TargetUrl', reason: expect.stringMatching(/port.*WEBHOOK_HTTP_PORTS/) },
    ]);
    e2e.receiver.behave('/slow', 'hang');
    const slow = await rule('slow', {
      Events: ['Created'],
      TargetUrl: standard.url('/slow'),
      RetryPolicy: { MaxRetries: 0 },
    });
    standard.behave('/slow', 'hang');
    expect(slow.status).toBe(200);
    await e2e.indexed(4);
    expect((await defect('Created', 'D-8', undefined, { id: 'D-8', name: 'Slow page' })).status).toBe(202);

    const failedOf = async (id: string) =>
      (await octane.registry.request('GET', `/api/v2/webhook/${id}/failed`)).body.Results?.[0];
    expect(e2e.receiver.at('/other-port')).toHaveLength(0);
    const timedOut = await waitFor(() => failedOf(slow.body.ObjectUUID), 20_000);
    expect(timedOut.Error).toMatch(/deadline of 1000 ms exceeded/);
    expect(standard.at('/slow')).toHaveLength(1);
  });

  it('delivers through a WebSocket opened by `hookline listen` with an integration key of the shared space', async () => {
    const key = await e2e.admin.createKey(1001, ['integration'], ['1001']);
    listener = spawn(
      process.execPath,
      [
        LISTENER_CLI,
        'listen',
        '--space',
        '1001',
        '--key',
        key,
        '--forward',
        e2e.receiver.url('/behind-firewall'),
        '--url',
        e2e.stack.publicUrl.replace('http', 'ws'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => listenerLines.push(...chunk.toString().split('\n').filter(Boolean));
    listener.stdout!.on('data', keep);
    listener.stderr!.on('data', keep);
    await waitFor(() => listenerLines.some((line) => line.startsWith('listening')), 20_000);

    const tunnelled = await rule('tunnelled', {
      Events: ['Created'],
      // Unreachable from Hookline: only the listener inside the firewall can reach it.
      TargetUrl: 'https://octane-listener.internal.example/hooks',
      CommunicationMethod: 'websocket',
      SharedSpace: '1001',
    });
    expect(tunnelled.status).toBe(200);
    await e2e.indexed(5);
    expect((await defect('Created', 'D-9', undefined, { id: 'D-9', name: 'Behind the firewall' })).status).toBe(202);

    const [delivery] = await one(e2e.receiver, '/behind-firewall');
    expect(JSON.parse(delivery.body).message).toMatchObject({ action: 'Created', object_id: 'D-9' });
    expect(delivery.headers['webhook-id']).toBeTruthy();
    // The listener prints one line per delivery, and its local status reaches the webhook's stats.
    await waitFor(() => listenerLines.some((line) => line.includes(tunnelled.body.ObjectUUID)));
    const stats = await waitFor(async () => {
      const body = (await octane.registry.request('GET', `/api/v2/webhook/${tunnelled.body.ObjectUUID}`)).body;
      return body.FireCount === 1 && body;
    });
    expect(stats.LastStatus).toBe(200);
  });

  it('blocks a URL that keeps answering slowly; after an admin unblocks it the very next change goes out', async () => {
    // Stories, not defects: the rules above stay out of it (and out of this origin's breaker).
    const watched = await rule('blocked', {
      ObjectTypes: ['story'],
      Events: ['Created'],
      TargetUrl: standard.url('/blocked'),
      RetryPolicy: { MaxRetries: 0 },
    });
    expect(watched.status).toBe(200);
    await e2e.indexed(6);
    const story = (id: string) =>
      octane.ingest.request('POST', '/api/v2/changes', {
        action: 'Created',
        object_type: 'story',
        object_id: id,
        after: { id, name: id },
      });
    const storiesAt = () => standard.at('/blocked').map((r) => JSON.parse(r.body).message.object_id as string);
    // Answers from 80% of the 1000 ms timeout count as slow; three in a row block the URL.
    standard.behave('/blocked', { delayMs: 900 });
    for (const id of ['S-1', 'S-2', 'S-3']) {
      expect((await story(id)).status).toBe(202);
      await waitFor(() => storiesAt().includes(id), 20_000);
    }
    const dispatcher = e2e.client('dispatcher', octane.key);
    const blocked = await waitFor(async () => {
      const list = await dispatcher.request('GET', '/api/v2/blocklist');
      return list.body.Results?.find((b: any) => b.Url === standard.url('/blocked'));
    });
    expect(blocked).toMatchObject({ Reason: '3 slow answers in a row', Count: 1, Until: expect.any(String) });

    expect((await story('S-4')).status).toBe(202);
    const attempts = async () =>
      (await octane.registry.request('GET', `/api/v2/webhook/${watched.body.ObjectUUID}/attempts`)).body.Results;
    await waitFor(async () => (await attempts()).some((a: any) => a.Outcome === 'held'), 20_000);
    expect(storiesAt()).not.toContain('S-4');

    standard.behave('/blocked', undefined);
    const unblocked = await dispatcher.request('DELETE', `/api/v2/blocklist/${encodeURIComponent(blocked.ID)}`);
    expect(unblocked.status).toBe(204);
    expect((await story('S-5')).status).toBe(202);
    // Well before the held S-4 is looked at again (HOLD_RECHECK_MS, 60 s).
    await waitFor(() => storiesAt().includes('S-5'), 10_000);
    expect((await dispatcher.request('GET', '/api/v2/blocklist')).body.TotalResultCount).toBe(0);
  });
});
