import { RECORD_EVENT_OF } from '@hookline/matching';
import type { FieldProblem } from '@hookline/service-kit';
import type { SignInFlow, TokenScheme } from '@hookline/contracts';
import type { FailedDeliveryRecord } from '../delivery-log/delivery-log.schema';
import type { AuthenticationRecord, WebhookRecord } from '../webhook/webhook.schema';
import type { WebhookEventName } from '../webhook/webhook.rules';
import {
  BMC_BASIC,
  BMC_NATIVE,
  BMC_OAUTH2,
  BMC_REMEDY,
  BMC_RSSO,
  BMC_RECORD_EVENT_TYPE,
  BMC_TOKEN_FETCH_MECHANISMS,
  type BmcAuthenticationDto,
  type BmcRecordEvent,
  type BmcWebhookDefinitionDto,
} from './bmc-definition.dto';

/**
 * BMC Helix's webhook definition API (seed: "Registering a webhook with BMC Helix Innovation
 * Studio") over Hookline's webhooks: a definition is a webhook named by `name`, on the record
 * definition `event.recordDefinitionName` (ObjectTypes), firing on `event.recordEvents` (Events)
 * when `event.condition` holds (Condition), in BMC's dialect: its flat record (PayloadFormat
 * `record`) with every field on create, on update only the modified fields among
 * `callback.payloadFieldIds` (Fields) unless `includeAllFields` (false by default, as in BMC), and
 * on delete the record definition name and the record's instance id.
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
    /** As registered: numbers stay numbers. */
    payloadFieldIds: (string | number)[];
    /** The sign-in, without credentials or tokens. */
    authentication: {
      resourceType: string;
      username?: string;
      loginName?: string;
      loginPath?: string;
      tokenPath?: string;
      tokenFetchMechanism?: number;
    } | null;
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
  'Authentication.SignInUrl': 'callback.authentication.loginPath',
  'Authentication.Token': 'callback.authentication.accessToken',
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
    Fields: dto.callback.payloadFieldIds ?? [],
    Dialect: 'bmc',
    Headers: headers,
  };
  if (auth) {
    const mapped = authenticationOf(auth, dto.callback.url);
    if ('problems' in mapped) problems.push(...mapped.problems);
    else body.Authentication = mapped.authentication;
  }
  return { body, problems };
}

const FIELD = 'callback.authentication';

/** Where BMC's own sign-ins answer, on the BMC server: taken when the definition gives no loginPath. */
const INNOVATION_SUITE_LOGIN_PATH = '/api/rx/authentication/loginrequest';
const REMEDY_LOGIN_PATH = '/api/jwt/login';

type Mapped = { authentication: Record<string, unknown> } | { problems: FieldProblem[] };

/**
 * BMC's five sign-ins as Hookline authentications. Native and Remedy sign in at the BMC server (the
 * callback's, unless loginPath is absolute) and send `AR-JWT <token>`; RSSO signs in at Helix SSO
 * with the OAuth2 password grant and sends `Bearer <token>`. Remedy and RSSO may instead give a
 * fixed accessToken; with both, the credentials win, since they can sign in again when a token ends.
 */
function authenticationOf(auth: BmcAuthenticationDto, callbackUrl: string): Mapped {
  const type = shortType(auth.resourceType);
  const missing = (names: (keyof BmcAuthenticationDto)[], unless = ''): FieldProblem[] =>
    names
      .filter((name) => !given(auth[name]))
      .map((name) => ({ field: `${FIELD}.${name}`, reason: `${name} is required with ${type}${unless}` }));
  const signIn = (flow: SignInFlow, username: 'username' | 'loginName', signInUrl: ResolvedUrl): Mapped => {
    const problems = missing([username, 'credentials']);
    if ('problem' in signInUrl) return { problems: [...problems, signInUrl.problem] };
    if (problems.length > 0) return { problems };
    return {
      authentication: {
        Type: 'SignIn',
        Flow: flow,
        SignInUrl: signInUrl.url,
        Username: auth[username],
        Password: auth.credentials,
      },
    };
  };
  const token = (scheme: TokenScheme): Mapped => ({
    authentication: { Type: 'Token', Scheme: scheme, Token: auth.accessToken },
  });
  const loginUrl = (defaultPath: string) => urlOf('loginPath', auth.loginPath ?? defaultPath, callbackUrl);
  switch (auth.resourceType) {
    case BMC_BASIC: {
      const problems = missing(['username', 'credentials']);
      if (problems.length > 0) return { problems };
      return { authentication: { Type: 'Basic', Username: auth.username, Password: auth.credentials } };
    }
    case BMC_OAUTH2: {
      const problems = missing(['tokenPath', 'username', 'credentials']);
      if (problems.length > 0) return { problems };
      const tokenUrl = urlOf('tokenPath', auth.tokenPath, auth.authServerEndpoint);
      if ('problem' in tokenUrl) return { problems: [tokenUrl.problem] };
      return {
        authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: tokenUrl.url,
          ClientId: auth.username,
          ClientSecret: auth.credentials,
          ClientAuthMethod: BMC_TOKEN_FETCH_MECHANISMS[Number(auth.tokenFetchMechanism ?? 0)],
        },
      };
    }
    case BMC_NATIVE:
      return signIn('InnovationSuite', 'username', loginUrl(INNOVATION_SUITE_LOGIN_PATH));
    case BMC_REMEDY: {
      const problems = missing(['username', 'credentials'], ' unless accessToken is given');
      if (problems.length > 0) return given(auth.accessToken) ? token('AR-JWT') : { problems };
      return signIn('RemedyJwt', 'username', loginUrl(REMEDY_LOGIN_PATH));
    }
    default: {
      // RSSO, the last of the five the DTO lets through.
      const problems = missing(['loginName', 'credentials', 'tokenPath'], ' unless accessToken is given');
      if (problems.length > 0) return given(auth.accessToken) ? token('Bearer') : { problems };
      return signIn('OAuth2Password', 'loginName', urlOf('tokenPath', auth.tokenPath, auth.authServerEndpoint));
    }
  }
}

