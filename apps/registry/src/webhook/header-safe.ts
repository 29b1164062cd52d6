/**
 * What may go into the HTTP headers the dispatcher sends. A value that is not header-safe would
 * make every delivery throw inside the HTTP client (or, worse, split the request), so it is refused
 * when the webhook is written, not found when it fires.
 */

const codePoint = (char: string): string => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` cannot be sent as a header field value as given, or undefined. Field values are
 * visible ASCII with inner spaces and tabs (RFC 9110 §5.5); obs-text is legal but each receiver
 * reads it in its own charset, so it is refused as well.
 */
export function headerValueProblem(value: string): string | undefined {
  const bad = /[^\t\x20-\x7e]/.exec(value);
  if (bad)
    return `must hold only printable ASCII, spaces and tabs (found ${codePoint(bad[0])} at position ${bad.index})`;
  // HTTP clients strip these, so the receiver would not get the value that was stored.
  if (/^[\t ]|[\t ]$/.test(value)) return 'must not start or end with a space or tab';
  return undefined;
}

/**
 * Why a credential that is encoded before it is sent (Basic's base64, a form post) is unusable, or
 * undefined: any text goes but control characters, which no sign-in form accepts.
 */
export function credentialProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  const bad = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
  return bad ? `must not contain control characters (found ${codePoint(bad[0])} at position ${bad.index})` : undefined;
}

/** A Basic username cannot hold a colon: the receiver splits `user:password` at the first one (RFC 7617 §2). */
export function basicUsernameProblem(value: string): string | undefined {
  return credentialProblem(value) ?? (value.includes(':') ? 'must not contain a colon (:)' : undefined);
}
