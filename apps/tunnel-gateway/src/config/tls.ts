import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsPair } from '@hookline/service-kit';
import { registerDecorator, type ValidationArguments } from 'class-validator';

/** Why the two PEM files cannot serve TLS, or undefined when they can. */
function tlsProblem(certPath: string, keyPath: string): string | undefined {
  let pair: TlsPair;
  try {
    pair = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (err) {
    return `cannot read ${(err as { path?: string }).path ?? 'the file'}: ${(err as { code?: string }).code ?? String(err)}`;
  }
  try {
    // The same check the server makes at its first handshake, made at start instead.
    createSecureContext(pair);
    return undefined;
  } catch (err) {
    return `certificate and key do not make a TLS pair: ${(err as Error).message}`;
  }
}

/**
 * Config validation on the certificate setting: with the key setting named by `keyProperty`, the
 * files are readable PEM and the key belongs to the certificate. A missing key is the key
 * setting's own error.
 */
export function IsTlsPair(keyProperty: string): PropertyDecorator {
  const problem = ({ value, object }: ValidationArguments): string | undefined => {
    const keyPath = (object as Record<string, unknown>)[keyProperty];
    if (typeof value !== 'string' || typeof keyPath !== 'string') return undefined;
    return tlsProblem(value, keyPath);
  };
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isTlsPair',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => problem(args) === undefined,
        defaultMessage: (args: ValidationArguments) => problem(args) ?? 'is not a usable TLS certificate',
      },
    });
}

/** The certificate and key to serve, or undefined for plain http/ws; the paths were checked at config load. */
export function tlsPairOf(config: { TUNNEL_TLS_CERT?: string; TUNNEL_TLS_KEY?: string }): TlsPair | undefined {
  if (config.TUNNEL_TLS_CERT === undefined || config.TUNNEL_TLS_KEY === undefined) return undefined;
  return { cert: readFileSync(config.TUNNEL_TLS_CERT), key: readFileSync(config.TUNNEL_TLS_KEY) };
}
