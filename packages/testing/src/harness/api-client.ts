export interface ApiReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sees every answer; the end-to-end tests check each against the OpenAPI document with it. */
export type ReplyObserver = (method: string, url: string, reply: ApiReply) => void;

/** A JSON HTTP client for one service that speaks as one API key (Bearer). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly key?: string,
    private readonly observe?: ReplyObserver,
  ) {}

  as(key: string): ApiClient {
    return new ApiClient(this.baseUrl, key, this.observe);
  }

  async request<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON checked by the caller
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiReply<T>> {
    const all: Record<string, string> = { ...headers };
    if (this.key) all.authorization = `Bearer ${this.key}`;
    if (body !== undefined) all['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the text itself
    }
    const reply = { status: response.status, headers: response.headers, body: parsed as T };
    this.observe?.(method, `${this.baseUrl}${path}`, reply);
    return reply;
  }

  /** A new API key of a subscription (this client must speak as an admin key). */
  async createKey(subscriptionId: number, roles: string[] = ['admin'], sharedSpaces: string[] = []): Promise<string> {
    const reply = await this.request<{ Key: string }>('POST', '/api/v2/apikey', {
      Name: `key for ${subscriptionId}`,
      Roles: roles,
      SharedSpaces: sharedSpaces,
      SubscriptionID: subscriptionId,
    });
    if (reply.status !== 200) throw new Error(`key creation failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.Key;
  }
}
