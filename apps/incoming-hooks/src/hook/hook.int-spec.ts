import { IncomingHooksHarness, SEED_HOOK } from '../../test/harness';

describe('pipelines and incoming hook management (the seed curl commands)', () => {
  let h: IncomingHooksHarness;
  let key: string;

  beforeAll(async () => {
    h = await IncomingHooksHarness.start({ PUBLIC_BASE_URL: 'https://hooks.example.test/' });
    key = await h.createKey(41);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('creates a hook from the seed body: url with 256 random bits, secret in clear once, masked after', async () => {
    const pipeline = await h.api('POST', '/pipelines', key, { name: 'deploy shop' });
    expect(pipeline.status).toBe(201);
    const pipelineId = pipeline.body.id as string;
    expect((await h.api('GET', `/pipelines/${pipelineId}`, key)).body.name).toBe('deploy shop');
    expect((await h.api('GET', '/pipelines', key)).body.map((p: { id: string }) => p.id)).toEqual([pipelineId]);

    const created = await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, SEED_HOOK);
    expect(created.status).toBe(201);
    const hook = created.body;
    expect(hook).toMatchObject({
      name: 'Deploy `main` branch',
      requires_secret: true,
      secret_algorithm: 'sha256',
      secret_header_name: 'x-hub-signature-256',
      action_type: 'deploy',
      disabled: false,
    });
    expect(hook.settings.variables).toEqual(
      SEED_HOOK.settings.variables.map((v) => ({ path: null, default_value: null, ...v })),
    );
    expect(hook.url).toMatch(/^https:\/\/hooks\.example\.test\/hooks\/incoming\/[A-Za-z0-9_-]{43}$/);
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const listed = await h.api('GET', `/pipelines/${pipelineId}/hooks`, key);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0].url).toBe(hook.url);
    expect(listed.body[0].secret).toBe(`********${hook.secret.slice(-4)}`);
    const fetched = await h.api('GET', `/pipelines/${pipelineId}/hooks/${hook.id}`, key);
    expect(JSON.stringify(fetched.body)).not.toContain(hook.secret);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);

    const second = await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, SEED_HOOK);
    expect(second.body.url).not.toBe(hook.url);
    expect(second.body.secret).not.toBe(hook.secret);
  });

  it('names each invalid field with 400', async () => {
    const pipelineId = (await h.api('POST', '/pipelines', key, { name: 'p' })).body.id as string;
    const reply = await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, {
      name: '',
      secret_algorithm: 'md5',
      action_type: 'Deploy!',
      settings: { variables: [{ name: '1x', path: 'a', type: 'date' }] },
      surprise: true,
    });
    expect(reply.status).toBe(400);
    const fields = reply.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'secret_algorithm',
        'action_type',
        'settings.variables.0.name',
        'settings.variables.0.type',
        'surprise',
      ]),
    );

    const rules = await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, {
      name: 'n',
      action_type: 'deploy',
      settings: {
        variables: [
          { name: 'a', path: 'x..y', type: 'string' },
          { name: 'a', path: 'z', type: 'integer', default_value: 'ten' },
          { name: 'c', type: 'string' },
        ],
      },
    });
    expect(rules.status).toBe(400);
    expect(rules.body.details.map((d: { field: string }) => d.field)).toEqual([
      'settings.variables.0.path',
      'settings.variables.1.name',
      'settings.variables.1.default_value',
      'settings.variables.2.path',
    ]);
  });

  it('keeps tenants apart and needs an API key and the admin role to change hooks', async () => {
    const pipelineId = (await h.api('POST', '/pipelines', key, { name: 'mine' })).body.id as string;
    const other = await h.createKey(42);
    expect((await h.api('GET', `/pipelines/${pipelineId}`, other)).status).toBe(404);
    expect((await h.api('GET', `/pipelines/${pipelineId}/hooks`, other)).status).toBe(404);
    expect((await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, other, SEED_HOOK)).status).toBe(404);
    expect((await h.api('GET', '/pipelines', 'hk_nope')).status).toBe(401);
    const reader = await h.createKey(41, ['read-only']);
    expect((await h.api('GET', `/pipelines/${pipelineId}/hooks`, reader)).status).toBe(200);
    expect((await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, reader, SEED_HOOK)).status).toBe(403);
  });
});
