import { readFileSync } from 'node:fs';
import { OPENAPI_FILE, ResponseChecker, type OpenApiDocument } from '@hookline/front-door';
import { ApiClient, ProcessStack, Receiver, waitFor, type ApiReply, type ProcessStackOptions } from '@hookline/testing';

/** The committed OpenAPI document, which every answer through the front door must match. */
const checker = new ResponseChecker(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument);

function checkAgainstDocument(method: string, url: string, reply: ApiReply): void {
  const problems = checker.problems(method, url, reply.status, reply.headers.get('content-type'), reply.body);
  if (problems.length > 0) {
    throw new Error(
      `the answer does not match the OpenAPI document:\n${problems.join('\n')}\n${JSON.stringify(reply.body)}`,
    );
  }
}

/**
 * A tenant of the running stack: its key and clients speaking as that key. All three reach the
 * one public origin (the front door), as users do; they keep their names for the API each test uses.
 */
export interface Tenant {
  key: string;
  registry: ApiClient;
  ingest: ApiClient;
  incoming: ApiClient;
}

/**
 * The whole product as its users run it: six service processes behind the front door on a real
 * nats-server and MongoDB-wire server, and a real HTTP receiver on 127.0.0.1 (the dispatcher is allowed plain
 * HTTP to loopback for it, as an operator would allow an internal network).
 */
export class E2eStack {
  private constructor(
    readonly stack: ProcessStack,
    readonly receiver: Receiver,
  ) {}

  static async start(options: ProcessStackOptions = {}): Promise<E2eStack> {
    const receiver = await Receiver.start();
    try {
      const stack = await ProcessStack.start({
        frontDoor: true,
        ...options,
        serviceEnv: {
          ...options.serviceEnv,
          dispatcher: {
            WEBHOOK_ALLOW_HTTP: 'true',
            WEBHOOK_HTTP_PORTS: 'any',
            WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
            ...options.serviceEnv?.dispatcher,
          },
        },
      });
      return new E2eStack(stack, receiver);
    } catch (err) {
      await receiver.stop();
      throw err;
    }
  }

  /** The public API as the bootstrap admin key. */
  get admin(): ApiClient {
    return this.public(this.stack.adminKey);
  }

  /** The one public origin, speaking as `key`; every answer is checked against the OpenAPI document. */
  public(key?: string): ApiClient {
    return new ApiClient(this.stack.publicUrl, key, checkAgainstDocument);
  }

  client(service: string, key?: string): ApiClient {
    return new ApiClient(this.stack.url(service), key);
  }

  async tenant(subscriptionId: number, roles: string[] = ['admin'], sharedSpaces: string[] = []): Promise<Tenant> {
    const key = await this.admin.createKey(subscriptionId, roles, sharedSpaces);
    return {
      key,
      registry: this.public(key),
      ingest: this.public(key),
      incoming: this.public(key),
    };
  }

  /** Waits until the matcher's index holds `count` webhooks (it follows the registry's events). */
  async indexed(count: number, timeoutMs = 15_000): Promise<void> {
    const matcher = this.client('matcher', this.stack.adminKey);
    await waitFor(
      async () => (await matcher.request<{ total: number }>('GET', '/api/v2/index')).body.total === count,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.stack?.stop();
    await this.receiver?.stop();
  }
}
