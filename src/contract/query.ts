/** Serialise a parsed list query in the upstream's format: arrays in comma format, absent values left out. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export function toQueryString(query: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
