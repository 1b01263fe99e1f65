// Imported by the generated service worker. Background Sync (Chromium): when
// the network comes back after the volunteer closed the tab, wake any open
// window of the app and ask it to sync. The sync itself needs Automerge and
// IndexedDB, which the page already has; see docs/PWA.md for the limits.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'porte-voix-sync') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      for (const c of clients) c.postMessage({ type: 'porte-voix-sync' });
    }),
  );
});
