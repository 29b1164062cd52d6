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
    await e2e.indexed(2);

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
  });

  it('keeps to the HTTP policy: plain HTTP only on the allowed port, and WEBHOOK_REQUEST_TIMEOUT', async () => {
    const other = await rule('other-port', {
      Events: ['Created'],
      TargetUrl: e2e.receiver.url('/other-port'),
      RetryPolicy: { MaxRetries: 0 },
    });
    e2e.receiver.behave('/slow', 'hang');
    const slow = await rule('slow', {
      Events: ['Created'],
      TargetUrl: standard.url('/slow'),
      RetryPolicy: { MaxRetries: 0 },
    });
    standard.behave('/slow', 'hang');
    expect([other.status, slow.status]).toEqual([200, 200]);
    await e2e.indexed(4);
    expect((await defect('Created', 'D-8', undefined, { id: 'D-8', name: 'Slow page' })).status).toBe(202);

    const failedOf = async (id: string) =>
      (await octane.registry.request('GET', `/api/v2/webhook/${id}/failed`)).body.Results?.[0];
    const refused = await waitFor(() => failedOf(other.body.ObjectUUID), 20_000);
    expect(refused.Error).toMatch(/port|http/i);
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
});
