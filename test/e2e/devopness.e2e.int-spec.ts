/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { randomUUID } from 'node:crypto';
import { userBody, waitFor } from '@hookline/testing';
import { octokitSign, PULL_REQUEST_EVENT, SEED_HOOK } from '../../apps/incoming-hooks/test/harness';
import { E2eStack } from './e2e-stack';

const PASSWORD = 'a long deployer passphrase';

/**
 * Devopness as its users drive it on the whole stack: the seed's curl calls (only host changed)
 * sign in with email and password and make an incoming hook with the access token; GitHub's signed
 * call runs the pipeline with the seed's variables; the runner's state reports fire an outgoing
 * webhook on "deployment done".
 */
describe('seed: Devopness incoming and outgoing webhooks on the whole stack', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await E2eStack.start();
    // The tenant's admin gives the user an account, as the seed's "Required Permissions" assume.
    const user = await e2e.admin.request(
      'POST',
      '/api/v2/users',
      userBody({ Email: 'deployer@example.com', Password: PASSWORD, SubscriptionID: 700 }),
    );
    expect(user.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  const json = { accept: 'application/json' };

  it('signs in, runs the pipeline from a signed GitHub call and tells an outgoing webhook when the deploy is done', async () => {
    // Step 1 of the seed: `POST /users/login` with the account's email and password; copy `access_token`.
    const login = await fetch(`${e2e.stack.publicUrl}/users/login`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'deployer@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { access_token: accessToken, token_type: tokenType } = (await login.json()) as Record<string, string>;
    expect(tokenType).toBe('Bearer');
    /** The seed's curl headers: Accept and Content-Type JSON, Bearer <your_api_token>. */
    const devopness = e2e.client('incoming-hooks', accessToken);

    const pipeline = await devopness.request('POST', '/pipelines', { name: 'Deploy shop' }, json);
    expect(pipeline.status).toBe(201);
    const pipelineId = pipeline.body.id as string;

    // Step 2 of the seed: create the hook; `url` and `secret` come back this once.
    const created = await devopness.request('POST', `/pipelines/${pipelineId}/hooks/incoming`, SEED_HOOK, json);
    expect(created.status).toBe(201);
    const { id: hookId, url, secret } = created.body as { id: string; url: string; secret: string };
    expect(url).toMatch(new RegExp(`^${e2e.stack.publicUrl}/hooks/incoming/`));
    expect(secret.length).toBeGreaterThanOrEqual(32);

    // Step 3: the hook is listed, its secret masked from now on.
    const listed = await devopness.request('GET', `/pipelines/${pipelineId}/hooks`, undefined, json);
    expect(listed.status).toBe(200);
    const hook = (listed.body as any[]).find((h) => h.id === hookId);
    expect(hook).toMatchObject({ name: 'Deploy `main` branch', secret_algorithm: 'sha256', action_type: 'deploy' });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    // The outgoing webhook: "a new application deployment is done".
    const webhook = await e2e.client('registry', accessToken).request('POST', '/api/v2/webhook', {
      AppName: 'PR commenter',
      AppUrl: 'www.example.com',
      Name: 'deployment done',
      TargetUrl: e2e.receiver.url('/deployed'),
      ObjectTypes: ['PipelineRun'],
      Expressions: [{ AttributeName: 'Status', Operator: '=', Value: 'succeeded' }],
    });
    expect(webhook.status).toBe(200);
    await e2e.indexed(1);

    // GitHub's call, signed by octokit (an implementation sharing no code with Hookline).
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const signature = await octokitSign(secret, payload);
    const delivery = randomUUID();
    const call = (sig: string, body = payload) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, 'x-github-delivery': delivery },
        body,
      });
    expect((await call(signature, payload.replace('42', '43'))).status).toBe(401);
    const accepted = await call(signature);
    expect(accepted.status).toBe(202);
    const runId = ((await accepted.json()) as { run_id: string }).run_id;
    // GitHub redelivers: same delivery id, no second run.
    expect((await call(signature)).status).toBe(200);

    const runs = await devopness.request('GET', `/pipelines/${pipelineId}/runs`, undefined, json);
    expect(runs.body).toHaveLength(1);
    expect(runs.body[0]).toMatchObject({
      id: runId,
      hook_id: hookId,
      status: 'queued',
      variables: {
        source_type: 'branch',
        source_ref: 'feature/retries',
        pull_request_id: 42,
        pull_request_title: 'Add checkout retries',
        commit_hash: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      },
    });

    // The runner (an integration key) reports progress; only "succeeded" matches the webhook.
    const runner = e2e.client('incoming-hooks', await e2e.admin.createKey(700, ['integration']));
    for (const status of ['running', 'succeeded']) {
      const reported = await runner.request('POST', `/pipelines/${pipelineId}/runs/${runId}/state`, { status });
      expect(reported).toMatchObject({ status: 200, body: { status } });
    }
    // Five hops and the run outbox: 20 s was not enough once in a fresh-clone CI run on a slow day
    // (the suite took 623 s against 344 s), with the other jest worker in a fault test under load.
    const [deployed] = await waitFor(
      () => e2e.receiver.at('/deployed').length > 0 && e2e.receiver.at('/deployed'),
      45_000,
    );
    const message = JSON.parse(deployed.body).message;
    expect(message).toMatchObject({ object_type: 'PipelineRun', object_id: runId, subscription_id: 700 });
    const state = Object.fromEntries(Object.values(message.state as Record<string, any>).map((a) => [a.name, a.value]));
    expect(state).toMatchObject({ Status: 'succeeded', Pipeline: pipelineId, Hook: hookId });
    expect(state.Variables).toMatchObject({ pull_request_id: 42, source_ref: 'feature/retries' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(e2e.receiver.at('/deployed')).toHaveLength(1);
  }, 90_000);
});
