import { createTheme, localStorageColorSchemeManager } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
});

/** Remembers the user's explicit light/dark choice; without one the OS setting is followed. */
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'aerie-color-scheme' });
