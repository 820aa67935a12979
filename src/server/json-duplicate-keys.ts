/**
 * Whether a JSON text (already known to be valid) has an object with the same member name twice, after escapes
 * are decoded (`{"a":1,"\u0061":2}` counts). JSON.parse silently keeps the last one, while another parser may keep
 * the first: I-JSON (RFC 7493) forbids duplicates, and so does the BFF, so what it checked is what it sends on.
 * One pass, no recursion (deep nesting cannot overflow the stack).
 */
export function hasDuplicateKeys(text: string): boolean {
  // One entry per open container: the member names seen so far (objects), or null (arrays).
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(i, end + 1);
        const name = raw.includes('\\') ? decode(raw) : raw.slice(1, -1);
        if (top.has(name)) return true;
        top.add(name);
        expectKey = false;
      }
      i = end;
    } else if (char === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (char === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (char === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return false;
}

/** The index of the closing quote of the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (char === 0x5c /* \ */) i += 1;
    else if (char === 0x22) return i;
  }
  return text.length - 1;
}

function decode(raw: string): string {
  const value: unknown = JSON.parse(raw);
  return typeof value === 'string' ? value : raw;
}
