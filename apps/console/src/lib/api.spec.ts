import { api, ApiError, setCredential } from './api';

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
}

describe('the console API module', () => {
  const calls: Request[] = [];
  let next: Response;
  const ended = jest.fn();

  beforeEach(() => {
    calls.length = 0;
    ended.mockReset();
    global.fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
      calls.push(input instanceof Request ? input : new Request(input, init));
      return next;
    }) as typeof fetch;
    setCredential('hk_session', ended);
  });

  /** Path and query of a call: the module calls the page's own origin. */
  const target = (request: Request): string => {
    const url = new URL(request.url);
    return url.pathname + url.search;
  };

  it('calls the paths with the session key, and the paging, order and search of the list', async () => {
    next = answer(200, { Results: [], TotalResultCount: 0, PageSize: 20, StartIndex: 41 });
    const page = await api.webhooks({ pagesize: 20, start: 41, order: 'Name desc', query: 'on call' });
    expect(page).toEqual({ Results: [], TotalResultCount: 0, PageSize: 20, StartIndex: 41 });
    expect(target(calls[0]!)).toBe('/api/v2/webhook?pagesize=20&start=41&order=Name%20desc&query=on%20call');
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer hk_session');
  });

  it('leaves out an empty search', async () => {
    next = answer(200, { Results: [], TotalResultCount: 0, PageSize: 20, StartIndex: 1 });
    await api.webhooks({ pagesize: 20, start: 1, query: '' });
    expect(target(calls[0]!)).toBe('/api/v2/webhook?pagesize=20&start=1');
  });

  it('sends a body as JSON', async () => {
    next = answer(201, { ObjectUUID: 'w1' });
    await api.createWebhook({ AppName: 'a', AppUrl: 'b', Name: 'n', TargetUrl: 'https://x.test' });
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.headers.get('content-type')).toBe('application/json');
    expect(await calls[0]!.json()).toEqual({ AppName: 'a', AppUrl: 'b', Name: 'n', TargetUrl: 'https://x.test' });
  });

  it('signs in without a credential', async () => {
    next = answer(200, { access_token: 't', token_type: 'Bearer', expires_in: 60 });
    await expect(api.login('a@b.test', 'pw')).resolves.toMatchObject({ access_token: 't' });
    expect(target(calls[0]!)).toBe('/users/login');
    expect(calls[0]!.headers.get('authorization')).toBeNull();
  });

  it("raises the API's error with its field details", async () => {
    next = answer(400, { error: 'validation', message: 'Invalid', details: [{ field: 'TargetUrl', reason: 'bad' }] });
    const error = await api
      .createWebhook({ AppName: 'a', AppUrl: 'b', Name: 'n', TargetUrl: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation',
      error: 'validation',
      message: 'Invalid',
      details: [{ field: 'TargetUrl', reason: 'bad' }],
    });
    expect(ended).not.toHaveBeenCalled();
  });

  it('raises an ApiError for an error without a JSON body', async () => {
    next = new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' });
    await expect(api.breakers()).rejects.toMatchObject({ status: 502, code: 'error', details: [] });
  });

  it("ends the session on a 401 to the session's key, not on a key being tried at sign-in", async () => {
    next = answer(401, { error: 'unauthenticated', message: 'Unauthorized', details: [] });
    await expect(api.whoAmI('hk_typed_in')).rejects.toMatchObject({ status: 401 });
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer hk_typed_in');
    expect(ended).not.toHaveBeenCalled();
    next = answer(401, { error: 'unauthenticated', message: 'Unauthorized', details: [] });
    await expect(api.breakers()).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('accepts an empty answer (204) and encodes path parameters', async () => {
    next = answer(204);
    await expect(api.deleteWebhook('w 1')).resolves.toBeUndefined();
    expect(target(calls[0]!)).toBe('/api/v2/webhook/w%201');
    expect(calls[0]!.method).toBe('DELETE');
  });
});
