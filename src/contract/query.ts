/** Serialise a parsed list query in the upstream's format: arrays in comma format, absent values left out. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export function toQueryString(query: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const text = Array.isArray(value)
      ? value.map(encodeURIComponent).join(',')
      : encodeURIComponent(String(value));
    parts.push(`${encodeURIComponent(key)}=${text}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
