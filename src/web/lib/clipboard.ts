/** Copy text with the async clipboard API, falling back to a hidden textarea and `execCommand('copy')`. */
export async function copyText(text: string): Promise<boolean> {
  // navigator.clipboard only exists in secure contexts (HTTPS, localhost).
  if (typeof navigator.clipboard?.writeText === 'function') {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or no user activation: try the old way below.
    }
  }
  return copyWithTextarea(text);
}

function copyWithTextarea(text: string): boolean {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const textarea = document.createElement('textarea');
  textarea.value = text;
  textarea.setAttribute('readonly', '');
  textarea.setAttribute('aria-hidden', 'true');
  textarea.style.position = 'fixed';
  textarea.style.top = '0';
  textarea.style.opacity = '0';
  document.body.append(textarea);
  textarea.focus({ preventScroll: true });
  textarea.select();
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  textarea.remove();
  previous?.focus();
  return copied;
}

/**
 * `email<TAB>userId` lines, one per person, for pasting into a spreadsheet or a ticket. Tabs and line breaks inside
 * a value would split it into the wrong cells, so they become spaces; nothing else is changed (ids are exact).
 */
export function toTsvLines(rows: readonly (readonly string[])[]): string {
  return rows.map((fields) => fields.map((field) => field.replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
}
