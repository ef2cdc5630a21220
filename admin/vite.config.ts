// The admin dashboard's build: `npm run build:admin` writes admin/dist, served by the API server at /admin
// (src/platform/http/admin-static.ts). Asset names carry content hashes, so they are cached for good.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The first route's JavaScript must stay within 300 KB gzipped: test/admin/dashboard.e2e.test.ts checks it.
  },
});
