import { useRef, useState } from 'react';
import type { ChangeEvent } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { TextInput } from '../../components/text-input.tsx';
import { downloadText } from '../../lib/download.ts';
import { decodeSheetFile, parseSheet } from './sheet.ts';
import type { Sheet } from './sheet.ts';
import { TEMPLATE_FILE_NAME, templateCsv } from './template.ts';

/** The two ways in: cells pasted from a spreadsheet, or a .csv file; and the template to start from. */
export function SheetInput({ onSheet }: { onSheet: (sheet: Sheet, source: string) => void }) {
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<{ source: string; message: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const read = (text: string, source: 'paste' | 'file', name: string) => {
    const result = parseSheet(text, source);
    if (result.ok) {
      setProblem(null);
      onSheet(result.sheet, name);
    } else {
      setProblem({ source: name, message: result.problem });
    }
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file === undefined) return;
    const decoded = decodeSheetFile(new Uint8Array(await file.arrayBuffer()));
    if (decoded.ok) read(decoded.text, 'file', file.name);
    else setProblem({ source: file.name, message: decoded.problem });
  };

  return (
    <Stack spacing={3}>
      <Stack component="section" spacing={2} aria-labelledby="bulk-paste-heading">
        <Typography id="bulk-paste-heading" variant="h2">
          Paste from a spreadsheet
        </Typography>
        <TextInput
          label="Cells copied from Excel, Google Sheets or Numbers"
          value={pasted}
          onChange={(event) => setPasted(event.target.value)}
          helperText="Select the cells with the header row (First name, Last name, Email, Role, …), copy them, and paste here."
          slotProps={{
            input: { multiline: true, minRows: 5, maxRows: 12 },
            htmlInput: { spellCheck: false, 'data-gramm': 'false' },
          }}
        />
        <Stack direction="row">
          <Button variant="contained" onClick={() => read(pasted, 'paste', 'the pasted cells')}>
            Check the pasted cells
          </Button>
        </Stack>
      </Stack>

      <Stack component="section" spacing={2} aria-labelledby="bulk-file-heading">
        <Typography id="bulk-file-heading" variant="h2">
          Or choose a file
        </Typography>
        <Typography color="text.secondary">
          A .csv file (comma or semicolon separated, saved as UTF-8), up to 1,000 people and 2 MB.
        </Typography>
        <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
          <Button variant="outlined" onClick={() => fileInput.current?.click()}>
            Choose a .csv file
          </Button>
          <Button variant="text" onClick={() => downloadText(TEMPLATE_FILE_NAME, templateCsv())}>
            Download the template
          </Button>
        </Stack>
        <input
          ref={fileInput}
          type="file"
          accept=".csv,.tsv,.txt,text/csv,text/plain"
          hidden
          aria-label="A .csv file of the people to invite"
          data-testid="bulk-file-input"
          onChange={(event) => void chooseFile(event)}
        />
      </Stack>

      {problem === null ? null : (
        <Alert severity="error" role="alert">
          <AlertTitle>Nothing was read from {problem.source}.</AlertTitle>
          {problem.message}
        </Alert>
      )}
    </Stack>
  );
}
