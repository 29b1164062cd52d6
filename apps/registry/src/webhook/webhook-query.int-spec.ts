/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { RegistryHarness, SEED_EXAMPLE } from '../../test/registry-harness';

const TOTAL = 450;

describe('registry webhook query: paging, order and filters over 450 webhooks', () => {
  let h: RegistryHarness;
  let key: string;
  const names: string[] = [];

  beforeAll(async () => {
    h = await RegistryHarness.start();
    key = await h.createKey(100);
    const other = await h.createKey(200);
    // Another tenant's webhooks must never show up in these counts.
    for (let i = 0; i < 5; i++)
      await h.request('POST', '/api/v2/webhook', { key: other, body: { ...SEED_EXAMPLE, Name: `other ${i}` } });
    for (let batch = 0; batch < TOTAL; batch += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, j) => {
          const i = batch + j;
          const name = `Hook ${String((i * 7919) % TOTAL).padStart(3, '0')}`;
          names.push(name);
          const reply = await h.request('POST', '/api/v2/webhook', {
            key,
            body: {
              ...SEED_EXAMPLE,
              Name: name,
              Disabled: i % 3 === 0,
              ObjectTypes: i % 2 === 0 ? ['Defect'] : ['HierarchicalRequirement'],
              Events: i % 5 === 0 ? ['Deleted'] : ['Created', 'Updated'],
            },
          });
          if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  async function all(query: string): Promise<any[]> {
    const results: any[] = [];
    for (let start = 1; ; start += 200) {
      const page = await h.request('GET', `/api/v2/webhook?${query}&pagesize=200&start=${start}`, { key });
      expect(page.status).toBe(200);
      results.push(...page.body.Results);
      if (start + 200 > page.body.TotalResultCount) return results;
    }
  }

  it('pages with the Rally defaults and the seed example query', async () => {
    const first = await h.request('GET', '/api/v2/webhook', { key });
    expect(first.body).toMatchObject({ TotalResultCount: TOTAL, PageSize: 20, StartIndex: 1 });
    expect(first.body.Results).toHaveLength(20);

    const second = await h.request('GET', '/api/v2/webhook?pagesize=200&start=201&order=Name desc', { key });
    expect(second.body).toMatchObject({ TotalResultCount: TOTAL, PageSize: 200, StartIndex: 201 });
    const sortedDesc = [...names].sort().reverse();
    expect(second.body.Results.map((w: any) => w.Name)).toEqual(sortedDesc.slice(200, 400));

    const last = await h.request('GET', '/apps/pigeon/api/v2/webhook?pagesize=200&start=401&order=Name', { key });
    expect(last.body.Results.map((w: any) => w.Name)).toEqual([...names].sort().slice(400));
    const beyond = await h.request('GET', '/api/v2/webhook?start=1000', { key });
    expect(beyond.body).toMatchObject({ Results: [], TotalResultCount: TOTAL, StartIndex: 1000 });
    expect((await h.request('GET', '/api/v2/webhook?pagesize=1000', { key })).body.PageSize).toBe(200);
  });

  it('visits every webhook exactly once across pages, for compound orders too', async () => {
    const ids = (await all('order=Disabled desc,Name')).map((w) => w.ObjectUUID);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    const ordered = await all('order=Disabled desc,Name');
    const keyOf = (w: any) => `${w.Disabled ? 0 : 1}|${w.Name}`;
    expect(ordered.map(keyOf)).toEqual(ordered.map(keyOf).sort());
    const byCreation = await all('order=CreationDate desc');
    const dates = byCreation.map((w) => w.CreationDate);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('filters by names, enabled state, event and object type (BMC data-page query)', async () => {
    const picked = [names[0], names[1], names[2]];
    const byName = await h.request('GET', `/api/v2/webhook?name=${encodeURIComponent(picked.join(','))}`, { key });
    expect(byName.body.Results.map((w: any) => w.Name).sort()).toEqual([...picked].sort());

    const enabled = await all('isEnabled=true');
    const disabled = await all('isEnabled=false');
    expect(enabled.every((w) => !w.Disabled)).toBe(true);
    expect(disabled.every((w) => w.Disabled)).toBe(true);
    expect(enabled.length + disabled.length).toBe(TOTAL);
    expect(disabled).toHaveLength(150);

    const deletes = await all('event=delete');
    expect(deletes).toHaveLength(90);
    expect(deletes.every((w) => w.Events.includes('Deleted'))).toBe(true);
    expect(await all('event=Created,Deleted')).toHaveLength(TOTAL);

    const defects = await all('objectType=Defect&isEnabled=true');
    expect(defects.every((w) => w.ObjectTypes.includes('Defect') && !w.Disabled)).toBe(true);
    expect(defects).toHaveLength(150);
  });

  it('searches Name, AppName and TargetUrl for the query text, ignoring case, literally', async () => {
    const hook = await all(`query=${encodeURIComponent('hOOk 12')}`);
    expect(hook.map((w) => w.Name).sort()).toEqual(names.filter((n) => n.startsWith('Hook 12')).sort());
    expect(await all(`query=${encodeURIComponent(SEED_EXAMPLE.TargetUrl.slice(8, 20).toUpperCase())}`)).toHaveLength(
      TOTAL,
    );
    expect(await all(`query=${encodeURIComponent('Hook .*')}`)).toHaveLength(0);
  });

  it('refuses bad query parameters with 400 naming each', async () => {
    const reply = await h.request(
      'GET',
      '/api/v2/webhook?order=Expressions&pagesize=-1&start=0&isEnabled=maybe&event=exploded&foo=1',
      { key },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual([
      'event',
      'foo',
      'isEnabled',
      'order',
      'pagesize',
      'start',
    ]);
  });
});
