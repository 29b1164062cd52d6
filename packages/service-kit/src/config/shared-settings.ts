import { IsOptional, IsString, IsUrl, MinLength } from 'class-validator';
import type { BaseServiceConfig } from './config';

/**
 * A config class a shared setting is added to. TypeScript's mixin rule wants a constructor taking
 * `any[]`; the config classes themselves take no arguments.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by TypeScript for a mixin's base
export type SettingsBase<T extends BaseServiceConfig = BaseServiceConfig> = new (...args: any[]) => T;

/**
 * Adds PUBLIC_BASE_URL, for services whose answers carry their own public URLs (the registry's
 * `_ref` links, incoming-hooks' hook URLs).
 */
export function WithPublicBaseUrl<B extends SettingsBase>(Base: B) {
  class PublicBaseUrlSettings extends Base {
    /** Where the stack is reached from outside (e.g. https://hookline.example.com); the request's own host when unset. */
    @IsOptional()
    @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
    PUBLIC_BASE_URL?: string;
  }
  return PublicBaseUrlSettings;
}

/**
 * Adds HOOKLINE_ADMIN_KEY, the operators' key: the registry makes it an admin API key on first
 * start (the bootstrap key); the matcher opens its internal API to it alone.
 */
export function WithAdminKey<B extends SettingsBase>(Base: B) {
  class AdminKeySettings extends Base {
    @IsOptional()
    @IsString()
    @MinLength(20)
    HOOKLINE_ADMIN_KEY?: string;
  }
  return AdminKeySettings;
}
