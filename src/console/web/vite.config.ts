import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console page: React + Cloudscape, one chunk per page so the first render loads only what it shows.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
});
