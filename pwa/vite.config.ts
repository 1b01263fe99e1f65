import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json' with { type: 'json' };
import { fr } from './src/i18n/fr';

// The app shell, the Automerge wasm and the territory outlines are precached,
// so a phone that opened the app once works with no network at all.
// The console (officer and communes, /console) is its own chunk, `console-*`
// (the dynamic import of src/console/console.tsx, with Preact, signals,
// d3-geo and its strings, which nothing else imports): fetched only when
// /console opens and kept out of the precache, so a volunteer's first visit
// does not grow. No manualChunks: they would pull modules shared with the
// field app into the console chunk.
export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' } },
  plugins: [
    {
      // index.html takes its French strings from the catalogue too.
      name: 'porte-voix-html-strings',
      transformIndexHtml: (html: string) =>
        html.replaceAll('%APP_NAME%', fr.appName).replaceAll('%APP_DESCRIPTION%', fr.appDescription),
    },
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icon.svg', 'icon-192.png', 'icon-512.png'],
      manifest: {
        name: fr.appName,
        short_name: fr.appName,
        description: fr.appDescription,
        lang: 'fr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#1b3a6b',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}'],
        // The console needs the network for every read anyway; offline, its
        // loader says so in words (no run-time cache: it would add Workbox's
        // expiration code to every phone).
        globIgnores: ['**/assets/console-*'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/health/, /^\/swagger-ui/, /^\/api-docs/],
        importScripts: ['sw-sync.js'],
      },
    }),
  ],
});
