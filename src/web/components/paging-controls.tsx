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
  /** How many rows this page shows. */
  shown: number;
  hasNext: boolean;
  limit: PageSize;
  onPrevious: () => void;
  onNext: () => void;
  onLimit: (limit: PageSize) => void;
};

/** Previous and next page, which page this is, and the page size (20, 50 or 100). */
export function PagingControls({
  noun,
  page,
  shown,
  hasNext,
  limit,
  onPrevious,
  onNext,
  onLimit,
}: PagingControlsProps) {
  return (
    <Stack
      component="nav"
      aria-label={`Pages of ${noun}`}
      direction={{ xs: 'column', sm: 'row' }}
      spacing={2}
      sx={{ alignItems: { sm: 'center' }, justifyContent: 'space-between' }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Button variant="outlined" onClick={onPrevious} disabled={page <= 1}>
          Previous page
        </Button>
        <Typography sx={{ px: 1 }} aria-live="polite">
          Page {page}
          {shown > 0 ? ` · ${shown} shown` : ''}
        </Typography>
        <Button variant="outlined" onClick={onNext} disabled={!hasNext}>
          Next page
        </Button>
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
