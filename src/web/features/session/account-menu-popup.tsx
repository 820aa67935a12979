import { useState } from 'react';
import ListSubheader from '@mui/material/ListSubheader';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import { ChangePasswordDialog } from './change-password-dialog.tsx';

/** The account menu's popup and what its items open (loaded on first use: not part of any screen's first load). */
export function AccountMenuPopup({
  anchor,
  menuId,
  email,
  open,
  onClose,
}: {
  anchor: HTMLElement | null;
  menuId: string;
  email: string;
  open: boolean;
  onClose: () => void;
}) {
  const [changing, setChanging] = useState(false);
  return (
    <>
      <Menu
        id={menuId}
        anchorEl={anchor}
        open={open && anchor !== null}
        onClose={onClose}
        slotProps={{ list: { 'aria-label': 'Account', dense: true } }}
      >
        <ListSubheader sx={{ lineHeight: 2.5 }}>{email}</ListSubheader>
        <MenuItem
          onClick={() => {
            onClose();
            setChanging(true);
          }}
        >
          Change password
        </MenuItem>
      </Menu>
      <ChangePasswordDialog open={changing} onClose={() => setChanging(false)} />
    </>
  );
}
