/**
 * A record as typed in a sample change (a dry run's, or one sent): a JSON object, or blank for none. Throws with the reason
 * to show at the field.
 */
export function parseRecord(text: string): Record<string, unknown> | null {
  if (!text.trim()) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('Not JSON: write it as {"Priority": "High"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('Must be a JSON object of attributes by name');
  return parsed as Record<string, unknown>;
}
