import { useEffect } from 'react';

export const PRODUCT_NAME = 'Viewer Admin';

/** Set the document title for the current screen: "Invite a colleague · Viewer Admin". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT_NAME}`;
  }, [title]);
}