type ResolvedUrl = { url: string } | { problem: FieldProblem };

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** A path resolved against its base (an absolute path wins), refused unless it ends up http(s). */
function urlOf(
  field: 'loginPath' | 'tokenPath',
  path: string | undefined,
  base: string | null | undefined,
): ResolvedUrl {
  const baseName = field === 'tokenPath' ? 'authServerEndpoint' : 'callback.url';
  try {
    const url = new URL(path ?? '', base ?? undefined);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { url: url.toString() };
  } catch {
    // Reported below, in the same words as a URL that parses but is not http(s).
  }
  return {
    problem: {
      field: `${FIELD}.${field}`,
      reason: `${field} must be an absolute http(s) URL, or a path with ${baseName} an absolute http(s) URL`,
    },
  };
}

function shortType(resourceType: string): string {
  return resourceType.split('.').at(-1)!;
}

/** A stored webhook as BMC's GET and data page show a definition. */
export function bmcViewOf(webhook: WebhookRecord): BmcDefinitionView {
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
      authentication: bmcAuthenticationOf(webhook.Authentication),
    },
    id: webhook._id,
  };
}

function bmcAuthenticationOf(auth: AuthenticationRecord | null): BmcDefinitionView['callback']['authentication'] {
  if (auth === null) return null;
  switch (auth.Type) {
    case 'Basic':
      return { resourceType: BMC_BASIC, username: auth.Username };
    case 'OAuth2ClientCredentials':
      return {
        resourceType: BMC_OAUTH2,
        username: auth.ClientId,
        tokenPath: auth.TokenUrl,
        tokenFetchMechanism: BMC_TOKEN_FETCH_MECHANISMS.indexOf(auth.ClientAuthMethod),
      };
    case 'SignIn':
      if (auth.Flow === 'OAuth2Password')
        return { resourceType: BMC_RSSO, loginName: auth.Username, tokenPath: auth.SignInUrl };
      return {
        resourceType: auth.Flow === 'InnovationSuite' ? BMC_NATIVE : BMC_REMEDY,
        username: auth.Username,
        loginPath: auth.SignInUrl,
      };
    case 'Token':
      return { resourceType: auth.Scheme === 'AR-JWT' ? BMC_REMEDY : BMC_RSSO };
  }
}

/** One failed callback as BMC's "Webhook Callback Fail Data" holds it: the request payload and response code. */
export interface BmcFailData {
  /** The delivery id, also under /api/v2/webhook/{id}/failed. */
  id: string;
  webhookDefinitionName: string;
  recordDefinitionName: string | null;
  /** The HTTP request payload as it was sent. */
  payload: Record<string, unknown> | null;
  /** The last response code; null when no answer came (timeout, connection refused). */
  responseCode: number | null;
  error: string | null;
  attempts: number;
  failedAt: string;
  /** Whether it has had its one last processing (sent again once the receiver answered). */
  processedOnceMore: boolean;
  lastProcessedAt: string | null;
}

export function bmcFailDataOf(webhook: WebhookRecord, failed: FailedDeliveryRecord): BmcFailData {
  return {
    id: failed._id,
    webhookDefinitionName: webhook.Name,
    recordDefinitionName: webhook.ObjectTypes[0] ?? null,
    payload: failed.Payload,
    responseCode: failed.LastStatus,
    error: failed.Error,
    attempts: failed.Attempts,
    failedAt: failed.FailedAt.toISOString(),
    processedOnceMore: failed.ReplayCount > 0,
    lastProcessedAt: failed.LastReplayAt?.toISOString() ?? null,
  };
}
