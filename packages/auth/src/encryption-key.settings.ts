import type { SettingsBase } from '@hookline/service-kit';
import { IsEncryptionKey } from './secret-box';

/**
 * Adds HOOKLINE_ENCRYPTION_KEY, the AES-256-GCM key for secrets at rest, to the config of a service
 * that seals or opens them. Every such service needs the same key.
 */
export function WithEncryptionKey<B extends SettingsBase>(Base: B) {
  class EncryptionKeySettings extends Base {
    /** 32 bytes as 64 hex characters or base64. Generate with `openssl rand -base64 32`. */
    @IsEncryptionKey()
    HOOKLINE_ENCRYPTION_KEY: string;
  }
  return EncryptionKeySettings;
}
