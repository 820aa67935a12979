/** How a person's name reads in the product: "Sarah M. Johnson, MD, FACR" (middle name as an initial). */
export function formatPersonName(person: {
  firstName?: string | null | undefined;
  middleName?: string | null | undefined;
  lastName?: string | null | undefined;
  suffix1?: string | null | undefined;
  suffix2?: string | null | undefined;
}): string {
  const clean = (value: string | null | undefined) => (value ?? '').trim().replace(/\s+/g, ' ');
  const middle = clean(person.middleName);
  const initial = middle === '' ? '' : `${[...middle][0]?.toUpperCase() ?? ''}.`;
  const name = [clean(person.firstName), initial, clean(person.lastName)]
    .filter((part) => part !== '')
    .join(' ');
  const suffixes = [clean(person.suffix1), clean(person.suffix2)].filter((part) => part !== '');
  return [name, ...suffixes].filter((part) => part !== '').join(', ');
}

/** "admin" → "Admin". */
export function levelLabel(level: string): string {
  return level === '' ? level : `${level[0]?.toUpperCase() ?? ''}${level.slice(1)}`;
}
