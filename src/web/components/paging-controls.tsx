import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { PAGE_SIZES } from '../lib/list-url.ts';
import type { PageSize } from '../lib/list-url.ts';
import { SelectField } from './select-field.tsx';

type PagingControlsProps = {
  /** Plural, for the navigation's name: "users", "invitations". */
  noun: string;
  page: number;
  pageCount: number;
  limit: PageSize;
  onPage: (page: number) => void;
  onLimit: (limit: PageSize) => void;
};

/** The page numbers to offer: the first, the last, and two either side of this one ("…" between). */
export function pageNumbers(page: number, pageCount: number): (number | 'gap')[] {
  const shown = new Set([1, pageCount]);
  for (let n = page - 2; n <= page + 2; n += 1) if (n >= 1 && n <= pageCount) shown.add(n);
  const sorted = [...shown].sort((a, b) => a - b);
  return sorted.flatMap((n, index) => {
    const before = sorted[index - 1];
    return before !== undefined && n - before > 1 ? (['gap', n] as const) : [n];
  });
}

/** Previous and next page, page numbers to jump to, which page this is, and the page size (20, 50 or 100). */
export function PagingControls({ noun, page, pageCount, limit, onPage, onLimit }: PagingControlsProps) {
  return (
    <Stack
      component="nav"
      aria-label={`Pages of ${noun}`}
      direction={{ xs: 'column', sm: 'row' }}
      spacing={2}
      sx={{ alignItems: { sm: 'center' }, justifyContent: 'space-between' }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Button variant="outlined" onClick={() => onPage(page - 1)} disabled={page <= 1}>
          Previous page
        </Button>
        <Stack component="ul" direction="row" sx={{ listStyle: 'none', m: 0, p: 0, flexWrap: 'wrap' }}>
          {pageNumbers(page, pageCount).map((n, index) =>
            n === 'gap' ? (
              <Box
                component="li"
                key={`gap-${index}`}
                aria-hidden="true"
                sx={{ px: 0.5, alignSelf: 'center' }}
              >
                …
              </Box>
            ) : (
              <li key={n}>
                <Button
                  size="small"
                  variant={n === page ? 'contained' : 'text'}
                  aria-current={n === page ? 'page' : undefined}
                  aria-label={`Page ${n}`}
                  onClick={() => onPage(n)}
                  sx={{ minWidth: 40 }}
                >
                  {n}
                </Button>
              </li>
            ),
          )}
        </Stack>
        <Button variant="outlined" onClick={() => onPage(page + 1)} disabled={page >= pageCount}>
          Next page
        </Button>
        <Typography sx={{ px: 1 }} aria-live="polite">
          Page {page} of {pageCount}
        </Typography>
      </Stack>
      <Box sx={{ width: { xs: '100%', sm: 180 } }}>
        <SelectField
          label="Rows per page"
          value={String(limit)}
          options={PAGE_SIZES.map((size) => ({ value: String(size), label: String(size) }))}
          onChange={(value) => {
            const size = PAGE_SIZES.find((candidate) => String(candidate) === value);
            if (size !== undefined) onLimit(size);
          }}
        />
      </Box>
    </Stack>
  );
}
