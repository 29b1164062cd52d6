import { api, ApiError, setCredential } from './api';

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status });
}

describe('the console API module', () => {
  const calls: { url: string; init: RequestInit }[] = [];
  let next: Response;
  const ended = jest.fn();

  beforeEach(() => {
    calls.length = 0;
    ended.mockReset();
    global.fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      return next;
    }) as typeof fetch;
    setCredential('hk_session', ended);
  });

  it('calls relative URLs with the session key, and the paging, order and search of the list', async () => {
    next = answer(200, { Results: [], TotalResultCount: 0 });
    await api.webhooks({ pagesize: 20, start: 41, order: 'Name desc', query: 'on call' });
    expect(calls[0]!.url).toBe('/api/v2/webhook?pagesize=20&start=41&order=Name+desc&query=on+call');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer hk_session');
  });

  it("raises the API's error with its field details", async () => {
    next = answer(400, { error: 'validation', message: 'Invalid', details: [{ field: 'TargetUrl', reason: 'bad' }] });
    const error = await api
      .createWebhook({ AppName: 'a', AppUrl: 'b', Name: 'n', TargetUrl: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation', details: [{ field: 'TargetUrl', reason: 'bad' }] });
    expect(ended).not.toHaveBeenCalled();
  });

  it("ends the session on a 401 to the session's key, not on a key being tried at sign-in", async () => {
    next = answer(401, { error: 'unauthenticated', message: 'Unauthorized', details: [] });
    await expect(api.whoAmI('hk_typed_in')).rejects.toMatchObject({ status: 401 });
    expect(ended).not.toHaveBeenCalled();
    next = answer(401, { error: 'unauthenticated', message: 'Unauthorized', details: [] });
    await expect(api.breakers()).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('accepts an empty answer (204)', async () => {
    next = answer(204);
    await expect(api.deleteWebhook('w 1')).resolves.toBeUndefined();
    expect(calls[0]!.url).toBe('/api/v2/webhook/w%201');
    expect(calls[0]!.init.method).toBe('DELETE');
  });
});
