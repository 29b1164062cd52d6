import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsPair } from '@hookline/service-kit';
import { registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * Pairs that passed the check, by their paths: the server serves the very bytes that were checked
 * (the gateway loads its config twice at start, once for the server and once for the module), and
 * a file replaced in between cannot slip past the check.
 */
const checkedPairs = new Map<string, TlsPair>();
const pathsKey = (certPath: string, keyPath: string): string => `${certPath}\n${keyPath}`;

/** Why the two PEM files cannot serve TLS, or undefined when they can. */
function tlsProblem(certPath: string, keyPath: string): string | undefined {
  if (checkedPairs.has(pathsKey(certPath, keyPath))) return undefined;
  let pair: TlsPair;
  try {
    pair = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (err) {
    return `cannot read ${(err as { path?: string }).path ?? 'the file'}: ${(err as { code?: string }).code ?? String(err)}`;
  }
  try {
    // The same check the server makes at its first handshake, made at start instead.
    createSecureContext(pair);
    checkedPairs.set(pathsKey(certPath, keyPath), pair);
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

/** The certificate and key to serve, or undefined for plain http/ws: the pair checked at config load. */
export function tlsPairOf(config: { TUNNEL_TLS_CERT?: string; TUNNEL_TLS_KEY?: string }): TlsPair | undefined {
  const { TUNNEL_TLS_CERT: certPath, TUNNEL_TLS_KEY: keyPath } = config;
  if (certPath === undefined || keyPath === undefined) return undefined;
  return checkedPairs.get(pathsKey(certPath, keyPath)) ?? { cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
