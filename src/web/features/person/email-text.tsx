import Box from '@mui/material/Box';

/** An email address that wraps after the @ (not in the middle of a word) when the column is narrow. */
export function EmailText({ email }: { email: string }) {
  const at = email.lastIndexOf('@');
  if (at <= 0)
    return (
      <Box component="span" sx={{ overflowWrap: 'anywhere' }}>
        {email}
      </Box>
    );
  return (
    <Box component="span" sx={{ overflowWrap: 'anywhere' }}>
      {email.slice(0, at)}
      <wbr />
      {email.slice(at)}
    </Box>
  );
}
