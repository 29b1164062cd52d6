import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The Nest microservice transport a service's messaging module provides (packages/messaging's
 * JetStreamServer), found by this token so service-kit needs no dependency on it.
 */
export const TRANSPORT_STRATEGY = Symbol('TRANSPORT_STRATEGY');

/** The app's transport strategy, or undefined for a service without messaging. */
export function transportStrategyOf(app: NestExpressApplication): object | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    const provider = module.providers.get(TRANSPORT_STRATEGY);
    if (provider) return app.get<object>(TRANSPORT_STRATEGY, { strict: false });
  }
  return undefined;
}
