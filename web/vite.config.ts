import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Where `npm run dev` forwards API calls: a locally running panel (its default bind).
const panel = process.env.AERIE_PANEL_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: panel, changeOrigin: true, ws: true },
      '/sanctum': { target: panel, changeOrigin: true },
      // `/auth/login` is both a page (GET, served by Vite in dev) and the login endpoint
      // (POST, served by the panel): only non-GET requests go to the panel.
      '/auth': {
        target: panel,
        changeOrigin: true,
        bypass: (req) => (req.method === 'GET' || req.method === 'HEAD' ? req.url : undefined),
      },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
