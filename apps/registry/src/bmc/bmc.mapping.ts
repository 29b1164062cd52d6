import { RECORD_EVENT_OF } from '@hookline/matching';
import type { FieldProblem } from '@hookline/service-kit';
import type { WebhookRecord } from '../webhook/webhook.schema';
import type { WebhookEventName } from '../webhook/webhook.rules';
import {
  BMC_BASIC,
  BMC_OAUTH2,
  BMC_RECORD_EVENT_TYPE,
  type BmcAuthenticationDto,
  type BmcRecordEvent,
  type BmcWebhookDefinitionDto,
} from './bmc-definition.dto';

/**
 * BMC Helix's webhook definition API (seed: "Registering a webhook with BMC Helix Innovation
 * Studio") over Hookline's webhooks: a definition is a webhook named by `name`, on the record
 * definition `event.recordDefinitionName` (ObjectTypes), firing on `event.recordEvents` (Events)
 * when `event.condition` holds (Condition), sending BMC's flat record (PayloadFormat `record`)
 * with `callback.payloadFieldIds` (Fields) and, on update, only the modified fields unless
 * `includeAllFields` (false by default, as in BMC).
 */
export const BMC_APP_NAME = 'BMC Helix Innovation Studio';

const EVENT_OF: Record<BmcRecordEvent, WebhookEventName> = { create: 'Created', update: 'Updated', delete: 'Deleted' };

/** The definition as BMC's GET returns it, plus Hookline's id; credentials never appear. */
export interface BmcDefinitionView {
  name: string;
  enabled: boolean;
  event: {
    resourceType: string;
    recordDefinitionName: string | null;
    condition: string | null;
    recordEvents: BmcRecordEvent[];
  };
  includeAllFields: boolean;
  callback: {
    url: string;
    /** Values masked. */
    headers: Record<string, string>;
    payloadFieldIds: string[];
    authentication: { resourceType: string; username: string; tokenPath?: string } | null;
  };
  /** Hookline's webhook id: the same webhook under /api/v2/webhook/{id}. */
  id: string;
}

/** Where a Hookline field of the mapped body came from, to report problems in the caller's names. */
const BMC_FIELD: Record<string, string> = {
  Name: 'name',
  TargetUrl: 'callback.url',
  AppUrl: 'callback.url',
  ObjectTypes: 'event.recordDefinitionName',
  Events: 'event.recordEvents',
  Condition: 'event.condition',
  IncludeAllFields: 'includeAllFields',
  Fields: 'callback.payloadFieldIds',
  Headers: 'callback.headers',
  Authentication: 'callback.authentication',
  'Authentication.Username': 'callback.authentication.username',
  'Authentication.Password': 'callback.authentication.credentials',
  'Authentication.ClientId': 'callback.authentication.username',
  'Authentication.ClientSecret': 'callback.authentication.credentials',
  'Authentication.TokenUrl': 'callback.authentication.tokenPath',
};

/** A problem with the mapped Hookline body, named and worded as the BMC field it came from. */
export function inBmcTerms(problem: FieldProblem): FieldProblem {
  const header = /^Headers\.(.+)$/.exec(problem.field);
  if (header) return { field: `callback.headers.${header[1]}`, reason: problem.reason.replaceAll('Headers.', '') };
  const field = BMC_FIELD[problem.field] ?? problem.field;
  // Reasons name the field whole ("TargetUrl must ...") or, for a nested one, by its last part.
  const leaf = problem.field.split('.').at(-1)!;
  const reason = problem.reason.replaceAll(problem.field, field);
  return { field, reason: leaf === problem.field ? reason : reason.replaceAll(leaf, field) };
}

