/**
 * Every user-visible string of the web UI, in one place so it can be translated later.
 * Components import `strings` and never hard-code text. Entries that take values are
 * functions.
 */
export const strings = {
  app: {
    name: 'Aerie',
    tagline: 'Game server panel',
    loading: 'Loading…',
  },
  theme: {
    toggleToDark: 'Switch to dark theme',
    toggleToLight: 'Switch to light theme',
  },
  login: {
    title: 'Sign in',
    userLabel: 'Username or email',
    userRequired: 'Enter your username or email',
    passwordLabel: 'Password',
    passwordRequired: 'Enter your password',
    submit: 'Sign in',
    errorTitle: 'Sign-in failed',
  },
  home: {
    signedInAs: (username: string) => `Signed in as ${username}`,
    comingSoon: 'The full panel UI is on its way.',
  },
  errors: {
    requestFailed: (status: number) => `Request failed (HTTP ${status})`,
    network: 'Cannot reach the panel',
    unexpectedResponse: 'The panel sent a response the UI does not understand',
    secondFactorUnsupported: 'This account uses two-factor authentication, which this UI does not support yet',
  },
} as const;
