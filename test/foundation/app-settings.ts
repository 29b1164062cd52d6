import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ConfigClass } from '@hookline/service-kit';
import { ChangeIngestConfig } from '../../apps/change-ingest/src/config/change-ingest.config';
import { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { IncomingHooksConfig } from '../../apps/incoming-hooks/src/config/incoming-hooks.config';
import { MatcherConfig } from '../../apps/matcher/src/config/matcher.config';
import { RegistryConfig } from '../../apps/registry/src/config/registry.config';
import { TunnelGatewayConfig } from '../../apps/tunnel-gateway/src/config/tunnel-gateway.config';

/**
 * Every app directory and its settings class, for the checks that deployment files (the compose
 * file, the Helm chart) give each service what it needs; a new app must be added here and to both.
 */
export const APPS: Record<string, ConfigClass> = {
  registry: RegistryConfig,
  'change-ingest': ChangeIngestConfig,
  matcher: MatcherConfig,
  dispatcher: DispatcherConfig,
  'incoming-hooks': IncomingHooksConfig,
  'tunnel-gateway': TunnelGatewayConfig,
};

export interface Settings {
  /** Every setting the class reads from the environment. */
  declared: Set<string>;
  /** Settings with validation, no default, and no condition that lets them be absent. */
  required: string[];
}

export function settingsOf(cls: ConfigClass): Settings {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const defaults = new cls() as unknown as Record<string, unknown>;
  // IsOptional and ValidateIf are both conditional validation: such a setting may be left out.
  const conditional = new Set(
    metadata.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.propertyName),
  );
  const validated = new Set(metadata.map((m) => m.propertyName));
  return {
    declared: new Set([...Object.keys(defaults), ...validated]),
    required: [...validated].filter((name) => defaults[name] === undefined && !conditional.has(name)),
  };
}