/** The Hookline create body for a BMC definition, or the problems that no Hookline field names. */
export function webhookBodyOf(dto: BmcWebhookDefinitionDto): {
  body: Record<string, unknown>;
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const headers: Record<string, string> = { ...(dto.callback.headers ?? {}) };
  const auth = dto.callback.authentication ?? null;
  (auth?.httpHeaders ?? []).forEach(({ key, value }, i) => {
    // The seed's samples send this one; Hookline always sends JSON, so it is already true.
    if (key.toLowerCase() === 'content-type' && /^application\/json\b/i.test(value)) return;
    if (key.toLowerCase() === 'content-type')
      problems.push({
        field: `callback.authentication.httpHeaders[${i}]`,
        reason: 'Content-Type is always application/json',
      });
    else headers[key] = value;
  });
  const condition = dto.event.condition?.trim() ? dto.event.condition : undefined;
  const body: Record<string, unknown> = {
    AppName: BMC_APP_NAME,
    AppUrl: dto.callback.url,
    Name: dto.name,
    TargetUrl: dto.callback.url,
    ObjectTypes: [dto.event.recordDefinitionName],
    Events: dto.event.recordEvents.map((e) => EVENT_OF[e]),
    ...(condition !== undefined && { Condition: condition }),
    IncludeAllFields: dto.includeAllFields ?? false,
    Fields: (dto.callback.payloadFieldIds ?? []).map(String),
    PayloadFormat: 'record',
    Headers: headers,
  };
  if (auth) {
    const mapped = authenticationOf(auth);
    if ('problems' in mapped) problems.push(...mapped.problems);
    else body.Authentication = mapped.authentication;
  }
  return { body, problems };
}

const FIELD = 'callback.authentication';

function authenticationOf(
  auth: BmcAuthenticationDto,
): { authentication: Record<string, unknown> } | { problems: FieldProblem[] } {
  const required = (names: (keyof BmcAuthenticationDto)[]): FieldProblem[] =>
    names
      .filter((name) => auth[name] === undefined || auth[name] === null)
      .map((name) => ({
        field: `${FIELD}.${name}`,
        reason: `${name} is required with ${shortType(auth.resourceType)}`,
      }));
  if (auth.resourceType === BMC_BASIC) {
    const problems = required(['username', 'credentials']);
    if (problems.length > 0) return { problems };
    return { authentication: { Type: 'Basic', Username: auth.username, Password: auth.credentials } };
  }
  if (auth.resourceType === BMC_OAUTH2) {
    const problems = required(['tokenPath', 'username', 'credentials']);
    if (problems.length > 0) return { problems };
    let tokenUrl: string;
    try {
      // BMC's token path may be relative to the auth server endpoint.
      tokenUrl = new URL(auth.tokenPath!, auth.authServerEndpoint ?? undefined).toString();
    } catch {
      return {
        problems: [
          {
            field: `${FIELD}.tokenPath`,
            reason: 'tokenPath must be an absolute URL, or a path with authServerEndpoint an absolute URL',
          },
        ],
      };
    }
    return {
      authentication: {
        Type: 'OAuth2ClientCredentials',
        TokenUrl: tokenUrl,
        ClientId: auth.username,
        ClientSecret: auth.credentials,
      },
    };
  }
  return {
    problems: [
      {
        field: `${FIELD}.resourceType`,
        reason: `${shortType(auth.resourceType)} is not supported: Hookline signs in to receivers with ${shortType(BMC_BASIC)} or ${shortType(BMC_OAUTH2)}`,
      },
    ],
  };
}

function shortType(resourceType: string): string {
  return resourceType.split('.').at(-1)!;
}

/** A stored webhook as BMC's GET and data page show a definition. */
export function bmcViewOf(webhook: WebhookRecord): BmcDefinitionView {
  const auth = webhook.Authentication;
  return {
    name: webhook.Name,
    enabled: !webhook.Disabled,
    event: {
      resourceType: BMC_RECORD_EVENT_TYPE,
      recordDefinitionName: webhook.ObjectTypes[0] ?? null,
      condition: webhook.Condition,
      recordEvents: webhook.Events.map((e) => RECORD_EVENT_OF[e]),
    },
    includeAllFields: webhook.IncludeAllFields,
    callback: {
      url: webhook.TargetUrl,
      headers: Object.fromEntries(webhook.Headers.map((h) => [h.Name, h.Value.Masked])),
      payloadFieldIds: webhook.Fields,
      authentication:
        auth === null
          ? null
          : auth.Type === 'Basic'
            ? { resourceType: BMC_BASIC, username: auth.Username }
            : { resourceType: BMC_OAUTH2, username: auth.ClientId, tokenPath: auth.TokenUrl },
    },
    id: webhook._id,
  };
}
